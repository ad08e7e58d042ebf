"""Storage: durable pragmas, private files, schema version and migrations, read-only triggers."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path
from typing import Any

import peewee
import pytest
from argon2 import PasswordHasher

from vpchecklist.errors import StorageError
from vpchecklist.services import Actor, auth, checklists, signing
from vpchecklist.store import Store, open_store, schema
from vpchecklist.store.models import Answer, SchemaVersion

NURSE_PASSWORD = "nurse-password-1"


@pytest.fixture(autouse=True)
def _quick_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cheap argon2id parameters keep these tests quick (test_services checks the real ones)."""
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024))


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _pragma(store: Store, name: str) -> Any:
    return store.db.execute_sql(f"PRAGMA {name}").fetchone()[0]


# --- connection ----------------------------------------------------------------------------


@pytest.mark.sqlite_only  # SQLite PRAGMAs
def test_pragmas_are_durable(store: Store) -> None:
    assert _pragma(store, "journal_mode").lower() == "wal"
    assert _pragma(store, "synchronous") == 2  # FULL
    assert _pragma(store, "foreign_keys") == 1
    assert _pragma(store, "busy_timeout") > 0


def test_foreign_keys_are_enforced(store: Store) -> None:
    with pytest.raises(peewee.IntegrityError):
        store.db.execute_sql(
            "INSERT INTO answer (checklist_id, item_id, value, answered_by_id, answered_at) "
            "VALUES (9999, 'consent.signed', '\"yes\"', 9999, 'now')"
        )


@pytest.mark.sqlite_only  # file and folder modes of the database file
def test_new_database_file_and_folder_are_private(tmp_path: Path) -> None:
    path = tmp_path / "new" / "deeper" / "vp.sqlite"
    s = open_store(path)
    try:
        assert _mode(path) == 0o600
        assert _mode(path.parent) == 0o700
        for suffix in ("-wal", "-shm"):
            extra = Path(str(path) + suffix)
            if extra.exists():
                assert _mode(extra) & 0o077 == 0, extra
    finally:
        s.close()


@pytest.mark.sqlite_only  # a missing database FILE
def test_missing_database_is_not_created_when_create_is_false(tmp_path: Path) -> None:
    path = tmp_path / "nothing.sqlite"
    with pytest.raises(StorageError, match="no database"):
        open_store(path, create=False)
    assert not path.exists()


# --- schema version and migrations -----------------------------------------------------------


def test_schema_version_row_is_written(store: Store) -> None:
    versions = [row.version for row in SchemaVersion.select().order_by(SchemaVersion.version)]
    assert versions == [n for n, _ in schema.MIGRATIONS]
    assert schema.current_version(store.db) == schema.LATEST_VERSION
    assert store.integrity_problems() == []


@pytest.mark.sqlite_only  # pre-migration backup files beside the database file
def test_reopening_a_current_database_takes_no_backup(db_path: Path) -> None:
    open_store(db_path).close()
    open_store(db_path).close()
    assert sorted(p.name for p in db_path.parent.glob("*pre-migration*")) == []


