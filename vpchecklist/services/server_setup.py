"""``db setup-postgres``: IT prepares a department's PostgreSQL database once, as its owner.

Why as the owner, and why a separate app role: the triggers that keep signed content and the
audit trail read-only are only as strong as the account that could drop them. The owner creates
the schema (tables, migrations, triggers) and so alone can alter it; the workstations connect
as the app role, which gets exactly what the services need (``store.grants``). Dropping or
disabling a trigger, rewriting a signature or emptying a table then needs the owner's
credentials, which no workstation holds.

Run again after installing a newer version (it migrates the schema as the owner, since the app
role cannot) or whenever in doubt: the privileges are revoked and granted afresh each time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from peewee import Database

from vpchecklist.errors import ValidationError
from vpchecklist.services import audit
from vpchecklist.store import Store, grants, open_store, postgres, schema
from vpchecklist.store.location import PostgresTarget, describe, is_postgres_url


@dataclass
class SetupReport:
    """What ``setup_postgres`` found and did."""

    database: str  # the label (never the password)
    owner: str
    app_role: str
    schema: str
    version_before: int
    version: int
    granted: grants.Granted
    triggers: int
    triggers_recreated: list[str]
    notes: list[str] = field(default_factory=list)
    #: Privileges the app role still holds beyond its needs (through another role, or a
    #: schema the owner cannot restrict): the command fails (exit 1) and names each.
    problems: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "database": self.database,
            "owner": self.owner,
            "app_role": self.app_role,
            "schema": self.schema,
            "schema_version_before": self.version_before,
            "schema_version": self.version,
            "grants": {
                "connect": self.granted.database,
                "usage": self.granted.schema,
                "select": self.granted.select,
                "insert": self.granted.insert,
                "update": self.granted.update,
                "delete": self.granted.delete,
                "sequences": self.granted.sequences,
            },
            "not_granted": {
                "update_delete": list(grants.APPEND_ONLY),
                "everywhere": [*grants.NEVER, "CREATE", "TEMPORARY"],
            },
            "triggers": self.triggers,
            "triggers_recreated": self.triggers_recreated,
            "notes": self.notes,
            "problems": self.problems,
        }


def require_server(location: Path | str) -> str:
    """The URL of a server database, or the sentence saying an SQLite file will not do."""
    if not is_postgres_url(location):
        raise ValidationError(
            None,
            f"db setup-postgres prepares a PostgreSQL database, and {describe(location)} is "
            "an SQLite file; give --db postgresql://OWNER@HOST:PORT/DBNAME.",
        )
    return str(location)


def _target(location: str, password: str | None) -> PostgresTarget:
    target = PostgresTarget.parse(require_server(location))
    return target.with_password(password) if password is not None else target


def _version(db: Database) -> int:
    """The schema version before anything is done (0 for an empty database)."""
    if not db.execute_sql("SELECT to_regclass('schema_version') IS NOT NULL").fetchone()[0]:
        return 0
    return int(db.execute_sql("SELECT max(version) FROM schema_version").fetchone()[0] or 0)


def _refuse_unless_fit(db: Database, target: PostgresTarget, app_role: str) -> tuple[str, int]:
    """Everything that makes the set-up pointless or impossible, checked before anything is
    written. Returns the owner and the schema version found."""
    me = grants.current_role(db)
    me_super = grants.role(db, me).superuser
    app = grants.role(db, app_role)
    nothing = "Nothing was changed."
    if not app.exists:
        raise ValidationError(
            None,
            f"The server {target.host}:{target.port} has no role {app_role}: IT creates it "
            f"first, with a password (CREATE ROLE {grants.quote(app_role)} LOGIN PASSWORD "
            f"'…'), then runs setup-postgres again. {nothing}",
        )
    if app_role == me:
        raise ValidationError(
            None,
            f"The app role must be another account than the owner running setup-postgres "
            f"({me}): the workstations must not hold the owner's rights. {nothing}",
        )
    if app.superuser:
        raise ValidationError(
            None,
            f"The app role {app_role} is a superuser, which no privilege restrains; give the "
            f"workstations an ordinary role. {nothing}",
        )
    if grants.is_member(db, app_role, me):
        raise ValidationError(
            None,
            f"The app role {app_role} is a member of {me} and would hold all its rights; "
            f"revoke that membership first. {nothing}",
        )
    owner = grants.database_owner(db)
    if not me_super and not grants.is_member(db, me, owner):
        raise ValidationError(
            None,
            f"Run setup-postgres as the owner of the database {target.dbname} ({owner}); "
            f"{me} is not. {nothing}",
        )
    foreign = {t: o for t, o in grants.table_owners(db).items() if not grants.is_member(db, me, o)}
    if foreign:
        table, other = sorted(foreign.items())[0]
        raise ValidationError(
            None,
            f"The tables of {target.dbname} belong to the account {other} (for example "
            f"{table}); run setup-postgres as {other}, or give them to {me} first "
            f"(REASSIGN OWNED BY {grants.quote(other)} TO {grants.quote(me)}). {nothing}",
        )
    return me, _version(db)


def setup_postgres(location: str, app_role: str, password: str | None = None) -> SetupReport:
    """Create or migrate the schema as the connecting owner and grant ``app_role`` what the
    services need, nothing more; audited in the database as a system event."""
    target = _target(location, password)
    probe = postgres.connect(target)
    try:
        owner, before = _refuse_unless_fit(probe, target, app_role)
    finally:
        probe.close()
    store = open_store(location, create=True, password=password)
    try:
        with store.transaction():
            recreated = schema.ensure_triggers(store.db)
            granted = grants.grant_app_role(store.db, app_role)
            audit.record(
                None,
                "database_setup",
                app_role=app_role,
                owner=owner,
                schema_version=schema.LATEST_VERSION,
                triggers_recreated=recreated,
            )
        with store.reading():
            triggers = len(schema.trigger_names(store.db))
            missing = schema.missing_triggers(store.db)
            problems = grants.excess_privileges(store.db, app_role)
            problems += [f"the protective trigger {name} is missing" for name in missing]
            notes = []
            if not grants.role(store.db, app_role).can_login:
                notes.append(
                    f"The role {app_role} cannot log in yet: ALTER ROLE "
                    f"{grants.quote(app_role)} LOGIN PASSWORD '…'."
                )
        return SetupReport(
            database=target.label,
            owner=owner,
            app_role=app_role,
            schema=granted.schema,
            version_before=before,
            version=schema.current_version(store.db),
            granted=granted,
            triggers=triggers,
            triggers_recreated=recreated,
            notes=notes,
            problems=problems,
        )
    finally:
        store.close()


@dataclass
class PrivilegeCheck:
    """``db check`` on a server: what the connecting account is, and what any account may do
    beyond the app role's needs (empty ``problems`` when nothing)."""

    notes: list[str]
    problems: list[str]


