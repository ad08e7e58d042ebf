"""Issue 12, as an attacker with the code and write access to the workstation's files: each
finding is reproduced and must now fail or be detected.

Findings 1 (demo backdoor), 3 (restore under a running app), 4 (users/settings outside the
services), 6 (backups pruning the last good one), 7 (restore without checks), 10 (writing into
a foreign file); and, with the triggers dropped: a deleted tail addendum, a forged newest
signature with a duplicate event, edited signer/time/warning-count columns, a full chain
re-hash, a truncated tail with its events and a damaged WAL tail — the last three through the
external anchor.
"""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from reliability_support import (
    PASSWORDS,
    PYTHON,
    assert_clean_stderr,
    cli,
    create_signed,
    seed_users,
)

from tests import raw_database
from tests.conftest import DatabaseMaker
from tests.raw_database import Database
from vpchecklist.canonical import chain_hash, event_text
from vpchecklist.services import backups, signing
from vpchecklist.services.auth import authenticate
from vpchecklist.store import events as event_chain
from vpchecklist.store import open_store

ADMIN_STDIN = PASSWORDS["admin"] + "\n"


def _sha(path: Database) -> str:
    return raw_database.fingerprint(path)


def _edit(db: Database, *statements: tuple[str, tuple[Any, ...]], drop: bool = True) -> None:
    """Edit past the product: with the triggers out of the way (``drop``), or as is."""
    if drop:
        raw_database.tamper(db, *statements)
    else:
        for sql, params in statements:
            raw_database.execute(db, sql, *params)


def _verify(db: Path) -> Any:
    result = cli(db, "audit", "verify")
    assert_clean_stderr(result.stderr)
    return result


@pytest.fixture
def site(tmp_path: Path, new_db: Callable[[str], Database]) -> dict[str, Any]:
    """A production database: users of every role, three signed records (one with an
    addendum, the newest), and one draft; closed afterwards."""
    db = new_db("data")
    store = open_store(db)
    people = seed_users(store, ["nurse", "physician", "auditor"])
    nurse, pw = people["nurse"], PASSWORDS["nurse"]
    first = create_signed(store, nurse, pw, 1)
    warning = create_signed(store, nurse, pw, 2, "warning")
    last = create_signed(store, people["physician"], PASSWORDS["physician"], 3)
    signing.add_addendum(
        store, people["physician"], last, "Level re-confirmed.", PASSWORDS["physician"]
    )
    store.close()
    assert _verify(db).returncode == 0
    return {"db": db, "first": first, "warning": warning, "last": last, "tmp": tmp_path}


# --- 1: demo is demo only -----------------------------------------------------------------


def test_demo_on_a_production_database_with_users_is_refused_and_adds_nobody(
    new_db: Callable[[str], Database],
) -> None:
    db = new_db("prod")
    store = open_store(db)
    seed_users(store, ["nurse"])
    store.close()
    before = _sha(db)
    result = cli(db, "demo", "--count", "1")
    assert result.returncode == 1
    assert "not created as a demo database" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    names = raw_database.query(db, 'SELECT username FROM "user" ORDER BY username')
    assert [r[0] for r in names] == ["admin", "nurse"]
    assert _sha(db) == before
    login = cli(db, "list", "--user", "demo.admin", "--password-stdin", stdin="demo-password\n")
    assert login.returncode == 1


