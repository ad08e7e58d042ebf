"""Database upkeep: ``db check`` and ``backup`` without sign-in, ``restore`` by an administrator,
``db setup-postgres`` by IT.

``db check`` and ``backup`` run for whoever can reach the database file (the operating system
guards it) or connect to the server, so that a damaged database can still be checked.
``restore`` replaces the file (on a server: fills a new, empty database) and so needs an
administrator: of the current database, or of the backup when there is no usable one.
``db setup-postgres`` runs as the server database's owner, who alone may change its schema.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from vpchecklist.cli.arguments import Commands, add_user_args
from vpchecklist.cli.context import Context, Exit, warn
from vpchecklist.errors import ValidationError

if TYPE_CHECKING:
    from vpchecklist.services.server_setup import SetupReport


def _require_file(ctx: Context) -> None:
    if not ctx.db_path.exists():
        raise ValidationError(None, f"There is no database at {ctx.db_path}.")


def cmd_check(ctx: Context) -> int:
    """Read-only: integrity, foreign keys, schema version and the protective triggers."""
    if not isinstance(ctx.db_target, Path):
        return _check_server(ctx)
    from vpchecklist.store.backup import check_file
    from vpchecklist.store.identity import require_vp_database

    _require_file(ctx)
    require_vp_database(ctx.db_path)
    problems = check_file(ctx.db_path)
    if not problems:
        problems = ctx.store(read_only=True).integrity_problems()
    if problems:
        for problem in problems[:20]:
            warn(problem)
        warn(
            f"The database {ctx.db_path} has problems; restore a backup "
            "(vpchecklist restore FILE --user ADMIN)."
        )
        return Exit.CHECK_FAILED
    ctx.print(
        f"Database {ctx.db_path} is healthy (integrity, foreign keys, schema version, triggers)."
    )
    return Exit.OK


def _check_server(ctx: Context) -> int:
    """PostgreSQL: the schema version, every trigger present and enabled, and the privileges
    (PostgreSQL checks integrity and foreign keys on every write)."""
    from vpchecklist.services.server_setup import check_privileges

    store = ctx.store(read_only=True)
    privileges = check_privileges(store)
    problems = store.integrity_problems() + privileges.problems
    for note in privileges.notes:
        ctx.print(note)
    if problems:
        for problem in problems[:20]:
            warn(problem[0].upper() + problem[1:] + ".")
        warn(
            f"The database {ctx.db_label} has problems; as its owner, run vpchecklist db "
            "setup-postgres --app-role NAME (it re-creates missing triggers and grants the "
            "privileges afresh)."
        )
        return Exit.CHECK_FAILED
    ctx.print(f"Database {ctx.db_label} is healthy (schema version, triggers, privileges).")
    return Exit.OK


def cmd_backup(ctx: Context) -> int:
    from vpchecklist.services.backups import back_up_now

    if isinstance(ctx.db_target, Path):
        _require_file(ctx)
    store = ctx.store()  # refuses a damaged database before copying it
    out = Path(ctx.args.out) if ctx.args.out else None
    target = back_up_now(store, None, out=out)  # the service writes the audit event
    ctx.print(f"Backed up to {target} (verified).")
    return Exit.OK


def cmd_restore(ctx: Context) -> int:
    """An administrator's restore; the database is never opened here (the service takes its
    exclusive lock first)."""
    from vpchecklist.services.backups import restore, restore_server

    password = ctx.secrets.read(f"Password for {ctx.args.user}")
    if not isinstance(ctx.db_target, Path):
        location = str(ctx.db_target)
        done = ctx.asking_password(
            lambda db_password: restore_server(
                location,
                Path(ctx.args.file),
                ctx.args.user,
                password,
                ctx.args.other_site,
                db_password,
            )
        )
        ctx.print(f"Restored {ctx.db_label} from {ctx.args.file} (checked and audited).")
        if done.triggers_recreated:
            ctx.print(f"Re-created missing triggers: {', '.join(done.triggers_recreated)}.")
        ctx.print(
            "Grant the workstations' role its privileges on it: as the owner, run "
            "vpchecklist db setup-postgres --app-role NAME."
        )
        return Exit.OK
    result = restore(ctx.db_path, Path(ctx.args.file), ctx.args.user, password, ctx.args.other_site)
    ctx.print(f"Restored {ctx.db_path} from {ctx.args.file} (checked and audited).")
    if result.triggers_recreated:
        ctx.print(f"Re-created missing triggers: {', '.join(result.triggers_recreated)}.")
    if result.kept:
        ctx.print(f"The replaced database was kept as {result.kept}.")
    return Exit.OK


def cmd_setup_postgres(ctx: Context) -> int:
    """IT, once per server database, as its owner (see services.server_setup)."""
    from vpchecklist.services.server_setup import require_server, setup_postgres

    location = require_server(ctx.db_target)
    report = ctx.asking_password(
        lambda password: setup_postgres(location, ctx.args.app_role, password)
    )
    if ctx.args.format == "json":
        ctx.print_json(report.as_dict())
    else:
        _print_setup(ctx, report)
    for problem in report.problems:
        warn(problem[0].upper() + problem[1:] + ".")
    if report.problems:
        warn(
            f"The app role {report.app_role} still holds more than it needs (above); "
            "revoke it as the owner, then run setup-postgres again."
        )
        return Exit.CHECK_FAILED
    return Exit.OK


def _print_setup(ctx: Context, report: SetupReport) -> None:
    """One line per fact (the JSON form holds the same)."""
    from vpchecklist.store import grants

    granted, app = report.granted, report.app_role
    if report.version_before == 0:
        schema_line = f"created (version {report.version})"
    elif report.version_before < report.version:
        schema_line = f"migrated from version {report.version_before} to {report.version}"
    else:
        schema_line = f"already current (version {report.version})"
    ctx.print(f"Database: {report.database}")
    ctx.print(f"Schema {report.schema}: {schema_line}, owned by {report.owner}")
    ctx.print(f"Triggers: {report.triggers} present and enabled")
    if report.triggers_recreated:
        ctx.print(f"Triggers re-created: {', '.join(report.triggers_recreated)}")
    ctx.print(f"{app}: CONNECT on the database {granted.database}, USAGE on the schema")
    ctx.print(f"{app}: SELECT on {', '.join(granted.select)}")
    ctx.print(f"{app}: INSERT on {', '.join(granted.insert)}")
    for table, columns in granted.update.items():
        ctx.print(f"{app}: UPDATE on {table} ({', '.join(columns)})")
    ctx.print(f"{app}: DELETE on {', '.join(granted.delete)}")
    ctx.print(f"{app}: USAGE, SELECT on the sequences {', '.join(granted.sequences)}")
    ctx.print(f"{app}: no UPDATE or DELETE on {', '.join(grants.APPEND_ONLY)}")
    ctx.print(
        f"{app}: no {', '.join(grants.NEVER)} on any table; no CREATE on the schema; "
        "no TEMPORARY (revoked from PUBLIC)"
    )
    for note in report.notes:
        ctx.print(note)


def register(commands: Commands) -> None:
    db = commands.group("db", "database maintenance")
    db.add("check", cmd_check, "check integrity, foreign keys, schema version and triggers")
    p = db.add(
        "setup-postgres",
        cmd_setup_postgres,
        "create the schema as the database owner and grant the app role only what it needs "
        "(PostgreSQL; IT, once)",
    )
    p.add_argument(
        "--app-role",
        required=True,
        metavar="NAME",
        help="the existing role the workstations connect as",
    )
    p.add_argument("--format", choices=["text", "json"], default="text")
    p = commands.add("backup", cmd_backup, "write a verified backup copy of the database")
    p.add_argument("--out", metavar="FILE")
    p = commands.add(
        "restore", cmd_restore, "replace the database with a checked backup (administrators)"
    )
    p.add_argument("file", metavar="FILE")
    p.add_argument(
        "--other-site",
        action="store_true",
        help="accept a backup of another database (another site's file)",
    )
    add_user_args(p)
