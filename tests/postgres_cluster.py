"""A throwaway PostgreSQL server for the tests, started from the Debian binaries.

Why a real server: the tests of the PostgreSQL backend must meet what a hospital runs (PL/pgSQL
triggers, advisory locks, password authentication, dropped connections), so no mock and no
SQLite stands in. One cluster per test session (per xdist worker): ``initdb`` into a temporary
folder, listen on 127.0.0.1 on a free port, and authenticate with real passwords
(scram-sha-256) read from a PGPASSFILE, so the product's password path is exercised exactly as
on a workstation. Durability is switched off (fsync, full page writes): the data is thrown away.

``initdb`` refuses to run as root; as root (CI, the dev machine) the folder is handed to the
``postgres`` OS user and the server commands run through ``runuser``.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import psycopg

SUPERUSER = "postgres"
SUPERUSER_PASSWORD = "cluster-superuser-password-1"
#: The non-superuser role that owns each test's database (the product's usual connection).
APP_ROLE = "vp"
APP_PASSWORD = "vp-role-password-1"
OS_USER = "postgres"

_SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "max_connections": "200",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "shared_buffers": "'64MB'",
    "password_encryption": "'scram-sha-256'",
    "log_min_messages": "warning",
    "log_min_error_statement": "panic",
    "logging_collector": "off",
}


class ClusterError(RuntimeError):
    """The test server could not be found, created or started."""


def find_bindir() -> Path | None:
    """The folder of ``initdb``/``pg_ctl``: the highest ``/usr/lib/postgresql/N/bin``, else the
    ``pg_config --bindir`` of the PATH, else None."""
    candidates: list[Path] = []
    versions = sorted(
        (p for p in Path("/usr/lib/postgresql").glob("*/bin") if p.parent.name.isdigit()),
        key=lambda p: int(p.parent.name),
        reverse=True,
    )
    candidates.extend(versions)
    pg_config = shutil.which("pg_config")
    if pg_config:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            out = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, timeout=10, check=True
            )
            candidates.append(Path(out.stdout.strip()))
    for folder in candidates:
        if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file():
            return folder
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PostgresCluster:
    """One running test server; ``start()`` creates it, ``remove()`` deletes every trace."""

    def __init__(self, bindir: Path | None = None) -> None:
        found = bindir or find_bindir()
        if found is None:
            raise ClusterError(
                "No PostgreSQL server binaries were found (looked in /usr/lib/postgresql/*/bin "
                "and pg_config --bindir): install Debian's postgresql package to run the tests "
                "with --backend postgresql."
            )
        self.bindir = found
        self.as_root = os.geteuid() == 0
        if self.as_root:
            try:
                pwd.getpwnam(OS_USER)
            except KeyError:
                raise ClusterError(
                    f"The tests run as root, and initdb refuses root: they need the {OS_USER} "
                    "OS user that Debian's postgresql package creates."
                ) from None
        # As root the server runs as ``postgres``, which must reach the folder: /tmp, not a
        # private TMPDIR.
        self.base = Path(
            tempfile.mkdtemp(prefix="vp-pgcluster-", dir="/tmp" if self.as_root else None)
        )
        self.data = self.base / "data"
        self.socket_dir = self.base / "socket"
        self.log = self.base / "server.log"
        self.passfile = self.base / "pgpass"
        self.port = 0
        self._counter = itertools.count(1)
        self._passwords: dict[str, str] = {SUPERUSER: SUPERUSER_PASSWORD}
        self._previous_passfile: str | None = None

    # ----- server processes -------------------------------------------------------------------

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        command: list[str] = [str(self.bindir / args[0]), *args[1:]]
        if self.as_root:
            command = ["runuser", "-u", OS_USER, "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120)
        if check and result.returncode != 0:
            raise ClusterError(
                f"{args[0]} failed ({result.returncode}): {result.stderr.strip() or result.stdout}"
                f"\n{self._log_tail()}"
            )
        return result

    def _log_tail(self) -> str:
        try:
            return "server log:\n" + "\n".join(self.log.read_text().splitlines()[-15:])
        except OSError:
            return ""

    def create(self) -> None:
        """``initdb`` with a password-protected superuser (scram on sockets and TCP)."""
        self.socket_dir.mkdir()
        pwfile = self.base / "superuser-password"
        pwfile.write_text(SUPERUSER_PASSWORD + "\n")
        if self.as_root:
            subprocess.run(["chown", "-R", f"{OS_USER}:", str(self.base)], check=True)
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            SUPERUSER,
            f"--pwfile={pwfile}",
            "--auth=scram-sha-256",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        )
        pwfile.unlink()
        conf = self.data / "postgresql.conf"
        with conf.open("a") as f:
            for key, value in _SETTINGS.items():
                f.write(f"{key} = {value}\n")
            f.write(f"unix_socket_directories = '{self.socket_dir}'\n")

    def start(self) -> None:
        """Start the server (on a new free port the first time; retried if the port was taken)."""
        ports = [self.port] if self.port else [_free_port() for _ in range(5)]
        last: ClusterError | None = None
        for port in ports:
            try:
                self._run(
                    "pg_ctl",
                    "-D",
                    str(self.data),
                    "-l",
                    str(self.log),
                    "-o",
                    f"-p {port}",
                    "-w",
                    "-t",
                    "60",
                    "start",
                )
            except ClusterError as exc:
                last = exc
                continue
            self.port = port
            return
        raise last or ClusterError("The test PostgreSQL server did not start.")

    def stop(self, mode: str = "fast") -> None:
        """Stop the server (``mode``: smart, fast or immediate — immediate is a crash)."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")

    def restart(self, mode: str = "fast") -> None:
        self.stop(mode)
        self.start()

    def is_running(self) -> bool:
        return self._run("pg_ctl", "-D", str(self.data), "status", check=False).returncode == 0

    def remove(self) -> None:
        """Stop the server (if running) and delete the folder; restore the old PGPASSFILE."""
        try:
            if self.data.exists() and self.is_running():
                self.stop("immediate")
        finally:
            shutil.rmtree(self.base, ignore_errors=True)
            if os.environ.get("PGPASSFILE") == str(self.passfile):
                if self._previous_passfile is None:
                    os.environ.pop("PGPASSFILE", None)
                else:
                    os.environ["PGPASSFILE"] = self._previous_passfile

    # ----- roles, passwords, databases --------------------------------------------------------

    def _write_passfile(self) -> None:
        """Every known role's password for this server, for libpq (and so for the product)."""
        lines = []
        for user, password in self._passwords.items():
            escaped = password.replace("\\", "\\\\").replace(":", "\\:")
            lines.append(f"127.0.0.1:{self.port}:*:{user}:{escaped}")
            lines.append(f"localhost:{self.port}:*:{user}:{escaped}")
        self.passfile.write_text("\n".join(lines) + "\n")
        self.passfile.chmod(0o600)  # libpq ignores a password file others can read

    def install_passfile(self) -> None:
        """Point ``PGPASSFILE`` at this cluster's file (subprocesses inherit it)."""
        self._write_passfile()
        if os.environ.get("PGPASSFILE") != str(self.passfile):
            self._previous_passfile = os.environ.get("PGPASSFILE")
        os.environ["PGPASSFILE"] = str(self.passfile)

    def url(self, dbname: str = "postgres", user: str = APP_ROLE) -> str:
        """``postgresql://user@127.0.0.1:PORT/dbname`` — no password: libpq finds it."""
        return f"postgresql://{user}@127.0.0.1:{self.port}/{dbname}"

    def connect(self, dbname: str = "postgres", **kwargs: Any) -> psycopg.Connection[Any]:
        """A superuser connection (autocommit) by TCP with the superuser's password."""
        return psycopg.connect(
            host="127.0.0.1",
            port=self.port,
            dbname=dbname,
            user=SUPERUSER,
            password=SUPERUSER_PASSWORD,
            autocommit=True,
            **kwargs,
        )

    @contextlib.contextmanager
    def superuser(self, dbname: str = "postgres") -> Iterator[psycopg.Connection[Any]]:
        conn = self.connect(dbname)
        try:
            yield conn
        finally:
            conn.close()

    def psql(self, sql: str, db: str = "postgres", params: Sequence[Any] = ()) -> list[Any]:
        """Run one statement as the superuser; the rows it returns (empty for none)."""
        with self.superuser(db) as conn, conn.cursor() as cur:
            cur.execute(sql, params or None)
            return cur.fetchall() if cur.description else []

    def create_role(self, name: str, password: str, *, superuser: bool = False) -> None:
        """A login role with ``password`` (added to the PGPASSFILE); a no-op if it exists."""
        from psycopg import sql

        with self.superuser() as conn:
            exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,)).fetchone()
            verb = "ALTER" if exists else "CREATE"
            conn.execute(
                sql.SQL("{} ROLE {} LOGIN {} PASSWORD {}").format(
                    sql.SQL(verb),
                    sql.Identifier(name),
                    sql.SQL("SUPERUSER" if superuser else "NOSUPERUSER"),
                    sql.Literal(password),
                )
            )
        self._passwords[name] = password
        if os.environ.get("PGPASSFILE") == str(self.passfile):
            self._write_passfile()

    def new_database(
        self, owner: str = APP_ROLE, prefix: str = "vp_test", template: str = "template1"
    ) -> str:
        """A new database owned by ``owner`` (a copy of ``template``: empty by default) with a
        name of its own; returns the name. The template must have no open sessions."""
        name = f"{prefix}_{os.getpid()}_{next(self._counter)}"
        self.create_database(name, owner=owner, template=template)
        return name

    def create_database(
        self, name: str, owner: str = APP_ROLE, template: str = "template1"
    ) -> None:
        from psycopg import sql

        with self.superuser() as conn:
            conn.execute(
                sql.SQL("CREATE DATABASE {} OWNER {} TEMPLATE {}").format(
                    sql.Identifier(name), sql.Identifier(owner), sql.Identifier(template)
                )
            )

    def drop_database(self, name: str) -> None:
        """Drop ``name`` even while clients are still connected (their sessions end)."""
        from psycopg import sql

        with self.superuser() as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )

    def terminate(self, dbname: str) -> int:
        """End every other session on ``dbname`` (what a dropped connection looks like to
        the client); the number of sessions ended."""
        rows = self.psql(
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            params=(dbname,),
        )
        return int(rows[0][0])


def start_cluster(bindir: Path | None = None) -> PostgresCluster:
    """Create and start a cluster with the app role ``vp``; PGPASSFILE points at its file."""
    cluster = PostgresCluster(bindir)
    try:
        cluster.create()
        cluster.start()
        cluster.install_passfile()
        cluster.create_role(APP_ROLE, APP_PASSWORD)
    except BaseException:
        cluster.remove()
        raise
    return cluster
