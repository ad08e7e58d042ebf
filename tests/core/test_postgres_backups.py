"""Issue 14, backups on PostgreSQL: ``backup`` runs ``pg_dump -Fc`` (0600, its chain head in the
anchor beside it), ``restore`` runs ``pg_restore`` into an empty database only, with the same
checks as for a file; a computer without the client tools is told so in one sentence.

A real server (the ``postgres_cluster`` fixture): ``postgresql_only``, so they run in CI's
PostgreSQL run and a machine without the server binaries can still run the SQLite suite.
"""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher

from tests.core.conftest import Checklist as Documents
from tests.core.test_postgres_privileges import (  # noqa: F401 (server: a fixture)
    APP,
    APP_PASSWORD,
    OWNER,
    cli,
    server,
    setup,
)
from tests.postgres_cluster import PostgresCluster
from vpchecklist.services import auth, backups, checklists, settings, signing, users
from vpchecklist.store import open_store, pg_backup
from vpchecklist.store.location import PostgresTarget

pytestmark = pytest.mark.postgresql_only

ADMIN_PASSWORD, NURSE_PASSWORD = "admin-password-1", "nurse-password-1"

#: What must come back identical: every signed and draft row, both chains.
SNAPSHOT = {
    "signature": "SELECT seq, checklist_id, addendum_id, meaning, signed_at, content, prev_hash, "
    "record_hash FROM signature ORDER BY seq",
    "checklist": "SELECT id, patient_name, mrn, status, signed_at, warning_count FROM checklist "
    "ORDER BY id",
    "answer": "SELECT checklist_id, item_id, value, answered_at FROM answer ORDER BY 1, 2",
    "addendum": "SELECT id, checklist_id, text FROM addendum ORDER BY id",
    "user": 'SELECT username, role, password_hash FROM "user" ORDER BY id',
    "database_info": "SELECT key, value FROM database_info ORDER BY key",
}


@pytest.fixture(autouse=True)
def _quick_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024))


def _records(url: str) -> tuple[int, int]:
    """An administrator, a nurse, a signed record with an addendum and a draft."""
    store = open_store(url)
    try:
        admin = users.create_first_admin(store, "admin", "Ada Admin", ADMIN_PASSWORD)
        nurse = users.add_user(
            store,
            admin,
            "nurse",
            "nurse",
            "Nina Nurse",
            NURSE_PASSWORD,
            must_change_password=False,
        )
        signed = checklists.create_from_document(store, nurse, Documents.doc(["L2"]))
        signing.sign(store, nurse, signed, NURSE_PASSWORD, "ready")
        signing.add_addendum(store, nurse, signed, "Levels re-checked on imaging.", NURSE_PASSWORD)
        draft = checklists.create_from_document(store, nurse, Documents.doc(["T12"]))
        return signed, draft
    finally:
        store.close()


def _snapshot(cluster: PostgresCluster, name: str, up_to_seq: int) -> dict[str, Any]:
    rows = {table: cluster.psql(sql, db=name) for table, sql in SNAPSHOT.items()}
    rows["audit_event"] = cluster.psql(
        "SELECT seq, at, username, action, outcome, detail, prev_hash, event_hash "
        "FROM audit_event WHERE seq <= %s ORDER BY seq",
        db=name,
        params=(up_to_seq,),
    )
    return rows


