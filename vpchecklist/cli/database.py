"""Database upkeep: ``db check`` and ``backup`` without sign-in, ``restore`` by an administrator.

``db check`` and ``backup`` run for whoever can reach the database file (the operating system
guards it), so that a damaged database can still be checked. ``restore`` replaces the file and
so needs an administrator: of the current database, or of the backup when the current one
cannot be read.
"""

from __future__ import annotations

from pathlib import Path

from vpchecklist.cli.arguments import Commands, add_user_args
from vpchecklist.cli.context import Context, Exit, warn
from vpchecklist.errors import ValidationError


def _require_file(ctx: Context) -> None:
    if not ctx.db_path.exists():
        raise ValidationError(None, f"There is no database at {ctx.db_path}.")


def cmd_check(ctx: Context) -> int:
    """Read-only: integrity, foreign keys, schema version and the protective triggers."""
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


def cmd_backup(ctx: Context) -> int:
    from vpchecklist.services.backups import back_up_now

    _require_file(ctx)
    store = ctx.store()  # refuses a damaged database before copying it
    out = Path(ctx.args.out) if ctx.args.out else None
    target = back_up_now(store, None, out=out)  # the service writes the audit event
    ctx.print(f"Backed up to {target} (verified).")
    return Exit.OK


def cmd_restore(ctx: Context) -> int:
    """An administrator's restore; the database is never opened here (the service takes its
    exclusive lock first)."""
    from vpchecklist.services.backups import restore

    password = ctx.secrets.read(f"Password for {ctx.args.user}")
    result = restore(ctx.db_path, Path(ctx.args.file), ctx.args.user, password, ctx.args.other_site)
    ctx.print(f"Restored {ctx.db_path} from {ctx.args.file} (checked and audited).")
    if result.triggers_recreated:
        ctx.print(f"Re-created missing triggers: {', '.join(result.triggers_recreated)}.")
    if result.kept:
        ctx.print(f"The replaced database was kept as {result.kept}.")
    return Exit.OK


def register(commands: Commands) -> None:
    db = commands.group("db", "database maintenance")
    db.add("check", cmd_check, "check integrity, foreign keys, schema version and triggers")
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
