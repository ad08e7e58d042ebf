"""Numbered schema migrations; triggers (SQLite's, or PL/pgSQL on PostgreSQL) that make signed
content read-only and let users, settings and templates change only after their audit event.

Each migration runs once, inside one transaction, and bumps the schema-version row. A backup
copy of the file is taken before an existing database is migrated.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable

from peewee import Database

from vpchecklist.canonical import canonical_json
from vpchecklist.clock import utc_now
from vpchecklist.name_search import name_key
from vpchecklist.store import events, postgres
from vpchecklist.store.models import (
    ALL_MODELS,
    Appointment,
    AuditEvent,
    CompletionSummary,
    DatabaseInfo,
    SchemaVersion,
    Setting,
    TemplateRecord,
    User,
)

_READ_ONLY_MSG = "signed content is read-only"
_AUDITED_MSG = "users, settings and templates change only through an audited service"

#: SQLite ``PRAGMA application_id`` of a VP Checklist database ("VPCH"): every command checks
#: it in the file header before opening, so a foreign file is refused without a byte changed.
APPLICATION_ID = 0x56504348
#: The settings the triggers and ``audit verify`` protect (other keys are ignored by the app).
PROTECTED_SETTINGS = (
    "idle_lock_minutes",
    "backup_folder",
    "site_name",
    "anchor_folder",
    "schedule_mrn_type",
    "schedule_mrn_authority",
    "schedule_levels_field",
    "schedule_drop_folder",
    "wristband_mrn_pattern",
)

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


def _latest_subject(subject_sql: str) -> str:
    """SQL that is true unless the newest audit event concerns ``subject_sql``."""
    return (
        "(SELECT subject FROM audit_event WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1) "
        f"IS NOT {subject_sql}"
    )


def _raise(message: str) -> str:
    return f"BEGIN SELECT RAISE(ABORT, '{message}'); END"


def _guard_triggers() -> list[str]:
    """Users, protected settings, templates and the database facts: a change gets through only
    right after the audit event that records it (the services write the event first)."""
    user_subject = _latest_subject("'user:' || NEW.username")
    protected = ", ".join(f"'{key}'" for key in PROTECTED_SETTINGS)
    changed_user = " OR ".join(
        f"NEW.{c} IS NOT OLD.{c}"
        for c in ("full_name", "role", "password_hash", "active", "must_change_password")
    )
    return [
        f"CREATE TRIGGER IF NOT EXISTS user_audited_insert BEFORE INSERT ON user "
        f"WHEN {user_subject} {_raise(_AUDITED_MSG)}",
        f"CREATE TRIGGER IF NOT EXISTS user_audited_update BEFORE UPDATE ON user "
        f"WHEN NEW.id IS NOT OLD.id OR NEW.username IS NOT OLD.username "
        f"OR NEW.created_at IS NOT OLD.created_at OR (({changed_user}) AND {user_subject}) "
        f"{_raise(_AUDITED_MSG)}",
        f"CREATE TRIGGER IF NOT EXISTS user_audited_delete BEFORE DELETE ON user "
        f"{_raise(_AUDITED_MSG)}",
        f"CREATE TRIGGER IF NOT EXISTS setting_audited_insert BEFORE INSERT ON setting "
        f"WHEN NEW.key IN ({protected}) AND {_latest_subject(repr('settings'))} "
        f"{_raise(_AUDITED_MSG)}",
        f"CREATE TRIGGER IF NOT EXISTS setting_audited_update BEFORE UPDATE ON setting "
        f"WHEN (OLD.key IN ({protected}) OR NEW.key IN ({protected})) "
        f"AND {_latest_subject(repr('settings'))} {_raise(_AUDITED_MSG)}",
        f"CREATE TRIGGER IF NOT EXISTS setting_audited_delete BEFORE DELETE ON setting "
        f"WHEN OLD.key IN ({protected}) AND {_latest_subject(repr('settings'))} "
        f"{_raise(_AUDITED_MSG)}",
        f"CREATE TRIGGER IF NOT EXISTS template_audited_insert BEFORE INSERT ON template_record "
        f"WHEN NEW.active AND {_latest_subject(repr('template'))} {_raise(_AUDITED_MSG)}",
        f"CREATE TRIGGER IF NOT EXISTS template_audited_update BEFORE UPDATE ON template_record "
        f"WHEN NEW.content_hash IS NOT OLD.content_hash OR NEW.source IS NOT OLD.source "
        f"OR NEW.template_id IS NOT OLD.template_id OR NEW.version IS NOT OLD.version "
        f"OR (NEW.active IS NOT OLD.active AND {_latest_subject(repr('template'))}) "
        f"{_raise(_AUDITED_MSG)}",
        f"CREATE TRIGGER IF NOT EXISTS template_audited_delete BEFORE DELETE ON template_record "
        f"{_raise(_AUDITED_MSG)}",
        f"CREATE TRIGGER IF NOT EXISTS database_info_fixed_update BEFORE UPDATE ON database_info "
        f"{_raise(_READ_ONLY_MSG)}",
        f"CREATE TRIGGER IF NOT EXISTS database_info_fixed_delete BEFORE DELETE ON database_info "
        f"{_raise(_READ_ONLY_MSG)}",
    ]


def _pg_function(schema: str, name: str, body: str, returns: str = "trigger") -> str:
    """A PL/pgSQL function pinned to the schema it was created in, with ``pg_temp`` searched
    last: otherwise a session's ``CREATE TEMP TABLE audit_event`` would come first and could
    forge the "latest audit event" the guard triggers read."""
    language = "sql STABLE" if returns != "trigger" else "plpgsql"
    quoted = '"' + schema.replace('"', '""') + '"'
    return (
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS {returns} LANGUAGE {language} "
        f"SET search_path = {quoted}, pg_temp AS $fn$ {body} $fn$"
    )


def _schema_of(db: Database) -> str:
    return str(db.execute_sql("SELECT current_schema()").fetchone()[0])


def _pg_refuse(message: str) -> str:
    return f"RAISE EXCEPTION '{message}' USING ERRCODE = 'integrity_constraint_violation';"


def _pg_functions(db: Database) -> list[str]:
    schema = _schema_of(db)
    protected = ", ".join(f"'{key}'" for key in PROTECTED_SETTINGS)
    audited = _pg_refuse(_AUDITED_MSG)
    user_fields = " OR ".join(
        f"NEW.{c} IS DISTINCT FROM OLD.{c}"
        for c in ("full_name", "role", "password_hash", "active", "must_change_password")
    )
    return [
        _pg_function(
            schema,
            "vp_latest_subject",
            "SELECT subject FROM audit_event WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1",
            returns="text",
        ),
        _pg_function(schema, "vp_read_only", f"BEGIN {_pg_refuse(_READ_ONLY_MSG)} END"),
        _pg_function(
            schema,
            "vp_frozen_with_checklist",
            "DECLARE state text; BEGIN "
            "IF TG_OP <> 'INSERT' THEN "
            "SELECT status INTO state FROM checklist WHERE id = OLD.checklist_id; "
            f"IF state <> 'draft' THEN {_pg_refuse(_READ_ONLY_MSG)} END IF; END IF; "
            "IF TG_OP <> 'DELETE' THEN "
            "SELECT status INTO state FROM checklist WHERE id = NEW.checklist_id; "
            f"IF state <> 'draft' THEN {_pg_refuse(_READ_ONLY_MSG)} END IF; RETURN NEW; END IF; "
            "RETURN OLD; END",
        ),
        _pg_function(
            schema,
            "vp_user_audited",
            f"BEGIN IF TG_OP = 'DELETE' THEN {audited} END IF; "
            "IF TG_OP = 'INSERT' THEN "
            "IF vp_latest_subject() IS DISTINCT FROM 'user:' || NEW.username THEN "
            f"{audited} END IF; RETURN NEW; END IF; "
            "IF NEW.id IS DISTINCT FROM OLD.id OR NEW.username IS DISTINCT FROM OLD.username "
            "OR NEW.created_at IS DISTINCT FROM OLD.created_at "
            f"OR (({user_fields}) AND vp_latest_subject() IS DISTINCT FROM 'user:' || NEW.username) "
            f"THEN {audited} END IF; RETURN NEW; END",
        ),
        _pg_function(
            schema,
            "vp_setting_audited",
            "BEGIN IF vp_latest_subject() IS DISTINCT FROM 'settings' AND ("
            f"(TG_OP <> 'INSERT' AND OLD.key IN ({protected})) OR "
            f"(TG_OP <> 'DELETE' AND NEW.key IN ({protected}))) THEN {audited} END IF; "
            "IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW; END",
        ),
        _pg_function(
            schema,
            "vp_template_audited",
            f"BEGIN IF TG_OP = 'DELETE' THEN {audited} END IF; "
            "IF TG_OP = 'INSERT' THEN IF NEW.active AND vp_latest_subject() IS DISTINCT FROM "
            f"'template' THEN {audited} END IF; RETURN NEW; END IF; "
            "IF NEW.content_hash IS DISTINCT FROM OLD.content_hash "
            "OR NEW.source IS DISTINCT FROM OLD.source "
            "OR NEW.template_id IS DISTINCT FROM OLD.template_id "
            "OR NEW.version IS DISTINCT FROM OLD.version "
            "OR (NEW.active IS DISTINCT FROM OLD.active "
            f"AND vp_latest_subject() IS DISTINCT FROM 'template') THEN {audited} END IF; "
            "RETURN NEW; END",
        ),
    ]


#: Tables no TRUNCATE may empty on PostgreSQL (SQLite has no TRUNCATE).
_NO_TRUNCATE = [
    "checklist",
    "answer",
    "acknowledgement",
    *_APPEND_ONLY,
    "user",
    "setting",
    "template_record",
    "database_info",
]


def _pg_trigger(name: str, timing: str, table: str, function: str, when: str = "") -> str:
    condition = f" WHEN ({when})" if when else ""
    return (
        f'CREATE OR REPLACE TRIGGER {name} {timing} ON "{table}" FOR EACH ROW{condition} '
        f"EXECUTE FUNCTION {function}()"
    )


def _pg_read_only_triggers() -> list[str]:
    sql = []
    for table, _column in _FROZEN_WITH_CHECKLIST:
        for event in ("INSERT", "UPDATE", "DELETE"):
            sql.append(
                _pg_trigger(
                    f"{table}_frozen_{event.lower()}",
                    f"BEFORE {event}",
                    table,
                    "vp_frozen_with_checklist",
                )
            )
    for table in _APPEND_ONLY:
        for event in ("UPDATE", "DELETE"):
            sql.append(
                _pg_trigger(
                    f"{table}_append_only_{event.lower()}", f"BEFORE {event}", table, "vp_read_only"
                )
            )
    for event in ("UPDATE", "DELETE"):
        sql.append(
            _pg_trigger(
                f"checklist_frozen_{event.lower()}",
                f"BEFORE {event}",
                "checklist",
                "vp_read_only",
                when="OLD.status <> 'draft'",
            )
        )
    for table in _NO_TRUNCATE:
        sql.append(
            f'CREATE OR REPLACE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON "{table}" '
            "FOR EACH STATEMENT EXECUTE FUNCTION vp_read_only()"
        )
    return sql


def _pg_guard_triggers() -> list[str]:
    sql = []
    for table, function in (
        ("user", "vp_user_audited"),
        ("setting", "vp_setting_audited"),
        ("template_record", "vp_template_audited"),
    ):
        for event in ("INSERT", "UPDATE", "DELETE"):
            sql.append(
                _pg_trigger(f"{table}_audited_{event.lower()}", f"BEFORE {event}", table, function)
            )
    for event in ("UPDATE", "DELETE"):
        sql.append(
            _pg_trigger(
                f"database_info_fixed_{event.lower()}",
                f"BEFORE {event}",
                "database_info",
                "vp_read_only",
            )
        )
    return sql


def all_triggers(db: Database | None = None) -> list[str]:
    """Every trigger a current database has (``db check`` and restore compare with it)."""
    if db is not None and not _is_sqlite(db):
        return _pg_read_only_triggers() + _pg_guard_triggers()
    return _sqlite_triggers() + _guard_triggers()


def _trigger_name(statement: str) -> str:
    words = statement.split()
    return words[5] if words[1] == "TRIGGER" else words[4]


def expected_trigger_names(db: Database | None = None) -> list[str]:
    return sorted(_trigger_name(statement) for statement in all_triggers(db))


def missing_triggers(db: Database) -> list[str]:
    present = set(trigger_names(db))
    return [name for name in expected_trigger_names(db) if name not in present]


def ensure_triggers(db: Database) -> list[str]:
    """Re-create any trigger that is missing; returns the names re-created."""
    missing = missing_triggers(db)
    if missing:
        if not _is_sqlite(db):
            for statement in _pg_functions(db):
                db.execute_sql(statement)
        for statement in all_triggers(db):
            db.execute_sql(statement)
    return missing


def _install_read_only_triggers(db: Database) -> None:
    """The read-only triggers (idempotent: SQLite's IF NOT EXISTS, PostgreSQL's OR REPLACE)."""
    if _is_sqlite(db):
        statements = _sqlite_triggers()
    else:
        statements = _pg_functions(db) + _pg_read_only_triggers()
    for statement in statements:
        db.execute_sql(statement)


def _drop_trigger(db: Database, name: str, table: str) -> None:
    if _is_sqlite(db):
        db.execute_sql(f"DROP TRIGGER IF EXISTS {name}")
    else:
        db.execute_sql(f'DROP TRIGGER IF EXISTS {name} ON "{table}"')


def _v1_initial(db: Database) -> None:
    db.create_tables(ALL_MODELS)
    db.execute_sql(
        "CREATE INDEX IF NOT EXISTS checklist_status_planned ON checklist (status, planned_start)"
    )
    _install_read_only_triggers(db)


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
    _install_read_only_triggers(db)  # idempotent: adds the new table's triggers


def _add_missing_columns(db: Database) -> None:
    """Older files lack the chain columns (a new file got them from the current model)."""
    present = {c.name for c in db.get_columns("audit_event")}
    for name, kind in (
        ("seq", "INTEGER"),
        ("subject", "VARCHAR(255)"),
        ("prev_hash", "VARCHAR(255)"),
        ("event_hash", "VARCHAR(255)"),
    ):
        if name not in present:
            db.execute_sql(f"ALTER TABLE audit_event ADD COLUMN {name} {kind}")
    db.execute_sql("CREATE UNIQUE INDEX IF NOT EXISTS audit_event_seq ON audit_event (seq)")


def _chain_older_events(db: Database) -> None:
    """Events written before the chain existed are linked now, in the order they were written."""
    pending = list(AuditEvent.select().where(AuditEvent.seq.is_null()).order_by(AuditEvent.id))
    if not pending:
        return
    # The append-only trigger refuses the one-time linking; it is re-created below.
    _drop_trigger(db, "audit_event_append_only_update", "audit_event")
    current = events.head()
    prev_hash, seq = current.hash, current.seq
    for event in pending:
        seq += 1
        event.seq = seq
        digest = events.link_hash(event, prev_hash)
        db.execute_sql(
            "UPDATE audit_event SET seq = ?, prev_hash = ?, event_hash = ? WHERE id = ?",
            (seq, prev_hash, digest, event.id),
        )
        prev_hash = digest
    _install_read_only_triggers(db)


def _baseline_events() -> None:
    """A migrated database's users, settings and active template as they are now: the state
    later changes are compared with (anything changed before this point is not detectable)."""
    for user in User.select().order_by(User.id):
        events.append(
            None,
            "baseline",
            "ok",
            None,
            canonical_json({"state": user.audited_state()}),
            f"user:{user.username}",
        )
    values = {s.key: s.value for s in Setting.select() if s.key in PROTECTED_SETTINGS}
    if values:
        events.append(None, "baseline", "ok", None, canonical_json({"values": values}), "settings")
    active = TemplateRecord.get_or_none(TemplateRecord.active == True)  # noqa: E712
    if active is not None:
        detail = json.dumps({"hash": active.content_hash})
        events.append(None, "baseline", "ok", None, detail, "template")


def _v4_chain_every_event(db: Database, demo: bool, fresh: bool) -> None:
    """Chain every audit event, protect users/settings/templates, give the file its identity."""
    db.create_tables([DatabaseInfo])
    _add_missing_columns(db)
    _chain_older_events(db)
    if not fresh:
        _baseline_events()
    DatabaseInfo.insert_many(
        [
            {"key": "database_id", "value": uuid.uuid4().hex},
            {"key": "created_at", "value": utc_now()},
            {"key": "demo", "value": "1" if demo and fresh else "0"},
        ]
    ).on_conflict_ignore().execute()
    if _is_sqlite(db):
        for statement in _guard_triggers():
            db.execute_sql(statement)
        db.execute_sql(f"PRAGMA application_id = {APPLICATION_ID}")
    else:
        for statement in _pg_functions(db) + _pg_guard_triggers():
            db.execute_sql(statement)


#: Columns the records table sorts on (``services.checklists.SORTABLE``): an index each, so a
#: header click reads one page in index order instead of sorting 100,000 rows.
_SORT_INDEXES = (
    "patient_name",
    "search_name",
    "date_of_birth",
    "levels",
    "warning_count",
    "signed_by_name",
)


def _v5_name_search_and_sorting(db: Database) -> None:
    """Issue 13: the folded patient-name key for the prefix search, and the sort indexes."""
    if "search_name" not in {c.name for c in db.get_columns("checklist")}:
        db.execute_sql("ALTER TABLE checklist ADD COLUMN search_name VARCHAR(255)")
    rows = db.execute_sql(
        "SELECT id, patient_name FROM checklist WHERE search_name IS NULL"
    ).fetchall()
    if rows:
        # Closed records refuse every UPDATE; the key is derived data, not signed content
        # (``signed_content`` never reads it), so the guard steps aside for this one fill.
        _drop_trigger(db, "checklist_frozen_update", "checklist")
        mark = db.param  # type: ignore[attr-defined]
        db.cursor().executemany(
            f"UPDATE checklist SET search_name = {mark} WHERE id = {mark}",
            [(name_key(name), cid) for cid, name in rows],
        )
        _install_read_only_triggers(db)
    for column in _SORT_INDEXES:
        db.execute_sql(f"CREATE INDEX IF NOT EXISTS checklist_{column} ON checklist ({column})")
    if not _is_sqlite(db):
        # An SQLite index carries the rowid, so "ORDER BY column, id" reads it in order; a
        # PostgreSQL index needs the id spelled out, or every page sorts the whole table.
        for column in (*_SORT_INDEXES, "planned_start", "mrn", "status", "signed_at"):
            db.execute_sql(
                f"CREATE INDEX IF NOT EXISTS checklist_{column}_id ON checklist ({column}, id)"
            )
        db.execute_sql(
            "CREATE INDEX IF NOT EXISTS checklist_status_planned_id "
            "ON checklist (status, planned_start, id)"
        )


#: Tables whose rows carry the workstation's request id of an idempotent retry (issue 14).
_REQUEST_ID_TABLES = ("answer_history", "signature")


def _v6_request_ids(db: Database) -> None:
    """Issue 14: the client-made id of an answer save and of a signature, so a retry after a
    dropped connection recognises a write that already committed (nullable: older rows and
    other writes have none; unique: one write per id)."""
    for table in _REQUEST_ID_TABLES:
        if "request_id" not in {c.name for c in db.get_columns(table)}:
            db.execute_sql(f"ALTER TABLE {table} ADD COLUMN request_id VARCHAR(255)")
        db.execute_sql(
            f"CREATE UNIQUE INDEX IF NOT EXISTS {table}_request_id ON {table} (request_id)"
        )


MIGRATIONS: list[tuple[int, Callable[[Database, bool, bool], None]]] = [
    (1, lambda db, _demo, _fresh: _v1_initial(db)),
    (2, lambda db, _demo, _fresh: _v2_schedule(db)),
    (3, lambda db, _demo, _fresh: _v3_completion_summary(db)),
    (4, _v4_chain_every_event),
    (5, lambda db, _demo, _fresh: _v5_name_search_and_sorting(db)),
    (6, lambda db, _demo, _fresh: _v6_request_ids(db)),
]
LATEST_VERSION = MIGRATIONS[-1][0]


def _is_sqlite(db: Database) -> bool:
    return type(db).__name__.lower().startswith("sqlite")


def current_version(db: Database) -> int:
    if not db.table_exists("schema_version"):
        return 0
    row = SchemaVersion.select().order_by(SchemaVersion.version.desc()).first()
    return row.version if row else 0


def pending(version: int) -> list[tuple[int, Callable[[Database, bool, bool], None]]]:
    return [(n, step) for n, step in MIGRATIONS if n > version]


def apply(db: Database, version: int, demo: bool = False) -> None:
    """Run the pending migrations. Each re-reads the version inside its write transaction, so
    two processes creating the same new file at once migrate it once (the second waits).
    ``demo`` marks a database created from scratch here as a demo database."""
    fresh = version == 0
    for number, step in pending(version):
        with db.atomic():
            if not _is_sqlite(db):  # SQLite's BEGIN IMMEDIATE already serialises migrations
                postgres.take_write_lock(db)
            if current_version(db) >= number:
                continue
            step(db, demo, fresh)
            SchemaVersion.create(version=number, applied_at=utc_now())


def database_info(db: Database) -> dict[str, str]:
    """The database's fixed facts (``database_id``, ``created_at``, ``demo``)."""
    if not db.table_exists("database_info"):
        return {}
    return {row.key: row.value for row in DatabaseInfo.select()}


def trigger_names(db: Database) -> list[str]:
    """The triggers present (on PostgreSQL: present and enabled, in the current schema)."""
    if _is_sqlite(db):
        sql = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
    else:
        sql = (
            "SELECT t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE NOT t.tgisinternal "
            "AND t.tgenabled IN ('O', 'A') AND n.nspname = current_schema()"
        )
    rows = db.execute_sql(sql).fetchall()
    return sorted(r[0] for r in rows)
