"""Database upkeep without sign-in: ``db check``, ``backup``, ``restore``.

These run for whoever can reach the database file (the operating system guards it), so that a
damaged database whose users table cannot be read can still be checked and restored.
"""

from __future__ import annotations

from pathlib import Path

from vpchecklist.cli.arguments import Commands
from vpchecklist.cli.context import Context, Exit, warn
from vpchecklist.errors import ValidationError


def _require_file(ctx: Context) -> None:
    if not ctx.db_path.exists():
        raise ValidationError(None, f"There is no database at {ctx.db_path}.")


def cmd_check(ctx: Context) -> int:
    from vpchecklist.store.backup import check_file

    _require_file(ctx)
    problems = check_file(ctx.db_path)
    if not problems:
        problems = ctx.store().integrity_problems()
    if problems:
        for problem in problems[:20]:
            warn(problem)
        warn(
            f"The database {ctx.db_path} has problems; restore a backup (vpchecklist restore FILE)."
        )
        return Exit.CHECK_FAILED
    ctx.print(f"Database {ctx.db_path} is healthy (integrity, foreign keys, schema version).")
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
    from vpchecklist.store.backup import restore_from

    kept = restore_from(Path(ctx.args.file), ctx.db_path)
    ctx.print(f"Restored {ctx.db_path} from {ctx.args.file}.")
    if kept:
        ctx.print(f"The replaced database was kept as {kept}.")
    return Exit.OK


def register(commands: Commands) -> None:
    db = commands.group("db", "database maintenance")
    db.add("check", cmd_check, "check integrity, foreign keys and schema version")
    p = commands.add("backup", cmd_backup, "write a verified backup copy of the database")
    p.add_argument("--out", metavar="FILE")
    p = commands.add("restore", cmd_restore, "replace the database with a verified backup")
    p.add_argument("file", metavar="FILE")
