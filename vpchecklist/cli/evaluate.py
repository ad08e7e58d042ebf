"""``evaluate FILE.json``: the rules on a checklist document, nothing stored, no sign-in."""

from __future__ import annotations

from vpchecklist.cli.arguments import Commands
from vpchecklist.cli.context import Context, Exit, warn
from vpchecklist.cli.documents import json_object


def cmd_evaluate(ctx: Context) -> int:
    from vpchecklist.rules import evaluate_document

    doc = json_object(ctx.args.file)
    result = evaluate_document(doc)
    ctx.print_json(result.to_json())
    if result.errors:
        first = result.errors[0]
        more = f" ({len(result.errors) - 1} more in the output)" if len(result.errors) > 1 else ""
        warn(f"Invalid: {first.item}: {first.message}{more}.")
        return Exit.BAD_INPUT
    if not result.ready_to_sign:
        warn(f"Not ready to sign: {len(result.blockers())} item(s) block sign-off.")
        return Exit.CHECK_FAILED
    return Exit.OK


def register(commands: Commands) -> None:
    p = commands.add("evaluate", cmd_evaluate, "evaluate a checklist file without storing it")
    p.add_argument("file", metavar="FILE.json")
