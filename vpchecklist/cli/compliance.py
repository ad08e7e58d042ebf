"""``metrics`` and ``report``: completion metrics per checklist, and the compliance report PDF,
over a period of planned starts (auditors)."""

from __future__ import annotations

import argparse
import csv
import io
from datetime import date
from pathlib import Path

from vpchecklist.cli.arguments import Commands, add_user_args
from vpchecklist.cli.context import Context, Exit

#: The ``metrics`` row, in this order for CSV (the first eight are the contract of issue 15).
COLUMNS = [
    "id",
    "status",
    "total_seconds",
    "rushed",
    "imported",
    "fast_answers",
    "changed_answers",
    "timeout_timing",
    "answered",
    "imported_answers",
    "planned_start",
    "rushed_because",
]


def _day(text: str) -> str:
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text[:30]!r} is not a date as YYYY-MM-DD") from None


def _query(ctx: Context):  # type: ignore[no-untyped-def]
    from vpchecklist.services.metrics import RangeQuery

    args = ctx.args
    return RangeQuery(args.date_from, args.date_to, args.nurse, args.physician)


def _csv_cell(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def cmd_metrics(ctx: Context) -> int:
    from vpchecklist.services import metrics

    records = metrics.records_in_range(ctx.store(), ctx.actor(), _query(ctx))
    rows = [record.row() for record in records]
    if ctx.args.format == "json":
        ctx.print_json(rows)
        return Exit.OK
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([_csv_cell(row[column]) for column in COLUMNS])
    ctx.out.write(buffer.getvalue())
    ctx.out.flush()
    return Exit.OK


def cmd_report(ctx: Context) -> int:
    from vpchecklist.services import metrics

    out = Path(ctx.args.out)
    figures = metrics.write_compliance_report(
        ctx.store(), ctx.actor(), _query(ctx), out, replace=ctx.args.force
    )
    ctx.print(
        f"Wrote {out}: {figures.started.count} checklists, {figures.rushed.count} flagged rushed."
    )
    return Exit.OK


def _period(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--from", dest="date_from", type=_day, required=True, metavar="YYYY-MM-DD")
    parser.add_argument("--to", dest="date_to", type=_day, required=True, metavar="YYYY-MM-DD")
    parser.add_argument("--nurse", metavar="USERNAME", help="only checklists this user started")
    parser.add_argument("--physician", metavar="NAME", help="only this header physician")


def register(commands: Commands) -> None:
    p = commands.add(
        "metrics",
        cmd_metrics,
        "completion metrics per checklist planned in a period (auditors)",
    )
    _period(p)
    p.add_argument("--format", choices=["json", "csv"], default="json")
    add_user_args(p)
    p = commands.add(
        "report",
        cmd_report,
        "the compliance report PDF for a period: figures, charts, flagged checklists (auditors)",
    )
    _period(p)
    p.add_argument("--out", required=True, metavar="FILE.pdf")
    p.add_argument("--force", action="store_true", help="replace an existing file")
    add_user_args(p)
