"""``checklist create/sign/show/answer/acknowledge/addendum``: one checklist at a time."""

from __future__ import annotations

import json

from vpchecklist.cli.arguments import Commands, add_user_args, checklist_id
from vpchecklist.cli.context import Context, Exit, warn
from vpchecklist.cli.documents import json_object


def cmd_create(ctx: Context) -> int:
    from vpchecklist.services import checklists

    doc = json_object(ctx.args.source)
    actor = ctx.actor()
    ctx.print(str(checklists.create_from_document(ctx.store(), actor, doc)))
    return Exit.OK


def cmd_sign(ctx: Context) -> int:
    from vpchecklist.errors import SignatureError
    from vpchecklist.services import signing
    from vpchecklist.services.retries import new_request_id

    actor = ctx.actor()  # the password given here is the signature's re-authentication
    try:
        digest = signing.sign(
            ctx.store(),
            actor,
            ctx.args.id,
            ctx.password,
            ctx.args.meaning,
            ctx.args.reason,
            expect=ctx.args.expect,
            request_id=new_request_id(),  # one per command: a retry never signs twice
            notice=warn,
        )
    except SignatureError as exc:
        warn(f"Checklist {ctx.args.id} cannot be signed as {ctx.args.meaning}:")
        for blocker in exc.blockers or [str(exc)]:
            warn(f"  - {blocker}")
        return Exit.CHECK_FAILED
    ctx.print(f"Signed checklist {ctx.args.id} as {ctx.args.meaning}; record hash {digest}.")
    return Exit.OK


def cmd_show(ctx: Context) -> int:
    from vpchecklist import presentation as words
    from vpchecklist.services import checklists

    store, actor = ctx.store(), ctx.actor()
    detail = checklists.detail(store, actor, ctx.args.id)
    if ctx.args.format == "json":
        ctx.print_json(detail)
        return Exit.OK
    template = checklists.template_for(store, actor, ctx.args.id)
    header = detail["header"]
    ctx.print(f"Checklist {detail['id']} — {detail['status']}")
    ctx.print(
        f"Patient: {header['patient']['name']}  DOB {header['patient']['date_of_birth']}  "
        f"{words.mrn_words(header['patient']['mrn'])}"
    )
    ctx.print(
        f"Levels: {', '.join(header['levels'])}  planned {words.wall_time(header['planned_start'])}  "
        f"physician {header['physician']}"
    )
    ctx.print(words.times_note())
    for item_id, entry in sorted(detail["answers"].items()):
        ctx.print(
            f"  {item_id}: {words.answer_text(template.item(item_id), entry['value'], planned_start=header['planned_start'])}  "
            f"({entry['answered_by']}, {words.local_time(entry['answered_at'])})"
        )
    for sig in detail["signatures"]:
        ctx.print(
            f"Signed: {sig['printed_name']} ({words.role_name(sig['role'])}) "
            f"{words.local_time(sig['signed_at'])} — {sig['meaning_text']}"
        )
    if detail["record_hash"]:
        ctx.print(f"Record hash: {detail['record_hash']}")
    if detail["status"] == "draft":
        ctx.print(f"Content hash (sign with --expect): {detail['content_sha256']}")
    return Exit.OK


def cmd_answer(ctx: Context) -> int:
    from vpchecklist.services import checklists
    from vpchecklist.services.retries import new_request_id

    try:
        value = json.loads(ctx.args.value)
    except ValueError:  # not JSON (or a number too long to convert): checked as given
        value = ctx.args.value  # plain words such as yes / no / chest
    ev = checklists.answer(
        ctx.store(),
        ctx.actor(),
        ctx.args.id,
        ctx.args.item,
        value,
        request_id=new_request_id(),  # one per command: a retry never saves twice
        notice=warn,
    )
    for finding in ev.findings_for(ctx.args.item)["warnings"]:
        ctx.print(f"Warning: {finding}")
    ctx.print(f"Saved {ctx.args.item}.")
    return Exit.OK


def cmd_acknowledge(ctx: Context) -> int:
    from vpchecklist.services import checklists

    checklists.acknowledge(
        ctx.store(), ctx.actor(), ctx.args.id, ctx.args.item, ctx.args.reason, ctx.args.physician
    )
    ctx.print(f"Acknowledged the warning on {ctx.args.item}.")
    return Exit.OK


def cmd_addendum(ctx: Context) -> int:
    from vpchecklist.services import signing
    from vpchecklist.services.retries import new_request_id

    actor = ctx.actor()  # the password given here is the signature's re-authentication
    digest = signing.add_addendum(
        ctx.store(),
        actor,
        ctx.args.id,
        ctx.args.text,
        ctx.password,
        request_id=new_request_id(),  # one per command: a retry never signs twice
        notice=warn,
    )
    ctx.print(f"Addendum signed on checklist {ctx.args.id}; record hash {digest}.")
    return Exit.OK


def register(commands: Commands) -> None:
    checklist = commands.group("checklist", "create, answer, sign and show checklists")
    p = checklist.add("create", cmd_create, "store a draft from a checklist file")
    p.add_argument("--from", dest="source", required=True, metavar="FILE.json")
    add_user_args(p)
    p = checklist.add("sign", cmd_sign, "sign a checklist (password asked again)")
    p.add_argument("id", type=checklist_id)
    p.add_argument("--meaning", required=True, choices=["ready", "postponed"])
    p.add_argument("--reason")
    p.add_argument(
        "--expect",
        metavar="SHA256",
        help="content_sha256 from checklist show: refuse (exit 1) if the draft changed since",
    )
    add_user_args(p)
    p = checklist.add("show", cmd_show, "show a checklist")
    p.add_argument("id", type=checklist_id)
    p.add_argument("--format", choices=["text", "json"], default="text")
    add_user_args(p)
    p = checklist.add("answer", cmd_answer, "answer one item of a draft")
    p.add_argument("id", type=checklist_id)
    p.add_argument("item")
    p.add_argument("value", help="JSON value, or a plain word such as yes")
    add_user_args(p)
    p = checklist.add("acknowledge", cmd_acknowledge, "acknowledge a warning")
    p.add_argument("id", type=checklist_id)
    p.add_argument("item")
    p.add_argument("--reason", required=True)
    p.add_argument("--physician", required=True, help="the physician informed")
    add_user_args(p)
    p = checklist.add("addendum", cmd_addendum, "add a signed addendum to a closed record")
    p.add_argument("id", type=checklist_id)
    p.add_argument("--text", required=True)
    add_user_args(p)
