"""``demo --count N``: fill a new or demo database with signed demo checklists."""

from __future__ import annotations

from vpchecklist.cli.arguments import Commands, count
from vpchecklist.cli.context import Context, Exit


def cmd_demo(ctx: Context) -> int:
    from vpchecklist import demo

    store = ctx.store(create=True)
    for new_id in demo.generate(store, ctx.args.count, ctx.args.seed):
        ctx.print(str(new_id))
    return Exit.OK


def register(commands: Commands) -> None:
    p = commands.add("demo", cmd_demo, "fill a new or demo database with signed demo checklists")
    p.add_argument("--count", type=count, required=True)
    p.add_argument("--seed", type=int)
