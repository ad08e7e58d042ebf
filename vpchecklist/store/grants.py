"""What the workstations' account may do on a PostgreSQL database, granted and checked.

SQLite has one guard: whoever can write the file can do anything. On a server the account the
workstations use (the *app role*) can be kept from ever changing what the triggers protect: it
gets no DDL (so it cannot drop or disable a trigger — that needs the owner, whose credentials
no workstation holds), no UPDATE or DELETE on signed content and the audit trail, no TRUNCATE.
The lists below are what the services actually write (``grep UPDATE/DELETE vpchecklist/
services``): a new service verb that updates another column must add it here, and the app-role
test (``tests/core/test_postgres_privileges.py``) fails until it does.

PostgreSQL only; the SQL lives here so that services and the CLI hold none.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from peewee import Database

from vpchecklist.store.models import ALL_MODELS

#: Every table of the schema (the models' names).
TABLES: tuple[str, ...] = tuple(model._meta.table_name for model in ALL_MODELS)  # type: ignore[attr-defined]

#: Written once by the migrations (run by the owner) and only read by the app.
OWNER_WRITTEN: tuple[str, ...] = ("schema_version", "database_info")

#: Rows that never change once written: no UPDATE, no DELETE for the app role.
APPEND_ONLY: tuple[str, ...] = (
    "signature",
    "addendum",
    "audit_event",
    "answer_history",
    "completion_summary",
    *OWNER_WRITTEN,
)

#: The columns the services update, per table (drafts, signing, lockout counters, account
#: changes, the settings upsert, the active template, the schedule's visits).
UPDATABLE: dict[str, tuple[str, ...]] = {
    "checklist": (
        "status",
        "signed_by_name",
        "signed_at",
        "updated_at",
        "warning_count",
        "progress",
    ),
    "answer": ("value", "value_utc", "answered_by_id", "answered_at", "provenance"),
    "user": ("password_hash", "must_change_password", "active", "failed_attempts", "locked_until"),
    "setting": ("value",),
    "template_record": ("active",),
    "appointment": (
        "mrn",
        "patient_name",
        "date_of_birth",
        "planned_start",
        "physician",
        "levels",
        "status",
        "checklist_id",
        "message_control_id",
        "updated_at",
    ),
}

#: Where a draft edit removes a row (a cleared answer, a replaced acknowledgement).
DELETABLE: tuple[str, ...] = ("answer", "acknowledgement")

#: Table privileges nobody but the owner should hold.
NEVER: tuple[str, ...] = ("TRUNCATE", "TRIGGER", "REFERENCES")


def quote(name: str) -> str:
    """An SQL identifier, quoted (role names come from the command line)."""
    return '"' + name.replace('"', '""') + '"'


def _one(db: Database, sql: str, params: tuple[object, ...] = ()) -> object:
    row = db.execute_sql(sql, params or None).fetchone()
    return row[0] if row else None


@dataclass(frozen=True)
class Role:
    """A server account as the checks see it."""

    name: str
    exists: bool
    superuser: bool = False
    can_login: bool = False


def role(db: Database, name: str) -> Role:
    row = db.execute_sql(
        "SELECT rolsuper, rolcanlogin FROM pg_roles WHERE rolname = %s", (name,)
    ).fetchone()
    if row is None:
        return Role(name, False)
    return Role(name, True, bool(row[0]), bool(row[1]))


def current_role(db: Database) -> str:
    return str(_one(db, "SELECT current_user"))


def current_schema(db: Database) -> str:
    return str(_one(db, "SELECT current_schema()"))


def database_owner(db: Database) -> str:
    return str(
        _one(
            db,
            "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()",
        )
    )


def table_owners(db: Database) -> dict[str, str]:
    """Owner of each of our tables present in the current schema."""
    rows = db.execute_sql(
        "SELECT c.relname, pg_get_userbyid(c.relowner) FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')"
    ).fetchall()
    return {str(name): str(owner) for name, owner in rows if name in TABLES}


def is_member(db: Database, member: str, of: str) -> bool:
    """Whether ``member`` holds ``of``'s privileges (is it, or inherits from it)."""
    return bool(_one(db, "SELECT pg_has_role(%s, %s, 'USAGE')", (member, of)))


def _sequences(db: Database) -> list[str]:
    rows = db.execute_sql(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = current_schema() AND c.relkind = 'S' ORDER BY c.relname"
    ).fetchall()
    return [str(r[0]) for r in rows]


@dataclass
class Granted:
    """What ``grant_app_role`` did, for the report (one line per fact)."""

    schema: str
    database: str
    select: list[str] = field(default_factory=list)
    insert: list[str] = field(default_factory=list)
    update: dict[str, list[str]] = field(default_factory=dict)
    delete: list[str] = field(default_factory=list)
    sequences: list[str] = field(default_factory=list)


