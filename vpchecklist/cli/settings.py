"""``settings show`` and ``settings set KEY VALUE --user ADMIN``: the site settings.

``show`` needs no sign-in, like ``audit verify``: the settings hold no patient data and every
signed-in screen reads them. ``set`` goes through the audited settings service (admin only;
a refusal is audited and exits 1).
"""

from __future__ import annotations

from vpchecklist.cli.arguments import Commands, add_user_args
from vpchecklist.cli.context import Context, Exit
from vpchecklist.errors import ValidationError


def cmd_show(ctx: Context) -> int:
    from vpchecklist.services import settings

    values = settings.get_all(ctx.store())
    if ctx.args.format == "json":
        ctx.print_json(values)
        return Exit.OK
    ctx.table(["setting", "value"], [[key, value] for key, value in values.items()])
    return Exit.OK


def cmd_set(ctx: Context) -> int:
    from vpchecklist.services import settings

    key = ctx.args.key
    if key not in settings.DEFAULTS:
        known = ", ".join(settings.DEFAULTS)
        raise ValidationError(None, f"There is no setting {key[:60]!r}; the settings are {known}.")
    actor = ctx.actor()
    value = settings.update(ctx.store(), actor, {key: ctx.args.value})[key]
    ctx.print(f'Set {key} to "{value}".' if value else f"Cleared {key}.")
    return Exit.OK


def register(commands: Commands) -> None:
    group = commands.group("settings", "show or change the site settings")
    p = group.add("show", cmd_show, "show every site setting and its value")
    p.add_argument("--format", choices=["table", "json"], default="table")
    p = group.add("set", cmd_set, "change one site setting (administrators)")
    p.add_argument("key", metavar="KEY", help="idle_lock_minutes, backup_folder or site_name")
    p.add_argument("value", metavar="VALUE", help='the new value ("" clears a text setting)')
    add_user_args(p)
