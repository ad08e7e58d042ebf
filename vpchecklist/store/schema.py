"""Numbered schema migrations, SQLite triggers that make signed content read-only.

Each migration runs once, inside one transaction, and bumps the schema-version row. A backup
copy of the file is taken before an existing database is migrated.
"""

from __future__ import annotations

from collections.abc import Callable

from peewee import Database

from vpchecklist.clock import utc_now
from vpchecklist.store.models import ALL_MODELS, Appointment, CompletionSummary, SchemaVersion

_READ_ONLY_MSG = "signed content is read-only"

# (table, column holding the checklist id) whose rows freeze once their checklist is signed.
_FROZEN_WITH_CHECKLIST = [("answer", "checklist_id"), ("acknowledgement", "checklist_id")]
# Tables whose rows never change or disappear once written.
_APPEND_ONLY = [
    "signature",
    "addendum",
    "audit_event",
    "answer_history",
    "completion_summary",
]


def _sqlite_triggers() -> list[str]:
    sql = []
    for table, column in _FROZEN_WITH_CHECKLIST:
        for event, row in (("INSERT", "NEW"), ("UPDATE", "OLD"), ("DELETE", "OLD")):
            sql.append(
                f"CREATE TRIGGER IF NOT EXISTS {table}_frozen_{event.lower()} BEFORE {event} "
                f"ON {table} WHEN (SELECT status FROM checklist WHERE id = {row}.{column}) "
                f"!= 'draft' BEGIN SELECT RAISE(ABORT, '{_READ_ONLY_MSG}'); END"
            )
    for table in _APPEND_ONLY:
        for event in ("UPDATE", "DELETE"):
            sql.append(
                f"CREATE TRIGGER IF NOT EXISTS {table}_append_only_{event.lower()} BEFORE {event} "
                f"ON {table} BEGIN SELECT RAISE(ABORT, '{_READ_ONLY_MSG}'); END"
            )
    for event in ("UPDATE", "DELETE"):
        sql.append(
            f"CREATE TRIGGER IF NOT EXISTS checklist_frozen_{event.lower()} BEFORE {event} "
            f"ON checklist WHEN OLD.status != 'draft' "
            f"BEGIN SELECT RAISE(ABORT, '{_READ_ONLY_MSG}'); END"
        )
    return sql


def _v1_initial(db: Database) -> None:
    db.create_tables(ALL_MODELS)
    db.execute_sql(
        "CREATE INDEX IF NOT EXISTS checklist_status_planned ON checklist (status, planned_start)"
    )
    if _is_sqlite(db):
        for statement in _sqlite_triggers():
            db.execute_sql(statement)


def _v2_schedule(db: Database) -> None:
    """Issue 16: appointments from the hospital schedule; how a confirmation was made."""
    db.create_tables([Appointment])  # safe: a new file already has it from the models
    if "provenance" not in {c.name for c in db.get_columns("answer")}:
        db.execute_sql("ALTER TABLE answer ADD COLUMN provenance VARCHAR(255)")
    db.execute_sql(
        "CREATE INDEX IF NOT EXISTS appointment_status_planned "
        "ON appointment (status, planned_start)"
    )


def _v3_completion_summary(db: Database) -> None:
    """Issue 15: how each closed record was completed, one row written at signing."""
    db.create_tables([CompletionSummary])  # safe: a new file already has it from the models
    if _is_sqlite(db):
        for statement in _sqlite_triggers():  # IF NOT EXISTS: adds the new table's triggers
            db.execute_sql(statement)


MIGRATIONS: list[tuple[int, Callable[[Database], None]]] = [
    (1, _v1_initial),
    (2, _v2_schedule),
    (3, _v3_completion_summary),
]
LATEST_VERSION = MIGRATIONS[-1][0]


def _is_sqlite(db: Database) -> bool:
    return type(db).__name__.lower().startswith("sqlite")


def current_version(db: Database) -> int:
    if not db.table_exists("schema_version"):
        return 0
    row = SchemaVersion.select().order_by(SchemaVersion.version.desc()).first()
    return row.version if row else 0


def pending(version: int) -> list[tuple[int, Callable[[Database], None]]]:
    return [(n, step) for n, step in MIGRATIONS if n > version]


def apply(db: Database, version: int) -> None:
    for number, step in pending(version):
        with db.atomic():
            step(db)
            SchemaVersion.create(version=number, applied_at=utc_now())


def trigger_names(db: Database) -> list[str]:
    rows = db.execute_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall()
    return sorted(r[0] for r in rows)