def check_privileges(store: Store) -> PrivilegeCheck:
    """The owner or a superuser is told that the protections do not bind it, and the other
    accounts holding privileges on the tables are checked; any other account checks itself."""
    db = store.db
    notes: list[str] = []
    problems: list[str] = []
    with store.reading():
        me = grants.current_role(db)
        owner = grants.table_owners(db).get("signature", "")
        if grants.role(db, me).superuser:
            notes.append(
                f"Connected as {me}, a superuser: no privilege restrains this account; the "
                "workstations connect as the app role."
            )
        elif owner and grants.is_member(db, me, owner):
            notes.append(
                f"Connected as the owner {owner}: the protections against the app role do not "
                "apply to this account; the workstations connect as the app role."
            )
        else:
            problems += grants.excess_privileges(db, me)
            notes.append(f"Privileges checked for the account {me}.")
            return PrivilegeCheck(notes, problems + grants.public_privileges(db))
        others = [g for g in grants.grantees(db) if not grants.is_member(db, g, owner)]
        for other in others:
            problems += grants.excess_privileges(db, other)
        notes.append(
            f"Privileges checked for: {', '.join(others)}."
            if others
            else "No other account holds privileges on the tables."
        )
        problems += grants.public_privileges(db)
    return PrivilegeCheck(notes, problems)
