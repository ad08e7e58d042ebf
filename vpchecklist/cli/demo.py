"""``demo --count N``: create a demo database, or add to one, with signed demo checklists.

A database this command creates is marked as a demo database at creation; any other database
is refused (exit 1) — the demo users' password is published."""

from __future__ import annotations

from vpchecklist.cli.arguments import Commands, count
from vpchecklist.cli.context import Context, Exit


def cmd_demo(ctx: Context) -> int:
    from vpchecklist import demo

    # A new file is created and marked as a demo database; an empty one may be the file a
    # second ``demo`` started at the same moment has just created.
    store = ctx.store(create=True, accept_empty_file=True, demo=True)
    for new_id in demo.generate(store, ctx.args.count, ctx.args.seed):
        ctx.print(str(new_id))
    return Exit.OK


def register(commands: Commands) -> None:
    p = commands.add(
        "demo", cmd_demo, "create (or add to) a demo database with signed demo checklists"
    )
    p.add_argument("--count", type=count, required=True)
    p.add_argument("--seed", type=int)
