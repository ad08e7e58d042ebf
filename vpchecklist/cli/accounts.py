"""Accounts: ``init`` (first administrator), ``users add/list/disable/enable/unlock``,
``passwd``."""

from __future__ import annotations

from pathlib import Path

from vpchecklist.cli.arguments import Commands, add_password_stdin, add_user_args
from vpchecklist.cli.context import Context, Exit
from vpchecklist.errors import ValidationError


def cmd_init(ctx: Context) -> int:
    from vpchecklist.services import users

    target = ctx.db_target
    existed = not isinstance(target, Path) or target.exists()  # IT creates a server database
    store = ctx.store(create=True, accept_empty_file=True)
    if users.has_users(store):
        raise ValidationError(None, f"The database {ctx.db_label} already has users.")
    full_name = ctx.args.full_name or ctx.args.admin
    password = ctx.secrets.new_password(f"New password for {ctx.args.admin}")
    admin = users.create_first_admin(store, ctx.args.admin, full_name, password)
    verb = "Initialised" if existed else "Created"
    ctx.print(f"{verb} {ctx.db_label} with administrator {admin.username}.")
    return Exit.OK


def cmd_users_add(ctx: Context) -> int:
    from vpchecklist.services import users

    actor = ctx.actor()
    password = ctx.secrets.new_password(f"Initial password for {ctx.args.username}")
    added = users.add_user(
        ctx.store(),
        actor,
        ctx.args.username,
        ctx.args.role,
        ctx.args.full_name,
        password,
        must_change_password=ctx.args.must_change_password,
    )
    note = (
        " They must choose a new password at first sign-in." if added.must_change_password else ""
    )
    ctx.print(f"Added {added.role} {added.username} ({added.full_name}).{note}")
    return Exit.OK


def cmd_users_list(ctx: Context) -> int:
    from vpchecklist.services import users

    rows = users.list_users(ctx.store(), ctx.actor())
    if ctx.args.format == "json":
        ctx.print_json(rows)
        return Exit.OK
    ctx.table(
        ["username", "role", "full name", "active"],
        [[r["username"], r["role"], r["full_name"], "yes" if r["active"] else "no"] for r in rows],
    )
    return Exit.OK


def cmd_users_disable(ctx: Context) -> int:
    from vpchecklist.services import users

    users.disable_user(ctx.store(), ctx.actor(), ctx.args.username)
    ctx.print(f"Disabled {ctx.args.username}.")
    return Exit.OK


def cmd_users_enable(ctx: Context) -> int:
    from vpchecklist.services import users

    users.enable_user(ctx.store(), ctx.actor(), ctx.args.username)
    ctx.print(f"Enabled {ctx.args.username}.")
    return Exit.OK


def cmd_users_unlock(ctx: Context) -> int:
    from vpchecklist.services import users

    users.unlock_user(ctx.store(), ctx.actor(), ctx.args.username)
    ctx.print(f"Unlocked {ctx.args.username}.")
    return Exit.OK


def cmd_passwd(ctx: Context) -> int:
    """Not :meth:`Context.actor`: a user who must change an administrator-set password cannot
    sign in until this command has run."""
    from vpchecklist.services.auth import change_password

    username = ctx.args.user
    current = ctx.secrets.read(f"Current password for {username}")
    new = ctx.secrets.new_password(f"New password for {username}")
    change_password(ctx.store(), username, current, new)
    ctx.print(f"Password changed for {username}.")
    return Exit.OK


def register(commands: Commands) -> None:
    p = commands.add("init", cmd_init, "create the database and its first administrator")
    p.add_argument("--admin", required=True, metavar="USERNAME")
    p.add_argument("--full-name", metavar="NAME")
    add_password_stdin(p)

    users = commands.group("users", "manage users (administrators)")
    p = users.add("add", cmd_users_add, "add a user")
    p.add_argument("username")
    p.add_argument("--role", required=True, choices=["nurse", "physician", "auditor", "admin"])
    p.add_argument("--full-name", required=True)
    p.add_argument(
        "--no-password-change",
        dest="must_change_password",
        action="store_false",
        help="do not make the user replace this administrator-set password at first sign-in",
    )
    add_user_args(p)
    p = users.add("list", cmd_users_list, "list users")
    p.add_argument("--format", choices=["table", "json"], default="table")
    add_user_args(p)
    p = users.add("disable", cmd_users_disable, "disable a user (users are never deleted)")
    p.add_argument("username")
    add_user_args(p)
    p = users.add("enable", cmd_users_enable, "enable a disabled user (clears a lockout too)")
    p.add_argument("username")
    add_user_args(p)
    p = users.add("unlock", cmd_users_unlock, "lift a lockout after failed sign-ins")
    p.add_argument("username")
    add_user_args(p)

    p = commands.add(
        "passwd", cmd_passwd, "change your password (current on line 1, new on line 2)"
    )
    add_user_args(p)