def test_backup_and_restore_into_an_empty_database_keep_every_record_and_both_chains(
    capsys: pytest.CaptureFixture[str],
    server: tuple[PostgresCluster, str],  # noqa: F811
    tmp_path: Path,
) -> None:
    cluster, name = server
    setup(capsys, cluster, name)
    app_url = cluster.url(name, APP)
    _records(app_url)

    # As the workstations' role: pg_dump needs no more than the role was granted.
    dump = tmp_path / "kept" / "copy.dump"
    code, out, err = cli(capsys, "--db", app_url, "backup", "--out", str(dump))
    assert code == 0, err
    assert out == f"Backed up to {dump} (verified).\n"
    assert stat.S_IMODE(dump.stat().st_mode) == 0o600
    assert sorted(p.name for p in dump.parent.iterdir()) == ["copy.dump", "copy.dump.anchor"]
    mark = json.loads((tmp_path / "kept" / "copy.dump.anchor").read_text())
    assert mark["verified_clean"] is True and mark["kind"] == "backup"
    source_head = cluster.psql(
        "SELECT max(seq) FROM audit_event WHERE action <> 'backup'", db=name
    )[0][0]
    assert mark["seq"] == source_head  # the dump's own head (the backup event came after it)
    last = cluster.psql(
        "SELECT action, detail FROM audit_event ORDER BY seq DESC LIMIT 1", db=name
    )[0]
    assert last[0] == "backup" and json.loads(last[1]) == {
        "file": "copy.dump",
        "verified_clean": True,
    }

    # Into a new, empty database, as its owner: the same records, signatures and chain.
    restored = cluster.new_database(owner=OWNER, prefix="vp_restored")
    try:
        owner_url = cluster.url(restored, OWNER)
        code, out, err = cli(
            capsys,
            "--db",
            owner_url,
            "restore",
            str(dump),
            "--user",
            "admin",
            "--password-stdin",
            stdin=ADMIN_PASSWORD + "\n",
        )
        assert code == 0, err
        assert out.splitlines()[0] == (
            f"Restored PostgreSQL {OWNER}@127.0.0.1:{cluster.port}/{restored} from {dump} "
            "(checked and audited)."
        )
        assert "db setup-postgres --app-role NAME" in out
        assert _snapshot(cluster, restored, mark["seq"]) == _snapshot(cluster, name, mark["seq"])
        tail = cluster.psql(
            "SELECT seq, action, username FROM audit_event WHERE seq > %s ORDER BY seq",
            db=restored,
            params=(mark["seq"],),
        )
        assert tail == [(mark["seq"] + 1, "restore", "admin")]
        owners = cluster.psql(
            "SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'", db=restored
        )
        assert owners == [(OWNER,)]
        code, _out, err = cli(capsys, "--db", owner_url, "audit", "verify")
        assert code == 0, err

        # The workstations' role gets its privileges on it, and the database checks healthy.
        setup(capsys, cluster, restored)
        code, out, err = cli(capsys, "--db", cluster.url(restored, APP), "db", "check")
        assert code == 0 and "is healthy" in out, err

        # A database that is not empty is never restored into.
        count = cluster.psql("SELECT count(*) FROM signature", db=restored)
        code, out, err = cli(
            capsys,
            "--db",
            owner_url,
            "restore",
            str(dump),
            "--user",
            "admin",
            "--password-stdin",
            stdin=ADMIN_PASSWORD + "\n",
        )
        assert code == 2 and out == ""
        assert "is not empty" in err and "Nothing was restored" in err
        assert err.count("\n") == 1
        assert cluster.psql("SELECT count(*) FROM signature", db=restored) == count
    finally:
        cluster.drop_database(restored)