def test_two_demo_processes_on_a_new_database_both_succeed(
    new_db: Callable[[str], Database],
) -> None:
    db = new_db("demo")
    command = [PYTHON, "-m", "vpchecklist.cli", "--db", str(db), "demo", "--count", "2"]
    procs = [
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=120) for p in procs]
    for proc, (out, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err
        assert len(out.split()) == 2
    names = [r[0] for r in raw_database.query(db, 'SELECT username FROM "user"')]
    assert len(names) == len(set(names)) == 5
    assert _verify(db).returncode == 0


# --- 3: restore while the app has the database open ------------------------------------------


HOLDER = """
import sys, time
from vpchecklist.store import open_store
store = open_store(sys.argv[1], create=False)
print("open", flush=True)
time.sleep(float(sys.argv[2]))
store.close()
"""


@pytest.mark.sqlite_only  # restores an SQLite backup file over the database file
def test_restore_is_refused_while_another_process_has_the_database_open(
    site: dict[str, Any],
) -> None:
    db = site["db"]
    backup = site["tmp"] / "b.sqlite"
    assert cli(db, "backup", "--out", str(backup)).returncode == 0
    holder = subprocess.Popen(
        [PYTHON, "-c", HOLDER, str(db), "30"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        before = _sha(db)
        result = cli(db, "restore", str(backup), "--user", "admin", "--password-stdin",
                     stdin=ADMIN_STDIN)  # fmt: skip
        assert result.returncode == 2, result
        assert "is open in VP Checklist or another program" in result.stderr
        assert _sha(db) == before
        assert not [p for p in db.parent.iterdir() if "replaced" in p.name]
    finally:
        holder.kill()
        holder.wait()


# --- 4: users and settings change only through audited services ---------------------------


def test_plain_sql_cannot_promote_a_user_or_change_a_setting(site: dict[str, Any]) -> None:
    upsert = (
        "INSERT INTO setting (key, value) VALUES ('backup_folder', '/tmp/evil') "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value"
        if raw_database.is_postgres(site["db"])
        else "INSERT OR REPLACE INTO setting (key, value) VALUES ('backup_folder', '/tmp/evil')"
    )
    for sql in (
        "UPDATE \"user\" SET role = 'admin' WHERE username = 'nurse'",
        'UPDATE "user" SET password_hash = (SELECT password_hash FROM "user" WHERE username = '
        "'admin') WHERE username = 'nurse'",
        'INSERT INTO "user" (username, full_name, role, password_hash, active, '
        "must_change_password, failed_attempts, created_at) VALUES ('evil', 'Evil', 'admin', "
        "'x', TRUE, FALSE, 0, '2026-01-01T00:00:00.000000Z')",
        "DELETE FROM \"user\" WHERE username = 'auditor'",
        upsert,
    ):
        with pytest.raises(raw_database.errors(), match="audited service"):
            raw_database.execute(site["db"], sql)


@pytest.mark.parametrize(
    ("statement", "named"),
    [
        ("UPDATE \"user\" SET role = 'admin' WHERE username = 'nurse'", "nurse"),
        (
            'UPDATE "user" SET password_hash = (SELECT password_hash FROM "user" WHERE username = '
            "'admin') WHERE username = 'auditor'",
            "auditor",
        ),
        (
            'INSERT INTO "user" (username, full_name, role, password_hash, active, '
            "must_change_password, failed_attempts, created_at) SELECT 'evil', 'Evil', 'admin', "
            "password_hash, TRUE, FALSE, 0, created_at FROM \"user\" WHERE username = 'admin'",
            "evil",
        ),
        (
            "UPDATE \"user\" SET active = TRUE, full_name = 'X' WHERE username = 'physician'",
            "physician",
        ),
    ],
)
def test_user_edits_with_triggers_dropped_are_named_by_audit_verify(
    site: dict[str, Any], statement: str, named: str
) -> None:
    _edit(site["db"], (statement, ()))
    result = _verify(site["db"])
    assert result.returncode == 1
    assert f"user {named}" in result.stderr
    assert f"Tampering detected in user account(s): {named}." in result.stderr


def test_a_setting_edited_with_triggers_dropped_is_detected(site: dict[str, Any]) -> None:
    _edit(site["db"], ("INSERT INTO setting (key, value) VALUES ('anchor_folder', '/tmp')", ()))
    result = _verify(site["db"])
    assert result.returncode == 1
    assert "setting anchor_folder was changed outside the application" in result.stderr


def test_db_check_names_a_missing_trigger(site: dict[str, Any]) -> None:
    on_table = ' ON "user"' if raw_database.is_postgres(site["db"]) else ""
    _edit(site["db"], (f"DROP TRIGGER user_audited_update{on_table}", ()), drop=False)
    result = cli(site["db"], "db", "check")
    assert result.returncode == 1
    assert "user_audited_update is missing" in result.stderr


# --- 6: backups after a tamper never prune the last good one ----------------------------


@pytest.mark.sqlite_only  # backups are SQLite files in a folder beside the database file
def test_fourteen_backups_after_a_tamper_keep_the_last_clean_one(site: dict[str, Any]) -> None:
    db, folder = site["db"], site["db"].parent / "backups"
    assert cli(db, "backup").returncode == 0
    (good,) = [b.path for b in backups.list_backups(folder)]
    assert backups.verified_clean(good)
    _edit(db, ("UPDATE answer SET value = '\"no\"' WHERE checklist_id = ?", (site["first"],)))
    for _ in range(14):
        time.sleep(1.01)  # a new file name each second
        assert cli(db, "backup").returncode == 0
    kept = [b.path for b in backups.list_backups(folder)]
    assert good in kept
    assert not backups.verified_clean(kept[0])
    assert len(kept) == 2  # the newest of today, and the newest that verified clean


# --- 7: restore checks what it restores ------------------------------------------------------


def _restore(db: Path, backup: Path, *extra: str, password: str = ADMIN_STDIN) -> Any:
    result = cli(db, "restore", str(backup), *extra, "--password-stdin", stdin=password)
    assert_clean_stderr(result.stderr)
    return result


@pytest.mark.sqlite_only  # restores an SQLite backup file over the database file
def test_restore_needs_an_administrator(site: dict[str, Any]) -> None:
    db, backup = site["db"], site["tmp"] / "b.sqlite"
    assert cli(db, "backup", "--out", str(backup)).returncode == 0
    assert _restore(db, backup).returncode == 2  # no --user: bad usage
    nurse = _restore(db, backup, "--user", "nurse", password=PASSWORDS["nurse"] + "\n")
    assert nurse.returncode == 1 and "cannot restore" in nurse.stderr
    wrong = _restore(db, backup, "--user", "admin", password="wrong-password-1\n")
    assert wrong.returncode == 1
    assert not [p for p in db.parent.iterdir() if "replaced" in p.name]
    conn = sqlite3.connect(db)
    refused = conn.execute(
        "SELECT username, outcome FROM audit_event WHERE action = 'restore' ORDER BY seq"
    ).fetchall()
    conn.close()
    assert refused == [("nurse", "refused"), ("admin", "failed")]
    assert _verify(db).returncode == 0


@pytest.mark.sqlite_only  # the backup file is the database file itself
def test_restore_onto_its_own_path_is_refused_and_leaves_the_database(
    site: dict[str, Any],
) -> None:
    db = site["db"]
    before = _sha(db)
    result = _restore(db, db, "--user", "admin")
    assert result.returncode == 2 and "is the database itself" in result.stderr
    assert _sha(db) == before and db.stat().st_size > 0
    assert cli(db, "db", "check").returncode == 0


@pytest.mark.sqlite_only  # tampers with an SQLite backup file
def test_a_tampered_backup_is_not_restored(site: dict[str, Any]) -> None:
    db, backup = site["db"], site["tmp"] / "b.sqlite"
    assert cli(db, "backup", "--out", str(backup)).returncode == 0
    _edit(backup, ("UPDATE \"user\" SET role = 'admin' WHERE username = 'nurse'", ()))
    result = _restore(db, backup, "--user", "admin")
    assert result.returncode == 2
    assert "fails its check and was not restored" in result.stderr
    assert "user nurse" in result.stderr
    assert not [p for p in db.parent.iterdir() if "replaced" in p.name or "restoring" in p.name]
    conn = sqlite3.connect(db)
    last = conn.execute(
        "SELECT action, username, outcome FROM audit_event ORDER BY seq DESC LIMIT 1"
    ).fetchone()
    role = conn.execute("SELECT role FROM \"user\" WHERE username = 'nurse'").fetchone()
    conn.close()
    assert last == ("restore", "admin", "refused") and role == ("nurse",)
    assert _verify(db).returncode == 0


@pytest.mark.sqlite_only  # restores another site's SQLite file
def test_another_sites_database_needs_an_explicit_flag(site: dict[str, Any]) -> None:
    other = site["tmp"] / "other" / "vp.sqlite"
    store = open_store(other)
    seed_users(store, ["nurse"])
    store.close()
    result = _restore(site["db"], other, "--user", "admin")
    assert result.returncode == 2 and "comes from another database" in result.stderr
    accepted = _restore(site["db"], other, "--user", "admin", "--other-site")
    assert accepted.returncode == 0, accepted.stderr


@pytest.mark.sqlite_only  # drops a trigger inside an SQLite backup file
def test_restore_recreates_missing_triggers_and_is_audited_in_the_restored_database(
    site: dict[str, Any],
) -> None:
    db, backup = site["db"], site["tmp"] / "b.sqlite"
    assert cli(db, "backup", "--out", str(backup)).returncode == 0
    _edit(backup, ("DROP TRIGGER checklist_frozen_update", ()), drop=False)
    result = _restore(db, backup, "--user", "admin")
    assert result.returncode == 0, result.stderr
    assert "checklist_frozen_update" in result.stdout
    kept = re.search(r"kept as (\S+)\.$", result.stdout.strip())
    assert kept and Path(kept.group(1)).is_file()
    assert cli(db, "db", "check").returncode == 0
    assert _verify(db).returncode == 0
    conn = sqlite3.connect(db)
    action, user, detail = conn.execute(
        "SELECT action, username, detail FROM audit_event ORDER BY seq DESC LIMIT 1"
    ).fetchone()
    conn.close()
    assert (action, user) == ("restore", "admin")
    assert json.loads(detail)["file"] == backup.name


# --- 10: a foreign file is refused without a byte changed -------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("audit", "verify"),
        ("db", "check"),
        ("backup",),
        ("demo", "--count", "1"),
        ("list", "--user", "admin", "--password-stdin"),
    ],
)
@pytest.mark.sqlite_only  # a foreign SQLite file
def test_a_foreign_sqlite_file_is_refused_untouched(tmp_path: Path, args: tuple[str, ...]) -> None:
    other = tmp_path / "other-app.sqlite"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
    conn.execute("INSERT INTO notes (text) VALUES ('hello')")
    conn.commit()
    conn.close()
    before = _sha(other)
    result = cli(other, *args, stdin=ADMIN_STDIN)
    assert result.returncode == 2, result
    assert "is not a VP Checklist database" in result.stderr
    assert_clean_stderr(result.stderr)
    assert _sha(other) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home", "other-app.sqlite"] or (
        sorted(p.name for p in tmp_path.iterdir()) == ["other-app.sqlite"]
    )


