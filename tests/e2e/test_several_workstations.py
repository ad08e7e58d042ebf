"""The README's "Several workstations" section, followed block by block on a real server.

Every block marked ``<!-- workstations:KIND -->`` in that section is carried out in order, as
IT and a workstation would: ``sql`` as the PostgreSQL superuser, ``hba`` put first in
``pg_hba.conf``, ``pgpass`` written to the workstation account's ``~/.pgpass``, ``config`` as
the workstation's ``vpchecklist.toml``, and each line of an ``sh`` block run by a shell — as IT
(the owner's password in ``PGPASSWORD``) when it names the owner, else as the workstation.
Only the host, port, passwords and file paths are replaced by this server's; a README step that
stops working fails here.

The server is a cluster of its own (it is given TLS and a stricter ``pg_hba.conf``), started
from the installed PostgreSQL binaries like the rest of the ``--backend postgresql`` run.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.e2e.cli_support import complete_doc
from tests.postgres_cluster import OS_USER, PostgresCluster

pytestmark = [pytest.mark.postgresql_only, pytest.mark.slow]

README = Path(__file__).resolve().parents[2] / "README.md"
SECTION = "## Several workstations"
HOST = "db1.hospital.example"
PASSWORDS = {"vp_owner": "owner-password-on-the-server-1", "vp_app": "app-password-of-rooms-1"}
ADMIN, ADMIN_PASSWORD = "admin", "first-admin-password-1"


@dataclass
class Step:
    kind: str
    text: str


def readme_steps() -> list[Step]:
    """The marked blocks of the section, in order."""
    text = README.read_text(encoding="utf-8")
    start = text.index(SECTION)
    end = text.find("\n## ", start + len(SECTION))
    section = text[start : end if end != -1 else len(text)]
    pattern = re.compile(r"<!-- workstations:(\w+) -->\n```[a-z]*\n(.*?)```", re.S)
    return [Step(kind, body) for kind, body in pattern.findall(section)]


def _openssl(*args: str) -> None:
    subprocess.run(["openssl", *args], check=True, capture_output=True, timeout=60)


def make_certificates(folder: Path) -> dict[str, Path]:
    """A hospital CA and a server certificate for ``localhost`` signed by it."""
    folder.mkdir()
    ca_key, ca_crt = folder / "ca.key", folder / "hospital-root.crt"
    key, csr, crt = folder / "db1.key", folder / "db1.csr", folder / "db1.crt"
    extensions = folder / "san.cnf"
    extensions.write_text("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    _openssl(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        str(ca_key),
        "-out",
        str(ca_crt),
        "-days",
        "2",
        "-subj",
        "/CN=Test Hospital Root CA",
    )
    _openssl(
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        str(key),
        "-out",
        str(csr),
        "-subj",
        "/CN=localhost",
    )
    _openssl(
        "x509",
        "-req",
        "-in",
        str(csr),
        "-CA",
        str(ca_crt),
        "-CAkey",
        str(ca_key),
        "-CAcreateserial",
        "-out",
        str(crt),
        "-days",
        "2",
        "-extfile",
        str(extensions),
    )
    key.chmod(0o600)
    if os.geteuid() == 0:  # the server runs as the postgres account and must read its key
        shutil.chown(key, OS_USER)
        shutil.chown(crt, OS_USER)
    return {"ca": ca_crt, "crt": crt, "key": key}


class Walkthrough:
    """The server, IT's shell and one workstation account."""

    def __init__(self, cluster: PostgresCluster, tmp: Path) -> None:
        self.cluster = cluster
        # In the server's own folder: the postgres account cannot enter pytest's (root, 0700).
        self.tls = make_certificates(cluster.base / "tls")
        self.workstation = tmp / "workstation"  # the nurse account's HOME and VPCHECKLIST_HOME
        self.it_home = tmp / "it"
        self.anchors = tmp / "anchors"
        for folder in (self.workstation, self.it_home, self.anchors):
            folder.mkdir()
        self.dump: Path | None = None
        self.outputs: list[str] = []

    def localise(self, text: str) -> str:
        """The README's host, port, passwords and paths → this server's."""
        port = str(self.cluster.port)
        text = text.replace(f"{HOST}:5432", f"localhost:{port}")
        text = text.replace(f"{HOST}/", f"localhost:{port}/")
        text = text.replace("10.20.0.0/16", "127.0.0.1/32")
        text = text.replace("/etc/postgresql/tls/db1.crt", str(self.tls["crt"]))
        text = text.replace("/etc/postgresql/tls/db1.key", str(self.tls["key"]))
        text = text.replace("/etc/vpchecklist/hospital-root.crt", str(self.tls["ca"]))
        text = text.replace("/var/lib/vpchecklist/anchors", str(self.anchors))
        for role, password in PASSWORDS.items():
            text = text.replace(
                f"ROLE {role} LOGIN PASSWORD '…'", f"ROLE {role} LOGIN PASSWORD '{password}'"
            )
            text = text.replace(f":{role}:…", f":{role}:{password}")
        assert "…" not in text, f"a placeholder the walk-through does not know:\n{text}"
        return text

    # ----- the kinds of step ------------------------------------------------------------------

    def sql(self, text: str) -> None:
        with self.cluster.superuser() as conn:
            for statement in filter(None, (s.strip() for s in text.split(";"))):
                conn.execute(statement)
        if "pg_reload_conf" in text:  # the server applies a reload a moment later
            settings = re.findall(r"ALTER SYSTEM SET (\w+) = '?([^';]+)'?", text)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                with self.cluster.superuser() as conn:
                    now = {k: conn.execute(f"SHOW {k}").fetchone()[0] for k, _ in settings}
                if all(now[k] == v for k, v in settings):
                    return
                time.sleep(0.1)
            raise AssertionError(f"the server did not take {settings}: {now}")

    def hba(self, text: str) -> None:
        conf = self.cluster.data / "pg_hba.conf"
        conf.write_text(text + conf.read_text())

    def pgpass(self, text: str) -> None:
        passfile = self.workstation / ".pgpass"
        passfile.write_text(text)
        passfile.chmod(0o600)

    def config(self, text: str) -> None:
        folder = self.workstation / "config"
        folder.mkdir(exist_ok=True)
        (folder / "vpchecklist.toml").write_text(text)

    def sh(self, text: str) -> None:
        for line in text.splitlines():
            if line.strip() and not line.lstrip().startswith("#"):
                self.command(line)

    def command(self, line: str) -> None:
        argv = shlex.split(line.replace("NAME", ADMIN).replace("ADMIN", ADMIN))
        assert argv[0] == "vpchecklist", line
        as_it = any("vp_owner@" in arg for arg in argv)
        stdin = ""
        if "init" in argv or "restore" in argv:  # the VP password the README's reader types
            argv.append("--password-stdin")
            stdin = f"{ADMIN_PASSWORD}\n"
        if "restore" in argv:
            assert self.dump is not None, "the README restores before it made a backup"
            argv = [
                str(self.dump) if a.startswith("vpchecklist-") and a.endswith(".dump") else a
                for a in argv
            ]
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PG", "VPCHECKLIST_"))}
        home = self.it_home if as_it else self.workstation
        env.update(HOME=str(home), VPCHECKLIST_HOME=str(home))
        if as_it:
            env["PGPASSWORD"] = PASSWORDS["vp_owner"]
        done = subprocess.run(
            [sys.executable, "-m", "vpchecklist.cli", *argv[1:]],
            input=stdin,
            capture_output=True,
            text=True,
            env=env,
            timeout=180,
        )
        assert done.returncode == 0, f"{line}\n→ exit {done.returncode}: {done.stderr}{done.stdout}"
        assert "Traceback" not in done.stderr, done.stderr
        self.outputs.append(done.stdout)
        if argv[1:2] == ["backup"]:
            dumps = sorted((self.workstation / "data" / "backups").glob("vpchecklist-*.dump"))
            assert dumps, done.stdout
            self.dump = dumps[-1]

    def second_workstation(self, tmp: Path) -> Path:
        """Another room: the same configuration file and ~/.pgpass, its own account."""
        home = tmp / "room2"
        shutil.copytree(self.workstation / "config", home / "config")
        shutil.copy2(self.workstation / ".pgpass", home / ".pgpass")
        return home

    def cli(self, home: Path, *args: str, stdin: str = "") -> str:
        """``vpchecklist ARGS`` on a workstation with no --db: its configuration file decides."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PG", "VPCHECKLIST_"))}
        env.update(HOME=str(home), VPCHECKLIST_HOME=str(home))
        done = subprocess.run(
            [sys.executable, "-m", "vpchecklist.cli", *args],
            input=stdin, capture_output=True, text=True, env=env, timeout=120,
        )  # fmt: skip
        assert done.returncode == 0, f"{args}: {done.stderr}"
        return done.stdout

    def run(self, step: Step) -> None:
        getattr(self, step.kind)(self.localise(step.text))


@pytest.fixture
def own_cluster() -> Iterator[PostgresCluster]:
    """A server of its own: this walk-through changes its TLS and pg_hba.conf."""
    cluster = PostgresCluster()
    try:
        cluster.create()
        cluster.start()
        yield cluster
    finally:
        cluster.remove()


def test_the_readme_walkthrough_sets_up_a_shared_server(
    own_cluster: PostgresCluster, tmp_path: Path
) -> None:
    steps = readme_steps()
    kinds = [step.kind for step in steps]
    # The section still describes every part the issue asks for, in a workable order.
    assert kinds.count("sql") >= 3 and {"hba", "pgpass", "config", "sh"} <= set(kinds), kinds
    walk = Walkthrough(own_cluster, tmp_path)
    for step in steps:
        walk.run(step)

    # The workstation reached the server over verified TLS only: its role has no other way in.
    with own_cluster.superuser("vpchecklist") as conn:
        owner = conn.execute(
            "SELECT tableowner FROM pg_tables WHERE tablename = 'signature'"
        ).fetchone()[0]
        assert owner == "vp_owner"
        hba = conn.execute(
            "SELECT type, user_name FROM pg_hba_file_rules WHERE 'vp_app' = ANY(user_name)"
        ).fetchall()
    assert [row[0] for row in hba] == ["hostssl", "host"]  # the plain line rejects
    plain = subprocess.run(
        [
            sys.executable,
            "-m",
            "vpchecklist.cli",
            "--db",
            f"postgresql://vp_app@localhost:{own_cluster.port}/vpchecklist?sslmode=disable",
            "db",
            "check",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env={
            **os.environ,
            "HOME": str(walk.workstation),
            "PGPASSFILE": str(walk.workstation / ".pgpass"),
        },
    )
    assert plain.returncode != 0 and "Traceback" not in plain.stderr, plain.stderr
    assert "pg_hba.conf" in plain.stderr or "could not" in plain.stderr, plain.stderr

    # The backup restored into a new database holds the administrator and a sound chain.
    assert walk.dump is not None and walk.dump.stat().st_mode & 0o077 == 0
    verify = subprocess.run(
        [
            sys.executable,
            "-m",
            "vpchecklist.cli",
            "--db",
            f"postgresql://vp_owner@localhost:{own_cluster.port}/vpchecklist_restored",
            "audit",
            "verify",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={
            **os.environ,
            "PGPASSWORD": PASSWORDS["vp_owner"],
            "VPCHECKLIST_HOME": str(walk.it_home),
        },
    )
    assert verify.returncode == 0, verify.stderr + verify.stdout
    assert "intact" in verify.stdout.lower() or "ok" in verify.stdout.lower(), verify.stdout
    with own_cluster.superuser("vpchecklist_restored") as conn:
        users = [r[0] for r in conn.execute('SELECT username FROM "user"').fetchall()]
    assert users == [ADMIN]
    # A day's work on two rooms: room 1 prepares and signs, room 2 (another account, the same
    # configuration file) sees the record; room 1's signature is anchored where its file says.
    room1, room2 = walk.workstation, walk.second_workstation(tmp_path)
    nurse_pw = "nurse-password-room-1"
    walk.cli(
        room1,
        "users",
        "add",
        "nina",
        "--role",
        "nurse",
        "--full-name",
        "Nina Nowak",
        "--user",
        ADMIN,
        "--password-stdin",
        stdin=f"{ADMIN_PASSWORD}\n{nurse_pw}\n",
    )
    walk.cli(
        room1,
        "passwd",
        "--user",
        "nina",
        "--password-stdin",
        stdin=f"{nurse_pw}\n{nurse_pw}-changed\n",
    )
    nurse_pw += "-changed"
    document = tmp_path / "checklist.json"
    document.write_text(json.dumps(complete_doc(mrn="MRN-ROOM-1")))
    created = walk.cli(
        room1,
        "checklist",
        "create",
        "--from",
        str(document),
        "--user",
        "nina",
        "--password-stdin",
        stdin=f"{nurse_pw}\n",
    )
    checklist_id = int(created)
    walk.cli(
        room1,
        "checklist",
        "sign",
        str(checklist_id),
        "--meaning",
        "ready",
        "--user",
        "nina",
        "--password-stdin",
        stdin=f"{nurse_pw}\n",
    )
    listed = json.loads(
        walk.cli(
            room2,
            "list",
            "--format",
            "json",
            "--user",
            "nina",
            "--password-stdin",
            stdin=f"{nurse_pw}\n",
        )
    )
    assert [(r["id"], r["mrn"], r["status"]) for r in listed] == [
        (checklist_id, "MRN-ROOM-1", "signed")
    ]
    assert any(walk.anchors.iterdir()), "the signature's anchor is not in the configured folder"
