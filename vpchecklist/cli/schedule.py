"""``schedule import FILE`` and ``schedule list``: the day's visits from the hospital's HL7 feed.

``import`` prints how many visits were added, updated, cancelled and refused, then one line per
refused message (its control id and why); it exits 1 when any message was refused (the others
are stored whole), 2 when the file cannot be read.
"""

from __future__ import annotations

from pathlib import Path

from vpchecklist.cli.arguments import Commands, add_user_args
from vpchecklist.cli.context import Context, Exit, warn


def cmd_import(ctx: Context) -> int:
    from vpchecklist.services import schedule

    actor = ctx.actor()
    summary = schedule.import_file(ctx.store(), actor, Path(ctx.args.file))
    counts = summary.counts()
    ctx.print(", ".join(f"{name} {number}" for name, number in counts.items()).capitalize() + ".")
    for refusal in summary.refused:
        ctx.print(f"refused {refusal.control_id}: {refusal.reason}")
    for control_id, note in summary.notes:
        ctx.print(f"note {control_id}: {note}")
    if summary.refused:
        warn(f"{len(summary.refused)} of the file's messages were refused; the rest were stored.")
        return Exit.CHECK_FAILED
    return Exit.OK


def cmd_list(ctx: Context) -> int:
    from vpchecklist.presentation import wall_time
    from vpchecklist.services import schedule

    actor = ctx.actor()
    visits = schedule.upcoming(ctx.store(), actor)
    if ctx.args.format == "json":
        ctx.print_json(
            [{k: v for k, v in visit.items() if k != "checklist_id"} for visit in visits]
        )
        return Exit.OK
    ctx.table(
        ["id", "planned start", "mrn", "name", "levels", "physician", "status"],
        [
            [
                str(v["id"]),
                wall_time(v["planned_start"]),
                v["mrn"],
                v["name"],
                ", ".join(v["levels"]) or "—",
                v["physician"] or "—",
                v["status"],
            ]
            for v in visits
        ],
    )
    return Exit.OK


def register(commands: Commands) -> None:
    group = commands.group("schedule", "the day's visits from the hospital's HL7 schedule")
    p = group.add(
        "import",
        cmd_import,
        "import HL7 v2 SIU (S12/S13/S14/S15/S17) and ORM^O01 messages, plain or MLLP-framed",
    )
    p.add_argument("file", metavar="FILE", help="a file of one or many HL7 messages")
    add_user_args(p)
    p = group.add("list", cmd_list, "the visits planned from today on, soonest first")
    p.add_argument("--format", choices=["table", "json"], default="table")
    add_user_args(p)