@pytest.mark.sqlite_only  # the pre-migration backup is an SQLite file copy
def test_migrating_an_older_schema_backs_it_up_first(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = open_store(db_path)
    old.db.execute_sql("CREATE TABLE marker (x INTEGER)")
    old.db.execute_sql("INSERT INTO marker VALUES (42)")
    old.close()

    current = schema.LATEST_VERSION
    following = current + 1

    def next_step(db: peewee.Database, _demo: bool, _fresh: bool) -> None:
        db.execute_sql("CREATE TABLE v2_table (id INTEGER PRIMARY KEY, note TEXT)")

    monkeypatch.setattr(schema, "MIGRATIONS", [*schema.MIGRATIONS, (following, next_step)])
    monkeypatch.setattr(schema, "LATEST_VERSION", following)

    migrated = open_store(db_path)
    try:
        assert schema.current_version(migrated.db) == following
        assert migrated.db.table_exists("v2_table")
        assert migrated.integrity_problems() == []
    finally:
        migrated.close()

    backups = list(db_path.parent.glob(f"*pre-migration-v{current}*"))
    backups = [b for b in backups if not b.name.endswith(("-wal", "-shm"))]
    assert len(backups) == 1, backups
    backup = backups[0]
    assert _mode(backup) & 0o077 == 0
    conn = sqlite3.connect(backup)
    try:
        assert conn.execute("SELECT max(version) FROM schema_version").fetchone()[0] == current
        assert conn.execute("SELECT x FROM marker").fetchone()[0] == 42
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        assert "v2_table" not in tables
    finally:
        conn.close()

    # Opening again runs nothing and backs up nothing more.
    open_store(db_path).close()
    again = [b for b in db_path.parent.glob("*pre-migration*") if b.suffix == ".sqlite"]
    assert len(again) == 1


def test_newer_schema_is_refused_with_a_clear_error(db_path: Path) -> None:
    s = open_store(db_path)
    s.db.execute_sql(
        "INSERT INTO schema_version (version, applied_at) VALUES (?, ?)",
        (schema.LATEST_VERSION + 98, "2030-01-01T00:00:00.000000Z"),
    )
    s.close()
    with pytest.raises(StorageError) as caught:
        open_store(db_path)
    message = str(caught.value)
    assert "newer version" in message
    assert str(schema.LATEST_VERSION + 98) in message
    assert "\n" not in message


@pytest.mark.sqlite_only  # a damaged database FILE
def test_damaged_file_is_refused_with_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "junk.sqlite"
    path.write_bytes(b"this is not a database at all" * 200)
    with pytest.raises(StorageError, match="damaged|not a valid"):
        open_store(path)


# --- triggers: signed content is read-only in the file itself ------------------------------


@pytest.fixture
def signed_and_draft(store: Store, actors: dict[str, Actor], vp: Any) -> tuple[int, int]:
    """A signed checklist with an acknowledgement, and a draft with the same content."""
    nurse = actors["nurse"]
    doc = vp.doc(["L2"], history__inr=1.8)
    doc["acknowledgements"] = {
        "history.inr": {"reason": "discussed", "physician_informed": "Dr A. Radiologist"}
    }
    signed = checklists.create_from_document(store, nurse, doc)
    signing.sign(store, nurse, signed, NURSE_PASSWORD, "ready")
    draft = checklists.create_from_document(store, nurse, doc)
    return signed, draft


READ_ONLY_STATEMENTS = [
    "UPDATE answer SET value = '\"no\"' WHERE checklist_id = {id}",
    "DELETE FROM answer WHERE checklist_id = {id}",
    "INSERT INTO answer (checklist_id, item_id, value, answered_by_id, answered_at) "
    "VALUES ({id}, 'x.extra', '\"yes\"', 1, 'now')",
    "UPDATE acknowledgement SET reason = 'changed' WHERE checklist_id = {id}",
    "DELETE FROM acknowledgement WHERE checklist_id = {id}",
    "UPDATE signature SET printed_name = 'Someone Else' WHERE checklist_id = {id}",
    "UPDATE signature SET meaning = 'postponed' WHERE checklist_id = {id}",
    "DELETE FROM signature WHERE checklist_id = {id}",
    "UPDATE checklist SET patient_name = 'Other Patient' WHERE id = {id}",
    "UPDATE checklist SET status = 'draft' WHERE id = {id}",
    "DELETE FROM checklist WHERE id = {id}",
    "UPDATE answer_history SET new_value = '\"no\"' WHERE checklist_id = {id}",
    "DELETE FROM answer_history WHERE checklist_id = {id}",
    "UPDATE audit_event SET outcome = 'ok' WHERE checklist_id = {id}",
    "DELETE FROM audit_event WHERE checklist_id = {id}",
]


@pytest.mark.parametrize("statement", READ_ONLY_STATEMENTS)
def test_triggers_refuse_changes_to_signed_content(
    store: Store, signed_and_draft: tuple[int, int], statement: str
) -> None:
    signed, _ = signed_and_draft
    before = _snapshot(store, signed)
    with pytest.raises(peewee.IntegrityError, match="read-only"):
        store.db.execute_sql(statement.format(id=signed))
    assert _snapshot(store, signed) == before


def _snapshot(store: Store, checklist_id: int) -> list[Any]:
    out = []
    for table, column in (
        ("checklist", "id"),
        ("answer", "checklist_id"),
        ("acknowledgement", "checklist_id"),
        ("signature", "checklist_id"),
        ("answer_history", "checklist_id"),
        ("audit_event", "checklist_id"),
    ):
        rows = store.db.execute_sql(
            f"SELECT * FROM {table} WHERE {column} = ? ORDER BY 1", (checklist_id,)
        ).fetchall()
        out.append((table, rows))
    return out


def test_drafts_stay_editable_with_raw_sql(store: Store, signed_and_draft: tuple[int, int]) -> None:
    _, draft = signed_and_draft
    store.db.execute_sql(
        "UPDATE answer SET value = '\"no\"' WHERE checklist_id = ? AND item_id = ?",
        (draft, "timeout.performed"),
    )
    row = Answer.get(Answer.checklist == draft, Answer.item_id == "timeout.performed")
    assert row.value == '"no"'
    store.db.execute_sql("UPDATE acknowledgement SET reason = 'x' WHERE checklist_id = ?", (draft,))
    store.db.execute_sql("DELETE FROM acknowledgement WHERE checklist_id = ?", (draft,))
    store.db.execute_sql(
        "DELETE FROM answer WHERE checklist_id = ? AND item_id = ?", (draft, "timeout.performed")
    )
    assert (
        Answer.get_or_none(Answer.checklist == draft, Answer.item_id == "timeout.performed") is None
    )
    store.db.execute_sql("UPDATE checklist SET physician = 'Dr Other' WHERE id = ?", (draft,))


def test_triggers_exist_in_the_file(store: Store) -> None:
    names = schema.trigger_names(store.db)
    for expected in (
        "answer_frozen_update",
        "answer_frozen_delete",
        "acknowledgement_frozen_update",
        "signature_append_only_update",
        "signature_append_only_delete",
        "checklist_frozen_update",
        "checklist_frozen_delete",
    ):
        assert expected in names