def grant_app_role(db: Database, app_role: str) -> Granted:
    """Revoke everything the app role (and PUBLIC) held here, then grant exactly what the
    services need. Idempotent: run it again and the same privileges result. Runs as the owner
    inside one transaction."""
    app = quote(app_role)
    schema = quote(current_schema(db))
    dbname = str(_one(db, "SELECT current_database()"))
    present = [t for t in TABLES if t in table_owners(db)]
    tables = ", ".join(quote(t) for t in present)
    statements = [
        f"REVOKE ALL ON {tables} FROM PUBLIC, {app}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema} FROM PUBLIC, {app}",
        f"REVOKE CREATE ON SCHEMA {schema} FROM PUBLIC, {app}",
        # A temporary table named like ours would come first in the search path of the
        # functions the triggers call: no TEMPORARY for anyone but the owner.
        f"REVOKE TEMPORARY ON DATABASE {quote(dbname)} FROM PUBLIC",
        f"REVOKE ALL ON DATABASE {quote(dbname)} FROM {app}",
        f"GRANT CONNECT ON DATABASE {quote(dbname)} TO {app}",
        f"GRANT USAGE ON SCHEMA {schema} TO {app}",
        f"GRANT SELECT ON {tables} TO {app}",
    ]
    granted = Granted(current_schema(db), dbname, select=list(present))
    granted.insert = [t for t in present if t not in OWNER_WRITTEN]
    statements.append(f"GRANT INSERT ON {', '.join(quote(t) for t in granted.insert)} TO {app}")
    for table, columns in UPDATABLE.items():
        if table in present:
            cols = ", ".join(quote(c) for c in columns)
            statements.append(f"GRANT UPDATE ({cols}) ON {quote(table)} TO {app}")
            granted.update[table] = list(columns)
    granted.delete = [t for t in DELETABLE if t in present]
    statements.append(f"GRANT DELETE ON {', '.join(quote(t) for t in granted.delete)} TO {app}")
    granted.sequences = _sequences(db)
    if granted.sequences:
        # USAGE for new ids; SELECT so that pg_dump run as the app role can read their state.
        statements.append(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {app}")
    for statement in statements:
        db.execute_sql(statement)
    return granted


def excess_privileges(db: Database, role_name: str) -> list[str]:
    """What ``role_name`` may do beyond what the app role needs, one sentence each (empty when
    it holds nothing more). Counts privileges held through other roles and PUBLIC."""
    problems: list[str] = []
    owners = table_owners(db)
    for table in TABLES:
        if table not in owners:
            continue
        for privilege in NEVER:
            if _table_privilege(db, role_name, table, privilege):
                problems.append(f"the account {role_name} may {privilege} the table {table}")
        if table in OWNER_WRITTEN and _any_column_privilege(db, role_name, table, "INSERT"):
            problems.append(f"the account {role_name} may INSERT into the table {table}")
        if table not in DELETABLE and _table_privilege(db, role_name, table, "DELETE"):
            problems.append(f"the account {role_name} may DELETE from the table {table}")
        allowed = UPDATABLE.get(table, ())
        if not allowed:
            if _any_column_privilege(db, role_name, table, "UPDATE"):
                problems.append(f"the account {role_name} may UPDATE the table {table}")
            continue
        for column in _columns(db, table):
            if column not in allowed and _column_privilege(db, role_name, table, column):
                problems.append(
                    f"the account {role_name} may UPDATE the column {column} of the table {table}"
                )
    schema = current_schema(db)
    if _one(db, "SELECT has_schema_privilege(%s, %s, 'CREATE')", (role_name, schema)):
        problems.append(
            f"the account {role_name} may create tables, functions and triggers in the "
            f"schema {schema}"
        )
    if _one(db, "SELECT has_database_privilege(%s, current_database(), 'TEMPORARY')", (role_name,)):
        problems.append(f"the account {role_name} may create temporary tables in this database")
    return problems


def _table_privilege(db: Database, who: str, table: str, privilege: str) -> bool:
    return bool(
        _one(db, "SELECT has_table_privilege(%s, %s, %s)", (who, _qualified(db, table), privilege))
    )


def _any_column_privilege(db: Database, who: str, table: str, privilege: str) -> bool:
    return bool(
        _one(
            db,
            "SELECT has_any_column_privilege(%s, %s, %s)",
            (who, _qualified(db, table), privilege),
        )
    )


def _column_privilege(db: Database, who: str, table: str, column: str) -> bool:
    return bool(
        _one(
            db,
            "SELECT has_column_privilege(%s, %s, %s, 'UPDATE')",
            (who, _qualified(db, table), column),
        )
    )


def _columns(db: Database, table: str) -> list[str]:
    return [c.name for c in db.get_columns(table, schema=current_schema(db))]


def _qualified(db: Database, table: str) -> str:
    return f"{quote(current_schema(db))}.{quote(table)}"


def grantees(db: Database) -> list[str]:
    """The roles (other than the tables' owners and superusers) holding any privilege on our
    tables: the accounts ``db check`` checks when the owner runs it."""
    rows = db.execute_sql(
        "SELECT DISTINCT pg_get_userbyid(a.grantee) FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace, aclexplode(c.relacl) a "
        "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') "
        "AND a.grantee <> 0 AND a.grantee <> c.relowner "
        "AND NOT (SELECT rolsuper FROM pg_roles WHERE oid = a.grantee) ORDER BY 1"
    ).fetchall()
    return [str(r[0]) for r in rows]


def public_privileges(db: Database) -> list[str]:
    """Table privileges granted to PUBLIC (every account on the server), one sentence each."""
    rows = db.execute_sql(
        "SELECT c.relname, a.privilege_type FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace, aclexplode(c.relacl) a "
        "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND a.grantee = 0 "
        "ORDER BY 1, 2"
    ).fetchall()
    return [
        f"every account on the server (PUBLIC) may {privilege} the table {table}"
        for table, privilege in rows
        if table in TABLES
    ]
