"""``list``: checklists by status, MRN and planned date, newest first."""

from __future__ import annotations

from vpchecklist.cli.arguments import Commands, add_user_args, count
from vpchecklist.cli.context import Context, Exit, warn

COLUMNS = [
    "id",
    "status",
    "planned",
    "mrn",
    "patient",
    "levels",
    "progress",
    "signed by",
    "signed at",
]


def cmd_list(ctx: Context) -> int:
    from vpchecklist.presentation import local_time, wall_time
    from vpchecklist.services import checklists

    filters = checklists.Filters(
        status=ctx.args.status,
        mrn=ctx.args.mrn,
        date_from=ctx.args.date_from,
        date_to=ctx.args.date_to,
    )
    store, actor = ctx.store(), ctx.actor()
    rows = checklists.search(store, actor, filters, limit=ctx.args.limit)
    if ctx.args.limit and len(rows) == ctx.args.limit:
        total = checklists.count(store, actor, filters)
        if total > len(rows):
            warn(f"Showing the newest {len(rows)} of {total} checklists; --limit 0 shows all.")
    if ctx.args.format == "json":
        ctx.print_json(rows)
        return Exit.OK
    ctx.table(
        COLUMNS,
        [
            [
                str(r["id"]),
                r["status"],
                wall_time(r["planned_start"]),
                r["mrn"],
                r["patient_name"],
                ",".join(r["levels"]),
                f"{r['progress']}%",
                r["signed_by"] or "",
                local_time(r["signed_at"]),
            ]
            for r in rows
        ],
    )
    return Exit.OK


def register(commands: Commands) -> None:
    p = commands.add("list", cmd_list, "list checklists")
    p.add_argument("--status", choices=["draft", "signed", "postponed"])
    p.add_argument("--mrn")
    p.add_argument("--from", dest="date_from", metavar="YYYY-MM-DD")
    p.add_argument("--to", dest="date_to", metavar="YYYY-MM-DD")
    p.add_argument(
        "--limit",
        type=count,
        default=100,
        help="at most this many, newest first (default 100; 0 = all)",
    )
    p.add_argument("--format", choices=["table", "json"], default="table")
    add_user_args(p)