def test_a_refused_restore_leaves_the_database_empty(
    capsys: pytest.CaptureFixture[str],
    server: tuple[PostgresCluster, str],  # noqa: F811
    tmp_path: Path,
) -> None:
    cluster, name = server
    setup(capsys, cluster, name)
    _records(cluster.url(name, APP))
    dump = tmp_path / "copy.dump"
    assert cli(capsys, "--db", cluster.url(name, OWNER), "backup", "--out", str(dump))[0] == 0
    empty = cluster.new_database(owner=OWNER, prefix="vp_refused")
    try:
        url = cluster.url(empty, OWNER)
        code, out, err = cli(
            capsys,
            "--db",
            url,
            "restore",
            str(dump),
            "--user",
            "admin",
            "--password-stdin",
            stdin="wrong-password-1\n",
        )
        assert code == 1 and out == "" and "Traceback" not in err
        assert pg_backup.non_empty_reason(PostgresTarget.parse(url)) is None
        # Not a dump at all: pg_restore's refusal in one sentence, nothing restored.
        junk = tmp_path / "junk.dump"
        junk.write_bytes(b"not a dump" * 100)
        code, _out, err = cli(
            capsys,
            "--db",
            url,
            "restore",
            str(junk),
            "--user",
            "admin",
            "--password-stdin",
            stdin=ADMIN_PASSWORD + "\n",
        )
        assert code == 2 and "pg_restore failed" in err and err.count("\n") == 1
        assert pg_backup.non_empty_reason(PostgresTarget.parse(url)) is None
        # Not as the owner: the workstations' role may not create the schema.
        code, out, err = cli(
            capsys,
            "--db",
            cluster.url(empty, APP),
            "restore",
            str(dump),
            "--user",
            "admin",
            "--password-stdin",
            stdin=ADMIN_PASSWORD + "\n",
        )
        assert code == 2 and err == (
            f"The account {APP} may not create tables in the schema public of {empty}; "
            "restore as the database's owner. Nothing was restored.\n"
        )
        # The dump changed after it was made (its anchor says another head): refused, emptied.
        beside = tmp_path / "copy.dump.anchor"
        mark = json.loads(beside.read_text())
        beside.write_text(json.dumps({**mark, "seq": mark["seq"] - 1}) + "\n")
        code, out, err = cli(
            capsys,
            "--db",
            url,
            "restore",
            str(dump),
            "--user",
            "admin",
            "--password-stdin",
            stdin=ADMIN_PASSWORD + "\n",
        )
        assert code == 2 and out == ""
        assert "differs from the anchor written beside it" in err and "not restored" in err
        assert pg_backup.non_empty_reason(PostgresTarget.parse(url)) is None
    finally:
        cluster.drop_database(empty)


def test_the_daily_backup_goes_to_the_backup_folder_and_is_listed(
    capsys: pytest.CaptureFixture[str],
    server: tuple[PostgresCluster, str],  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cluster, name = server
    setup(capsys, cluster, name)
    url = cluster.url(name, APP)
    _records(url)
    # A password typed at the prompt (none in ~/.pgpass): pg_dump gets it in PGPASSWORD.
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "no-pgpass"))
    monkeypatch.delenv("PGPASSWORD", raising=False)
    store = open_store(url, password=APP_PASSWORD)
    try:
        path = backups.run_daily_if_due(store)
        assert path is not None and path.suffix == ".dump"
        assert backups.run_daily_if_due(store) is None  # one a day
        folder = settings.backup_folder(store)
        assert [b.path for b in backups.list_backups(folder)] == [path]
        assert backups.verified_clean(path)
    finally:
        store.close()


def test_without_the_client_tools_backup_says_so_in_one_sentence(
    capsys: pytest.CaptureFixture[str],
    server: tuple[PostgresCluster, str],  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cluster, name = server
    setup(capsys, cluster, name)
    url = cluster.url(name, APP)
    _records(url)
    monkeypatch.setenv("PATH", str(tmp_path / "no-tools"))
    monkeypatch.setattr(pg_backup, "CLIENT_FOLDERS", str(tmp_path / "no-postgresql" / "*" / "bin"))
    out_file = tmp_path / "backups" / "copy.dump"
    code, out, err = cli(capsys, "--db", url, "backup", "--out", str(out_file))
    assert code == 2 and out == ""
    assert err.startswith("The PostgreSQL client tools (pg_dump) are not installed")
    assert err.count("\n") == 1 and "Traceback" not in err
    assert not out_file.parent.exists() or not any(out_file.parent.iterdir())
    events = cluster.psql("SELECT count(*) FROM audit_event WHERE action = 'backup'", db=name)
    assert events == [(0,)]
