"""``audit verify`` (the signature chain, no sign-in) and ``audit log`` (the events)."""

from __future__ import annotations

import json

from vpchecklist.cli.arguments import Commands, add_user_args, checklist_id
from vpchecklist.cli.context import Context, Exit, warn


def cmd_verify(ctx: Context) -> int:
    """Read-only: the file is opened with SQLite ``mode=ro`` and never written."""
    from vpchecklist.services import integrity

    report = integrity.verify(ctx.store(read_only=True))
    anchored = (
        f" and agrees with its anchor {report.anchor_file} (event {report.last_anchored})"
        if report.anchor_file is not None
        else " (no anchor file found to compare with)"
    )
    if report.intact:
        ctx.print(
            f"Audit chain intact: every signed record matches its hash; the "
            f"{report.events} audit event(s) are chained{anchored}."
        )
        return Exit.OK
    for problem in report.problems:
        warn(problem["message"])
    if report.last_anchored is not None and any("anchor" in p["message"] for p in report.problems):
        warn(f"Last anchored event: {report.last_anchored} (anchor file {report.anchor_file}).")
    if report.first_broken_event is not None:
        first = next((p for p in report.problems if p["event"] == report.first_broken_event), None)
        about = ""
        if first and first["checklist_id"] is not None:
            about = f", checklist {first['checklist_id']}"
        elif first and first["user"]:
            about = f", user {first['user']}"
        warn(f"First broken audit event: {report.first_broken_event}{about}.")
    ids = sorted({p["checklist_id"] for p in report.problems if p["checklist_id"] is not None})
    users = sorted({p["user"] for p in report.problems if p["user"]})
    if ids:
        warn(f"Tampering detected in checklist(s): {', '.join(map(str, ids))}.")
    elif users:
        warn(f"Tampering detected in user account(s): {', '.join(users)}.")
    else:
        warn("Tampering detected in the audit trail.")
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
    audit.add(
        "verify",
        cmd_verify,
        "check every signed record, the chain of every audit event and the anchor",
    )
    p = audit.add("log", cmd_log, "show audit events")
    p.add_argument("--checklist", type=checklist_id)
    p.add_argument("--format", choices=["table", "json"], default="table")
    add_user_args(p)
