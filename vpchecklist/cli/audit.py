"""``audit verify`` (the signature chain, no sign-in) and ``audit log`` (the events)."""

from __future__ import annotations

import json

from vpchecklist.cli.arguments import Commands, add_user_args, checklist_id
from vpchecklist.cli.context import Context, Exit, warn


def cmd_verify(ctx: Context) -> int:
    from vpchecklist.services import signing

    problems = signing.verify_chain(ctx.store())
    if not problems:
        ctx.print("Audit chain intact: every signed record matches its hash.")
        return Exit.OK
    ids = sorted({p["checklist_id"] for p in problems if p["checklist_id"] is not None})
    for problem in problems:
        warn(problem["message"])
    warn(f"Tampering detected in checklist(s): {', '.join(map(str, ids))}.")
    return Exit.CHECK_FAILED


def cmd_log(ctx: Context) -> int:
    from vpchecklist.presentation import local_time, times_note
    from vpchecklist.services import audit

    events = audit.events(ctx.store(), ctx.actor(), ctx.args.checklist)
    if ctx.args.format == "json":
        ctx.print_json(events)
        return Exit.OK
    ctx.print(times_note())
    ctx.table(
        ["at", "user", "action", "outcome", "checklist", "detail"],
        [
            [
                local_time(e["at"], seconds=True),
                e["user"] or "",
                e["action"],
                e["outcome"],
                str(e["checklist_id"] or ""),
                json.dumps(e["detail"], ensure_ascii=False)[:60],
            ]
            for e in events
        ],
    )
    return Exit.OK


def register(commands: Commands) -> None:
    audit = commands.group("audit", "verify the signature chain, read the audit log")
    audit.add("verify", cmd_verify, "check every signed record against its hash chain")
    p = audit.add("log", cmd_log, "show audit events")
    p.add_argument("--checklist", type=checklist_id)
    p.add_argument("--format", choices=["table", "json"], default="table")
    add_user_args(p)