# --- with the triggers dropped -------------------------------------------------------------


def test_a_deleted_tail_addendum_is_detected(site: dict[str, Any]) -> None:
    last = site["last"]
    _edit(
        site["db"],
        ("DELETE FROM signature WHERE addendum_id IS NOT NULL AND checklist_id = ?", (last,)),
        ("DELETE FROM addendum WHERE checklist_id = ?", (last,)),
    )
    result = _verify(site["db"])
    assert result.returncode == 1
    assert f"checklist {last}" in result.stderr and "missing from the database" in result.stderr


def test_a_deleted_tail_addendum_with_its_events_is_detected_through_the_anchor(
    site: dict[str, Any],
) -> None:
    db, last = site["db"], site["last"]
    ((seq,),) = raw_database.query(db, "SELECT seq FROM audit_event WHERE action = 'addendum'")
    _edit(
        db,
        ("DELETE FROM signature WHERE addendum_id IS NOT NULL AND checklist_id = ?", (last,)),
        ("DELETE FROM addendum WHERE checklist_id = ?", (last,)),
        ("DELETE FROM audit_event WHERE seq >= ?", (seq,)),
    )
    result = _verify(db)
    assert result.returncode == 1
    assert "behind its anchor" in result.stderr
    assert f"Last anchored event: {seq}" in result.stderr


