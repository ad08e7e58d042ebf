"""The ``vpchecklist`` CLI contracts of issue 3, run as real subprocesses against real files.

Exit codes: 0 ok, 1 a check or sign-off failed or was refused, 2 bad usage/input/storage; every
failure is one plain sentence on stderr and leaves nothing half-written.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from cli_support import (
    PASSWORDS,
    as_user,
    cli_env,
    complete_doc,
    counts,
    make_database,
    one_sentence,
    query,
    run_cli,
    seed,
    write_json,
)

from tests import raw_database
from tests.raw_database import Database
from vpchecklist.demo import DEMO_PASSWORD

LIST_KEYS = {"id", "mrn", "levels", "status", "signed_by", "signed_at"}


def _create(db: Path, doc: dict[str, Any], user: str = "nurse", name: str = "doc.json") -> int:
    path = write_json(db.parent.parent / name, doc)
    result = as_user(db, user, "checklist", "create", "--from", str(path))
    assert result.returncode == 0, result.stderr
    assert re.fullmatch(r"\d+\n", result.stdout), result.stdout
    return int(result.stdout)


def _sign(
    db: Path, checklist_id: int, meaning: str = "ready", *extra: str, user: str = "nurse"
) -> subprocess.CompletedProcess[str]:
    return as_user(db, user, "checklist", "sign", str(checklist_id), "--meaning", meaning, *extra)


def _list(db: Path, *filters: str, user: str = "auditor") -> list[dict[str, Any]]:
    result = as_user(db, user, "list", "--format", "json", *filters)
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert isinstance(rows, list)
    return rows


# --- init and users ------------------------------------------------------------------------


def test_init_creates_database_and_first_admin(new_db: Callable[[str], Database]) -> None:
    db = new_db("fresh")
    result = run_cli(db, "init", "--admin", "boss", "--password-stdin", password="boss-password-1")
    assert result.returncode == 0, result.stderr
    assert "boss" in result.stdout
    assert query(db, 'SELECT username, role FROM "user"') == [("boss", "admin")]
    assert run_cli(db, "db", "check").returncode == 0

    again = run_cli(db, "init", "--admin", "boss2", "--password-stdin", password="boss-password-2")
    assert again.returncode == 2
    assert "already has users" in one_sentence(again.stderr)
    assert query(db, 'SELECT username FROM "user"') == [("boss",)]


def test_init_refuses_a_short_password(new_db: Callable[[str], Database]) -> None:
    db = new_db("fresh")
    result = run_cli(db, "init", "--admin", "boss", "--password-stdin", password="short")
    assert result.returncode == 2
    assert "10 characters" in one_sentence(result.stderr)
    if raw_database.exists(db) and "user" in raw_database.table_names(db):
        assert query(db, 'SELECT count(*) FROM "user"') == [(0,)]


@pytest.mark.slow
def test_users_add_list_disable(new_db: Callable[[str], Database]) -> None:
    db = new_db("fresh")
    boss_pw, nina_pw = "boss-password-1", "nina-password-1"
    assert (
        run_cli(db, "init", "--admin", "boss", "--password-stdin", password=boss_pw).returncode == 0
    )

    added = run_cli(
        db, "users", "add", "nina", "--role", "nurse", "--full-name", "Nina Nowak",
        "--user", "boss", "--password-stdin", password=[boss_pw, nina_pw],
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert "nina" in added.stdout

    # An administrator-set password must be replaced before anything else (exit 1 until then).
    pending = as_user(db, "nina", "list", password=nina_pw)
    assert pending.returncode == 1
    assert "new password" in one_sentence(pending.stderr)
    short = run_cli(db, "passwd", "--user", "nina", "--password-stdin", password=[nina_pw, "short"])
    assert short.returncode == 2 and "10 characters" in one_sentence(short.stderr)
    changed = run_cli(
        db, "passwd", "--user", "nina", "--password-stdin", password=[nina_pw, "nina-password-2"]
    )
    assert changed.returncode == 0, changed.stderr
    assert as_user(db, "nina", "list", password=nina_pw).returncode == 1, "old password is gone"
    nina_pw = "nina-password-2"

    listed = as_user(db, "boss", "users", "list", "--format", "json", password=boss_pw)
    assert listed.returncode == 0, listed.stderr
    by_name = {u["username"]: u for u in json.loads(listed.stdout)}
    assert by_name["nina"]["role"] == "nurse"
    assert by_name["nina"]["full_name"] == "Nina Nowak"
    assert by_name["nina"]["active"] is True

    refused = as_user(
        db, "nina", "users", "add", "eve", "--role", "admin", "--full-name", "Eve",
        password=[nina_pw, "eve-password-1"],
    )  # fmt: skip
    assert refused.returncode == 1
    assert "cannot manage users" in one_sentence(refused.stderr)
    assert query(db, "SELECT count(*) FROM \"user\" WHERE username = 'eve'") == [(0,)]

    disabled = as_user(db, "boss", "users", "disable", "nina", password=boss_pw)
    assert disabled.returncode == 0, disabled.stderr
    listed = as_user(db, "boss", "users", "list", "--format", "json", password=boss_pw)
    assert {u["username"]: u["active"] for u in json.loads(listed.stdout)}["nina"] is False

    blocked = as_user(db, "nina", "list", password=nina_pw)
    assert blocked.returncode == 1
    assert "disabled" in one_sentence(blocked.stderr)


# --- evaluate ------------------------------------------------------------------------------


def test_evaluate_contract(tmp_path: Path) -> None:
    doc = complete_doc()
    doc["levels"] = ["T12", "L1"]
    doc["answers"]["clothing.attire"] = "gown"
    doc["answers"]["positioning.pillow_torso"] = "chest"
    doc["answers"]["history.inr"] = 1.6
    doc["acknowledgements"] = {"history.inr": {"reason": "ok", "physician_informed": "Dr X"}}
    result = run_cli(
        tmp_path / "unused.sqlite", "evaluate", str(write_json(tmp_path / "a.json", doc))
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert {"regions", "requirements", "warnings", "stops", "errors", "missing",
            "ready_to_sign"} <= set(out)  # fmt: skip
    assert out["regions"] == ["thoracic", "lumbar"]
    assert out["requirements"] == {"clothing.attire": "gown", "positioning.pillow_torso": "chest"}
    assert [w["item"] for w in out["warnings"]] == ["history.inr"]
    assert set(out["warnings"][0]) >= {"item", "message"}
    assert out["stops"] == [] and out["errors"] == [] and out["missing"] == []
    assert out["ready_to_sign"] is True
    assert not (tmp_path / "unused.sqlite").exists()  # evaluate stores nothing


def test_evaluate_lists_missing_stops_and_sacral_requirements(tmp_path: Path) -> None:
    doc = complete_doc(consent__signed="no")
    doc["levels"] = ["L5", "S1"]
    del doc["answers"]["timeout.performed"]
    result = run_cli(tmp_path / "x.sqlite", "evaluate", str(write_json(tmp_path / "a.json", doc)))
    assert result.returncode == 1
    out = json.loads(result.stdout)
    assert out["regions"] == ["lumbar", "sacral"]
    assert out["requirements"]["positioning.pillow_torso"] == "abdomen"
    assert [s["item"] for s in out["stops"]] == ["consent.signed"]
    assert out["missing"] == ["timeout.performed"]
    assert out["ready_to_sign"] is False


@pytest.mark.parametrize("content", ["[1, 2]", '"text"', "42", "null"])
def test_evaluate_refuses_a_file_that_is_not_an_object(tmp_path: Path, content: str) -> None:
    path = tmp_path / "x.json"
    path.write_text(content, encoding="utf-8")
    result = run_cli(tmp_path / "x.sqlite", "evaluate", str(path))
    assert result.returncode == 2
    assert "JSON object" in one_sentence(result.stderr)
    assert result.stdout == ""


# --- checklist create / sign / show, list -------------------------------------------------


def test_checklist_create_prints_the_id_and_stores_a_draft(cli_db: Path) -> None:
    doc = complete_doc(history__inr=1.6)
    del doc["answers"]["timeout.performed"]  # missing items and warnings are fine in a draft
    cid = _create(cli_db, doc)
    assert query(cli_db, "SELECT status, mrn FROM checklist WHERE id = ?", cid) == [
        ("draft", "MRN-0001")
    ]
    assert counts(cli_db)["answer"] == len(doc["answers"])
    second = _create(cli_db, complete_doc(mrn="MRN-0002"))
    assert second != cid


def test_checklist_create_with_errors_exits_2_and_writes_nothing(cli_db: Path) -> None:
    before = counts(cli_db)
    doc = complete_doc(sedation__baseline_spo2=101, history__inr="abc")
    path = write_json(cli_db.parent / "bad.json", doc)
    result = as_user(cli_db, "nurse", "checklist", "create", "--from", str(path))
    assert result.returncode == 2
    one_sentence(result.stderr)
    assert result.stdout == ""
    assert counts(cli_db) == before


def test_checklist_sign_lists_blockers_then_signs_when_complete(cli_db: Path) -> None:
    doc = complete_doc(consent__signed="no", history__platelets=40)
    del doc["answers"]["timeout.performed"]
    (cid,) = seed(cli_db, doc)
    before = counts(cli_db)
    refused = _sign(cli_db, cid)
    assert refused.returncode == 1
    assert "Traceback" not in refused.stderr
    assert "missing: timeout.performed" in refused.stderr
    assert "hard stop on consent.signed" in refused.stderr
    assert "warning not acknowledged on history.platelets" in refused.stderr
    assert counts(cli_db) == before
    assert query(cli_db, "SELECT status FROM checklist WHERE id = ?", cid) == [("draft",)]

    (ready,) = seed(cli_db, complete_doc(mrn="MRN-READY"))
    signed = _sign(cli_db, ready)
    assert signed.returncode == 0, signed.stderr
    digest = re.search(r"\b[0-9a-f]{64}\b", signed.stdout)
    assert digest, signed.stdout
    assert query(cli_db, "SELECT status FROM checklist WHERE id = ?", ready) == [("signed",)]
    assert query(cli_db, "SELECT record_hash FROM signature WHERE checklist_id = ?", ready) == [
        (digest.group(0),)
    ]


def test_checklist_sign_postponed_needs_a_reason(cli_db: Path) -> None:
    (cid,) = seed(cli_db, complete_doc(consent__signed="no"))
    no_reason = _sign(cli_db, cid, "postponed", user="physician")
    assert no_reason.returncode == 2
    assert "reason" in one_sentence(no_reason.stderr)
    assert counts(cli_db)["signature"] == 0
    done = _sign(
        cli_db, cid, "postponed", "--reason", "consent missing; rebooked", user="physician"
    )
    assert done.returncode == 0, done.stderr
    assert query(cli_db, "SELECT status FROM checklist WHERE id = ?", cid) == [("postponed",)]
    assert query(cli_db, "SELECT meaning, reason FROM signature") == [
        ("postponed", "consent missing; rebooked")
    ]


def test_list_json_with_filters(cli_db: Path) -> None:
    (a,) = seed(cli_db, complete_doc(mrn="MRN-A"), sign="ready")
    (b,) = seed(cli_db, complete_doc(mrn="MRN-B"))
    (c,) = seed(
        cli_db,
        complete_doc(mrn="MRN-A", consent__signed="no"),
        sign="postponed",
        reason="no consent",
    )

    rows = _list(cli_db)
    assert {r["id"] for r in rows} == {a, b, c}
    for row in rows:
        assert set(row) >= LIST_KEYS, row
        assert row["levels"] == ["L2"]
    by_id = {r["id"]: r for r in rows}
    assert by_id[a]["status"] == "signed"
    assert by_id[a]["signed_by"] == "Nina Nurse"
    assert by_id[a]["signed_at"]
    assert by_id[b]["status"] == "draft"
    assert by_id[b]["signed_by"] is None and by_id[b]["signed_at"] is None

    assert [r["id"] for r in _list(cli_db, "--status", "signed")] == [a]
    assert [r["id"] for r in _list(cli_db, "--status", "postponed", user="nurse")] == [c]
    assert {r["id"] for r in _list(cli_db, "--mrn", "MRN-A")} == {a, c}
    assert [r["id"] for r in _list(cli_db, "--mrn", "MRN-A", "--status", "signed")] == [a]


def test_checklist_show_json(cli_db: Path) -> None:
    doc = complete_doc(history__inr=1.6)
    doc["acknowledgements"] = {"history.inr": {"reason": "IR agrees", "physician_informed": "Dr X"}}
    (cid,) = seed(cli_db, doc, sign="ready")
    result = as_user(cli_db, "auditor", "checklist", "show", str(cid), "--format", "json")
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert {"header", "answers", "acknowledgements", "signatures", "record_hash"} <= set(shown)
    assert shown["header"]["patient"]["mrn"] == "MRN-0001"
    assert shown["header"]["levels"] == ["L2"]
    assert set(shown["answers"]) == set(doc["answers"])
    assert shown["answers"]["history.inr"]["value"] == 1.6
    assert shown["acknowledgements"]["history.inr"]["reason"] == "IR agrees"
    assert shown["acknowledgements"]["history.inr"]["physician_informed"] == "Dr X"
    assert [s["meaning"] for s in shown["signatures"]] == ["ready"]
    assert query(cli_db, "SELECT record_hash FROM signature WHERE checklist_id = ?", cid) == [
        (shown["record_hash"],)
    ]


# --- demo ------------------------------------------------------------------------------------


def test_demo_prints_one_id_per_signed_checklist(new_db: Callable[[str], Database]) -> None:
    db = new_db("demo")
    result = run_cli(db, "demo", "--count", "6", "--seed", "3")
    assert result.returncode == 0, result.stderr
    ids = [int(line) for line in result.stdout.splitlines()]
    assert len(ids) == 6 and len(set(ids)) == 6
    rows = {r["id"]: r for r in _list_as_demo_auditor(db)}
    assert set(rows) == set(ids)
    assert {rows[i]["status"] for i in ids} <= {"signed", "postponed"}
    # A demo database takes more demo data.
    more = run_cli(db, "demo", "--count", "2", "--seed", "4")
    assert more.returncode == 0, more.stderr
    assert len(set(map(int, more.stdout.split())) - set(ids)) == 2
    assert run_cli(db, "audit", "verify").returncode == 0


def _list_as_demo_auditor(db: Path) -> list[dict[str, Any]]:
    result = as_user(db, "demo.auditor", "list", "--format", "json", password=DEMO_PASSWORD)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_demo_is_refused_on_a_database_with_real_checklists(cli_db: Path) -> None:
    seed(cli_db, complete_doc())
    before = counts(cli_db)
    users_before = query(cli_db, 'SELECT count(*) FROM "user"')
    result = run_cli(cli_db, "demo", "--count", "3")
    assert result.returncode == 1  # refused (issue 12: demo is demo only)
    assert "not created as a demo database" in one_sentence(result.stderr)
    assert result.stdout == ""
    assert counts(cli_db) == before
    assert query(cli_db, 'SELECT count(*) FROM "user"') == users_before


def test_demo_is_refused_on_a_database_with_users_but_no_checklists(cli_db: Path) -> None:
    """Issue 12 finding 1 (reverses issue 3's 'users alone do not count'): on a production
    database with users but no checklists, demo would add demo.admin with a published password."""
    users_before = query(cli_db, 'SELECT username FROM "user" ORDER BY username')
    result = run_cli(cli_db, "demo", "--count", "2", "--seed", "1")
    assert result.returncode == 1
    assert "not created as a demo database" in one_sentence(result.stderr)
    assert query(cli_db, 'SELECT username FROM "user" ORDER BY username') == users_before


# --- audit, db check, backup, restore --------------------------------------------------------


def test_audit_verify_and_log(cli_db: Path) -> None:
    (cid,) = seed(cli_db, complete_doc(), sign="ready")
    verify = run_cli(cli_db, "audit", "verify")
    assert verify.returncode == 0, verify.stderr
    assert verify.stderr == ""

    log = as_user(cli_db, "auditor", "audit", "log", "--format", "json")
    assert log.returncode == 0, log.stderr
    events = json.loads(log.stdout)
    actions = [(e["user"], e["action"], e["checklist_id"]) for e in events]
    assert ("nurse", "create", cid) in actions
    assert ("nurse", "sign", cid) in actions
    per_record = as_user(
        cli_db, "auditor", "audit", "log", "--checklist", str(cid), "--format", "json"
    )
    assert per_record.returncode == 0
    assert {e["checklist_id"] for e in json.loads(per_record.stdout)} == {cid}
    nurse_log = as_user(cli_db, "nurse", "audit", "log")
    assert nurse_log.returncode == 1
    one_sentence(nurse_log.stderr)


def test_db_check(cli_db: Path) -> None:
    ok = run_cli(cli_db, "db", "check")
    assert ok.returncode == 0, ok.stderr


@pytest.mark.sqlite_only  # a missing or damaged database FILE
def test_db_check_of_a_missing_or_damaged_file(tmp_path: Path) -> None:
    missing = run_cli(tmp_path / "none.sqlite", "db", "check")
    assert missing.returncode == 2
    one_sentence(missing.stderr)
    assert not (tmp_path / "none.sqlite").exists()
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"not a database " * 500)
    damaged = run_cli(junk, "db", "check")
    assert damaged.returncode in (1, 2)
    assert "Traceback" not in damaged.stderr and damaged.stderr.strip()


@pytest.mark.sqlite_only  # the backup is an SQLite file; the replaced file is kept beside
def test_backup_and_restore_keep_the_replaced_file(cli_db: Path, tmp_path: Path) -> None:
    (first,) = seed(cli_db, complete_doc(mrn="MRN-FIRST"), sign="ready")
    out = tmp_path / "backups" / "copy.sqlite"
    backup = run_cli(cli_db, "backup", "--out", str(out))
    assert backup.returncode == 0, backup.stderr
    assert out.is_file()
    assert query(out, "PRAGMA integrity_check") == [("ok",)]
    assert query(out, "SELECT id FROM checklist") == [(first,)]

    (later,) = seed(cli_db, complete_doc(mrn="MRN-LATER"))
    restore = as_user(cli_db, "admin", "restore", str(out))
    assert restore.returncode == 0, restore.stderr
    assert query(cli_db, "SELECT id FROM checklist") == [(first,)]
    kept = [p for p in cli_db.parent.iterdir() if "replaced" in p.name and p.suffix == ".sqlite"]
    assert len(kept) == 1, list(cli_db.parent.iterdir())
    assert str(kept[0].name) in restore.stdout
    assert sorted(query(kept[0], "SELECT id FROM checklist")) == [(first,), (later,)]
    assert run_cli(cli_db, "db", "check").returncode == 0
    assert run_cli(cli_db, "audit", "verify").returncode == 0


@pytest.mark.sqlite_only  # restores an SQLite backup file over the database file
def test_restore_refuses_a_bad_file_and_keeps_the_database(cli_db: Path, tmp_path: Path) -> None:
    seed(cli_db, complete_doc())
    before = counts(cli_db)
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"garbage " * 1000)
    result = as_user(cli_db, "admin", "restore", str(junk))
    assert result.returncode == 2
    one_sentence(result.stderr)
    assert counts(cli_db) == before
    assert not [p for p in cli_db.parent.iterdir() if "replaced" in p.name]


# --- bad input: one sentence, the right exit code, nothing partly written -------------------


def test_malformed_json(cli_db: Path) -> None:
    path = cli_db.parent / "broken.json"
    path.write_text('{"patient": {"name": "Jane"', encoding="utf-8")
    before = counts(cli_db)
    evaluated = run_cli(cli_db, "evaluate", str(path))
    assert evaluated.returncode == 2
    assert "not valid JSON" in one_sentence(evaluated.stderr)
    created = as_user(cli_db, "nurse", "checklist", "create", "--from", str(path))
    assert created.returncode == 2
    assert "not valid JSON" in one_sentence(created.stderr)
    assert counts(cli_db) == before


BAD_DOCUMENTS = {
    "unknown item id": ("no.such_item", lambda d: d["answers"].update({"no.such_item": "yes"})),
    "abc for INR": ("history.inr", lambda d: d["answers"].update({"history.inr": "abc"})),
    "SpO2 101": (
        "sedation.baseline_spo2",
        lambda d: d["answers"].update({"sedation.baseline_spo2": 101}),
    ),
    "level C5": ("levels", lambda d: d.update({"levels": ["C5"]})),
    "N/A without reason": (
        "identity.site_marked",
        lambda d: d["answers"].update({"identity.site_marked": {"na": ""}}),
    ),
    "N/A with blank reason": (
        "history.inr",
        lambda d: d["answers"].update({"history.inr": {"na": "   "}}),
    ),
}


@pytest.mark.parametrize("case", list(BAD_DOCUMENTS))
def test_bad_document(cli_db: Path, case: str) -> None:
    item, spoil = BAD_DOCUMENTS[case]
    doc = complete_doc()
    spoil(doc)
    path = write_json(cli_db.parent / "bad.json", doc)

    evaluated = run_cli(cli_db, "evaluate", str(path))
    assert evaluated.returncode == 2
    assert item in one_sentence(evaluated.stderr)
    assert [e["item"] for e in json.loads(evaluated.stdout)["errors"]] == [item]

    before = counts(cli_db)
    created = as_user(cli_db, "nurse", "checklist", "create", "--from", str(path))
    assert created.returncode == 2
    assert item in one_sentence(created.stderr)
    assert created.stdout == ""
    assert counts(cli_db) == before


def test_wrong_password(cli_db: Path) -> None:
    path = write_json(cli_db.parent / "doc.json", complete_doc())
    before = counts(cli_db)
    result = as_user(
        cli_db, "nurse", "checklist", "create", "--from", str(path), password="wrong-password-9"
    )
    assert result.returncode == 1
    assert "Wrong username or password" in one_sentence(result.stderr)
    assert result.stdout == ""
    assert counts(cli_db) == before
    assert query(cli_db, "SELECT failed_attempts FROM \"user\" WHERE username = 'nurse'") == [(1,)]


def test_wrong_password_at_signing(cli_db: Path) -> None:
    (cid,) = seed(cli_db, complete_doc())
    before = counts(cli_db)
    result = as_user(
        cli_db, "nurse", "checklist", "sign", str(cid), "--meaning", "ready",
        password="wrong-password-9",
    )  # fmt: skip
    assert result.returncode == 1
    one_sentence(result.stderr)
    assert counts(cli_db) == before


def test_locked_account(cli_db: Path) -> None:
    path = write_json(cli_db.parent / "doc.json", complete_doc())
    # Four failures already counted; the fifth, through the CLI, locks the account.
    raw_database.execute(
        cli_db, """UPDATE "user" SET failed_attempts = 4 WHERE username = 'nurse'"""
    )
    failed = as_user(cli_db, "nurse", "list", password="wrong-password-9")
    assert failed.returncode == 1
    assert query(
        cli_db, "SELECT locked_until IS NOT NULL FROM \"user\" WHERE username = 'nurse'"
    ) == [(1,)]
    before = counts(cli_db)
    result = as_user(cli_db, "nurse", "checklist", "create", "--from", str(path))
    assert result.returncode == 1
    assert "locked" in one_sentence(result.stderr)
    assert result.stdout == ""
    assert counts(cli_db) == before
    events = query(cli_db, "SELECT count(*) FROM audit_event WHERE action = 'lockout'")
    assert events == [(1,)]


HOLD_LOCK = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
sys.stdin.read()
conn.execute("ROLLBACK")
"""


@pytest.fixture
def locker(cli_db: Path) -> Iterator[subprocess.Popen[str]]:
    """Another process holding the database's write lock until the test ends."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(cli_db)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
    yield proc
    proc.communicate("", timeout=10)


@pytest.mark.sqlite_only  # SQLite's whole-file write lock (BEGIN EXCLUSIVE) and busy timeout
def test_database_locked_by_another_process(cli_db: Path, locker: subprocess.Popen[str]) -> None:
    path = write_json(cli_db.parent / "doc.json", complete_doc())
    conn = sqlite3.connect(cli_db)
    before = counts(cli_db)
    events_before = conn.execute("SELECT count(*) FROM audit_event").fetchone()
    conn.close()
    result = as_user(
        cli_db, "nurse", "checklist", "create", "--from", str(path),
        env=cli_env(VPCHECKLIST_BUSY_TIMEOUT="1"), timeout=30,
    )  # fmt: skip
    assert result.returncode == 2
    assert re.search(r"busy|locked", one_sentence(result.stderr))
    assert result.stdout == ""
    locker.communicate("", timeout=10)
    assert counts(cli_db) == before
    conn = sqlite3.connect(cli_db)
    assert conn.execute("SELECT count(*) FROM audit_event").fetchone() == events_before
    conn.close()


# --- read-only database directory ------------------------------------------------------------

NOBODY = 65534


def _drop_privileges_prefix() -> list[str]:
    """As root, file modes do not stop writes: run the CLI as ``nobody`` instead."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv:
        return [setpriv, f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", "--"]
    runuser = shutil.which("runuser")
    if runuser:
        return [runuser, "-u", "nobody", "--"]
    pytest.fail("running as root without setpriv or runuser: cannot test a read-only folder")


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """A folder outside pytest's private temp dir, reachable by ``nobody`` when root."""
    base = Path(tempfile.mkdtemp(prefix="vpchecklist-ro-"))
    base.chmod(0o755)
    try:
        yield base
    finally:
        for folder in base.rglob("*"):
            if folder.is_dir():
                folder.chmod(0o700)
        shutil.rmtree(base, ignore_errors=True)


def _give_away(*paths: Path) -> None:
    if os.geteuid() == 0:
        for path in paths:
            for p in [path, *path.rglob("*")] if path.is_dir() else [path]:
                os.chown(p, NOBODY, NOBODY)


@pytest.mark.sqlite_only  # the database FILE's folder is read-only
def test_read_only_database_directory(shared_dir: Path) -> None:
    folder = shared_dir / "data"
    db = make_database(folder / "vp.sqlite")
    doc = write_json(shared_dir / "doc.json", complete_doc())
    doc.chmod(0o644)
    home = shared_dir / "home"
    home.mkdir()
    _give_away(folder, home)
    before = counts(db)
    files_before = sorted(p.name for p in folder.iterdir())
    folder.chmod(0o500)

    result = run_cli(
        db, "checklist", "create", "--from", str(doc), "--user", "nurse", "--password-stdin",
        password=PASSWORDS["nurse"], prefix=_drop_privileges_prefix(),
        env=cli_env(VPCHECKLIST_HOME=str(home)), cwd=shared_dir,
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    sentence = one_sentence(result.stderr)
    assert "read-only" in sentence
    assert result.stdout == ""
    assert sorted(p.name for p in folder.iterdir()) == files_before
    folder.chmod(0o700)
    assert counts(db) == before


@pytest.mark.sqlite_only  # creating the database FILE in a read-only folder
def test_init_in_a_read_only_directory(shared_dir: Path) -> None:
    folder = shared_dir / "data"
    folder.mkdir()
    home = shared_dir / "home"
    home.mkdir()
    _give_away(folder, home)
    folder.chmod(0o500)
    result = run_cli(
        folder / "vp.sqlite", "init", "--admin", "boss", "--password-stdin",
        password="boss-password-1", prefix=_drop_privileges_prefix(),
        env=cli_env(VPCHECKLIST_HOME=str(home)), cwd=shared_dir,
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert "read-only" in one_sentence(result.stderr)
    assert list(folder.iterdir()) == []


def test_bad_usage_is_one_sentence(tmp_path: Path) -> None:
    db = tmp_path / "x.sqlite"
    for args in (
        ["checklist", "sign", "1", "--meaning", "maybe", "--user", "u"],
        ["nonsense"],
        ["list"],
        ["checklist", "show", "abc", "--user", "u"],
    ):
        result = run_cli(db, *args)
        assert result.returncode == 2, args
        one_sentence(result.stderr)
    assert not db.exists()