def test_a_forged_newest_signature_with_a_duplicate_event_is_detected(
    site: dict[str, Any],
) -> None:
    db = site["db"]
    with raw_database.tampering(db) as conn:
        conn.execute("DROP INDEX IF EXISTS signature_seq")
        conn.execute("DROP INDEX IF EXISTS audit_event_seq")
        sig = conn.execute(
            "SELECT seq, checklist_id, signer_id, printed_name, role, content, prev_hash, "
            "record_hash, signed_at FROM signature ORDER BY seq DESC LIMIT 1"
        ).fetchone()
        seq, cid, signer, name, role, content, prev_hash, _record, signed_at = sig
        forged = content.replace("Level re-confirmed.", "Procedure cancelled.")
        forged_hash = chain_hash(prev_hash, forged)
        conn.execute(
            "INSERT INTO signature (seq, checklist_id, signer_id, printed_name, role, meaning, "
            "signed_at, content, prev_hash, record_hash) VALUES (?,?,?,?,?,?,?,?,?,?)",
            (seq, cid, signer, name, role, "addendum", signed_at, forged, prev_hash, forged_hash),
        )
        event = conn.execute(
            "SELECT seq, at, username, action, outcome, checklist_id, detail, prev_hash, "
            "event_hash FROM audit_event WHERE action = 'addendum'"
        ).fetchone()
        detail = json.loads(event[6])
        detail["record_hash"] = forged_hash
        conn.execute(
            "INSERT INTO audit_event (seq, at, username, action, outcome, checklist_id, detail, "
            "prev_hash, event_hash) VALUES (?,?,?,?,?,?,?,?,?)",
            (*event[:6], json.dumps(detail, sort_keys=True), event[7], event[8]),
        )
    result = _verify(db)
    assert result.returncode == 1
    assert f"signature number {seq} appears 2 times" in result.stderr
    assert "appears twice" in result.stderr  # the duplicate audit event


@pytest.mark.parametrize(
    ("column", "value"),
    [("signed_by_name", "Dr Somebody Else"), ("signed_at", "2026-01-01T00:00:00.000000Z")],
)
def test_edited_signer_and_time_columns_are_detected(
    site: dict[str, Any], column: str, value: str
) -> None:
    cid = site["first"]
    _edit(site["db"], (f"UPDATE checklist SET {column} = ? WHERE id = ?", (value, cid)))
    result = _verify(site["db"])
    assert result.returncode == 1
    assert f"checklist {cid}: the" in result.stderr
    assert result.stderr.strip().endswith(f"checklist(s): {cid}.")


def test_an_edited_warning_count_is_detected(site: dict[str, Any]) -> None:
    cid = site["warning"]
    _edit(site["db"], ("UPDATE checklist SET warning_count = 0 WHERE id = ?", (cid,)))
    result = _verify(site["db"])
    assert result.returncode == 1
    assert f"checklist {cid}: the warning count" in result.stderr


def _rehash_everything(db: Database, cid: int) -> None:
    """What an attacker with the code does: change a signed answer, then recompute every
    signature's content and hash, the hashes logged in the events, and the whole event chain."""
    with raw_database.tampering(db) as conn:
        conn.execute(
            "UPDATE answer SET value = '\"no\"' WHERE checklist_id = ? "
            "AND item_id = 'consent.risks_explained'",
            (cid,),
        )
        prev = "0" * 64
        renamed: dict[str, str] = {}
        for sid, content, old in conn.execute(
            "SELECT id, content, record_hash FROM signature ORDER BY seq"
        ).fetchall():
            data = json.loads(content)
            if data.get("checklist_id") == cid and data["type"] == "record":
                for answer in data["answers"]:
                    if answer["item"] == "consent.risks_explained":
                        answer["value"] = "no"
            if data["type"] == "addendum":
                data["references"] = renamed.get(data["references"], data["references"])
            text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
            new = chain_hash(prev, text)
            renamed[old] = new
            conn.execute(
                "UPDATE signature SET content = ?, prev_hash = ?, record_hash = ? WHERE id = ?",
                (text, prev, new, sid),
            )
            prev = new
        prev = "0" * 64
        rows = conn.execute(
            "SELECT id, seq, at, username, action, outcome, checklist_id, subject, detail "
            "FROM audit_event ORDER BY seq"
        ).fetchall()
        for eid, seq, at, user, action, outcome, checklist, subject, detail in rows:
            for old, new in renamed.items():
                detail = detail.replace(old, new)
            digest = chain_hash(
                prev, event_text(seq, at, user, action, outcome, checklist, subject, detail)
            )
            conn.execute(
                "UPDATE audit_event SET detail = ?, prev_hash = ?, event_hash = ? WHERE id = ?",
                (detail, prev, digest, eid),
            )
            prev = digest


def test_a_full_chain_rehash_passes_every_internal_check_but_not_the_anchor(
    site: dict[str, Any],
) -> None:
    db, cid = site["db"], site["first"]
    _rehash_everything(db, cid)
    result = _verify(db)
    assert result.returncode == 1
    assert "differs from its anchored hash" in result.stderr
    assert "Last anchored event:" in result.stderr
    # Without the anchor the forgery would be consistent: that is what the anchor is for.
    (site["tmp"] / "home" / "logs").rename(site["tmp"] / "moved-logs")
    assert _verify(db).returncode == 0


def test_tail_truncation_with_its_events_is_detected_through_the_anchor(
    site: dict[str, Any],
) -> None:
    db, last = site["db"], site["last"]
    ((first_seq,),) = raw_database.query(
        db, "SELECT min(seq) FROM audit_event WHERE checklist_id = ?", last
    )
    ((anchored,),) = raw_database.query(db, "SELECT max(seq) FROM audit_event")
    _edit(
        db,
        ("DELETE FROM signature WHERE checklist_id = ?", (last,)),
        ("DELETE FROM addendum WHERE checklist_id = ?", (last,)),
        ("DELETE FROM answer WHERE checklist_id = ?", (last,)),
        ("DELETE FROM answer_history WHERE checklist_id = ?", (last,)),
        ("DELETE FROM acknowledgement WHERE checklist_id = ?", (last,)),
        ("DELETE FROM checklist WHERE id = ?", (last,)),
        ("DELETE FROM audit_event WHERE seq >= ?", (first_seq,)),
    )
    result = _verify(db)
    assert result.returncode == 1
    assert "behind its anchor" in result.stderr
    assert f"Last anchored event: {anchored}" in result.stderr


@pytest.mark.sqlite_only  # cuts the last frame off SQLite's -wal file
def test_a_damaged_wal_tail_is_detected_through_the_anchor(tmp_path: Path) -> None:
    """The last signature's commit is lost from the WAL: the record is silently back to draft
    in the file, but its anchored head says otherwise."""
    db = tmp_path / "data" / "vp.sqlite"
    store = open_store(db)
    people = seed_users(store, ["nurse"])
    create_signed(store, people["nurse"], PASSWORDS["nurse"], 1)
    store.db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    store.db.execute_sql("PRAGMA wal_autocheckpoint = 0")
    create_signed(store, people["nurse"], PASSWORDS["nurse"], 2)
    with store.reading():
        anchored = event_chain.head().seq
    copy = tmp_path / "copy" / "vp.sqlite"
    copy.parent.mkdir()
    shutil.copy(db, copy)
    wal = Path(f"{db}-wal").read_bytes()
    Path(f"{copy}-wal").write_bytes(wal[: len(wal) - 4096 - 24])  # the last frame is gone
    store.close()
    result = _verify(copy)
    assert result.returncode == 1
    assert f"Last anchored event: {anchored}" in result.stderr
    assert "behind its anchor" in result.stderr


# --- the README's promise: an older copy of itself ----------------------------------------


def test_audit_verify_on_an_older_copy_names_the_anchored_event_it_is_missing(
    site: dict[str, Any], databases: DatabaseMaker
) -> None:
    db = site["db"]
    older = databases.copy(db, site["tmp"] / "older")  # closed: no WAL
    store = open_store(db)
    nurse = authenticate(store, "nurse", PASSWORDS["nurse"])
    create_signed(store, nurse, PASSWORDS["nurse"], 9)
    with store.reading():
        anchored = event_chain.head().seq
    store.close()
    databases.replace(db, older)
    databases.drop(older)
    result = _verify(db)
    assert result.returncode == 1
    assert f"Last anchored event: {anchored}" in result.stderr
    assert f"the anchor recorded event {anchored}" in result.stderr
    assert raw_database.table_counts(db, ["signature"])["signature"] > 0


# --- demo databases say so ------------------------------------------------------------------


def test_every_page_and_row_exported_from_a_demo_database_says_demo(
    tmp_path: Path, new_db: Callable[[str], Database]
) -> None:
    from pypdf import PdfReader

    db = new_db("demo")
    made = cli(db, "demo", "--count", "2", "--seed", "5")
    assert made.returncode == 0, made.stderr
    first = made.stdout.split()[0]
    pdf = tmp_path / "one.pdf"
    as_auditor = ("--user", "demo.auditor", "--password-stdin")
    result = cli(db, "export", first, "--out", str(pdf), *as_auditor, stdin="demo-password\n")
    assert result.returncode == 0, result.stderr
    pages = [page.extract_text() for page in PdfReader(pdf).pages]
    assert pages and all("DEMO DATA" in text for text in pages)
    assert all("Audit chain at export: event" in text for text in pages)
    out = tmp_path / "csv"
    result = cli(db, "export", "--status", "signed", "--format", "csv", "--out", str(out),
                 *as_auditor, stdin="demo-password\n")  # fmt: skip
    assert result.returncode == 0, result.stderr
    (sheet,) = out.glob("*.csv")
    import csv

    rows = list(csv.DictReader(sheet.read_text(encoding="utf-8-sig").splitlines()))
    assert rows and {row["demo"] for row in rows} == {"yes"}
