"""The compliance report PDF: figures in, bytes out (reportlab, charts with reportlab graphics).

The same ``compliance.Figures`` the dashboard shows, so the report's numbers are the
dashboard's and ``vpchecklist metrics``'s by construction; a test reads them back with pypdf.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import Flowable

from vpchecklist.compliance import (
    PALETTE,
    TIMEOUT_WORDS,
    Figure,
    Figures,
    RecordMetrics,
    percent,
)
from vpchecklist.export.fonts import BOLD, REGULAR, register_fonts
from vpchecklist.metrics import duration_text
from vpchecklist.presentation import wall_time

_WIDTH = A4[0] - 36 * mm


def _styles() -> dict[str, ParagraphStyle]:
    body = ParagraphStyle("body", fontName=REGULAR, fontSize=9.5, leading=12.5)
    return {
        "title": ParagraphStyle("title", parent=body, fontName=BOLD, fontSize=16, leading=20),
        "h2": ParagraphStyle(
            "h2", parent=body, fontName=BOLD, fontSize=11.5, leading=15, spaceBefore=10
        ),
        "body": body,
        "small": ParagraphStyle("small", parent=body, fontSize=8, leading=10),
    }


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _short(label: str, limit: int = 42) -> str:
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def _headline_rows(figures: Figures) -> list[list[str]]:
    median = "—" if figures.median_seconds is None else duration_text(figures.median_seconds)
    return [
        ["Checklists started", str(figures.started.count)],
        ["Signed ready", str(figures.signed_ready.count)],
        ["Postponed", str(figures.postponed.count)],
        ["Still draft", str(figures.drafts.count)],
        ["Median time to complete", median],
        [
            "Flagged rushed",
            f"{figures.rushed.count} of {figures.timed.count} timed ({percent(figures.rushed_rate)})",
        ],
        ["With imported answers (not timed)", str(figures.imported.count)],
    ] + [[f"Time-out: {TIMEOUT_WORDS[f.label]}", str(f.count)] for f in figures.timeout_timing]


def _table(rows: list[list[str]], widths: Sequence[float], header: bool = False) -> Table:
    table = Table(rows, colWidths=list(widths), hAlign="LEFT", repeatRows=1 if header else 0)
    style = [
        ("FONTNAME", (0, 0), (-1, -1), REGULAR),
        ("FONTSIZE", (0, 0), (-1, -1), 9),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#BBBBBB")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    if header:
        style.append(("FONTNAME", (0, 0), (-1, 0), BOLD))
    table.setStyle(TableStyle(style))
    return table


def _bars(
    title: str, figures: Sequence[Figure], colour: str | Sequence[str], height: float = 0
) -> Drawing:
    """A labelled horizontal bar chart, one bar per figure, its count at the bar's end."""
    rows = max(1, len(figures))
    height = height or 28 + 16 * rows
    drawing = Drawing(_WIDTH, height)
    chart = HorizontalBarChart()
    chart.x, chart.y = 190, 8
    chart.width, chart.height = _WIDTH - 230, height - 30
    chart.data = [[f.count for f in figures] or [0]]
    chart.categoryAxis.categoryNames = [_short(f.label) for f in figures] or ["(none)"]
    chart.categoryAxis.reverseDirection = True
    chart.categoryAxis.labels.fontName = REGULAR
    chart.categoryAxis.labels.fontSize = 8
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = max([f.count for f in figures] + [1]) * 1.15
    chart.valueAxis.labels.fontName = REGULAR
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.visible = False
    chart.barLabelFormat = "%d"
    chart.barLabels.fontName = REGULAR
    chart.barLabels.fontSize = 8
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    if isinstance(colour, str):
        chart.bars[0].fillColor = colors.HexColor(colour)
    else:
        for n, c in enumerate(colour):
            chart.bars[(0, n)].fillColor = colors.HexColor(c)
    chart.bars.strokeColor = None
    drawing.add(chart)
    drawing.add(String(0, height - 12, title, fontName=BOLD, fontSize=10))
    return drawing


def _weekly(figures: Figures) -> Drawing:
    """Started and flagged-rushed checklists per week (week starting Monday)."""
    height = 150.0
    drawing = Drawing(_WIDTH, height)
    chart = VerticalBarChart()
    chart.x, chart.y = 30, 30
    chart.width, chart.height = _WIDTH - 40, height - 60
    weeks = figures.weeks[-26:]  # half a year at most stays legible
    chart.data = [[len(w.started) for w in weeks] or [0], [len(w.rushed) for w in weeks] or [0]]
    chart.categoryAxis.categoryNames = [w.start.strftime("%d %b") for w in weeks] or [""]
    chart.categoryAxis.labels.fontName = REGULAR
    chart.categoryAxis.labels.fontSize = 6.5
    chart.categoryAxis.labels.angle = 45 if len(weeks) > 10 else 0
    chart.categoryAxis.labels.boxAnchor = "ne" if len(weeks) > 10 else "n"
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontName = REGULAR
    chart.valueAxis.labels.fontSize = 7
    chart.bars[0].fillColor = colors.HexColor(PALETTE["started"])
    chart.bars[1].fillColor = colors.HexColor(PALETTE["rushed"])
    chart.bars.strokeColor = None
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = _WIDTH - 170, height - 4
    legend.fontName = REGULAR
    legend.fontSize = 8
    legend.columnMaximum = 1
    legend.alignment = "right"
    legend.colorNamePairs = [
        (colors.HexColor(PALETTE["started"]), "started"),
        (colors.HexColor(PALETTE["rushed"]), "flagged rushed"),
    ]
    drawing.add(legend)
    drawing.add(String(0, height - 12, "Weekly trend", fontName=BOLD, fontSize=10))
    return drawing


def _flagged(records: Sequence[RecordMetrics], styles: dict[str, ParagraphStyle]) -> Flowable:
    rushed = [r for r in records if r.completion.rushed]
    if not rushed:
        return Paragraph("No checklist in this period was flagged rushed.", styles["body"])
    rows = [["Id", "Planned start", "Status", "Started by", "Why flagged"]]
    for r in rushed:
        rows.append(
            [
                str(r.checklist_id),
                wall_time(r.planned_start),
                r.status,
                r.started_by,
                Paragraph(_escape(r.completion.rushed_because), styles["small"]),
            ]
        )
    widths = [12 * mm, 38 * mm, 21 * mm, 30 * mm, _WIDTH - 101 * mm]
    return _table(rows, widths, header=True)  # type: ignore[arg-type]


def render_report(
    figures: Figures,
    records: Sequence[RecordMetrics],
    site_name: str,
    generated_at: str,
) -> bytes:
    """The monthly compliance report for ``figures``' period; ``records`` are the same
    records the figures were summed from (their flagged ones are listed)."""
    register_fonts()
    styles = _styles()
    site = site_name or "Site name not set"
    period = f"{figures.date_from} to {figures.date_to}"
    story: list[Flowable] = [
        Paragraph("Checklist compliance report", styles["title"]),
        Paragraph(
            _escape(f"{site} · period {period} (planned start, both days included)"), styles["body"]
        ),
        Paragraph(f"Generated {_escape(generated_at)}", styles["small"]),
        Spacer(0, 6),
        Paragraph("Figures", styles["h2"]),
        _table(_headline_rows(figures), [80 * mm, _WIDTH - 80 * mm]),
        Spacer(0, 8),
        _weekly(figures),
        KeepTogether(
            [
                _bars(
                    "Time-out timing",
                    [Figure(TIMEOUT_WORDS[f.label], f.ids) for f in figures.timeout_timing],
                    [PALETTE[f.label] for f in figures.timeout_timing],
                )
            ]
        ),
        KeepTogether(
            [_bars("Postponed, by hard stop", figures.postponed_by_stop, PALETTE["postponed"])]
        ),
        KeepTogether(
            [_bars("Warnings acknowledged, by item", figures.warnings_by_type, PALETTE["warning"])]
        ),
        Paragraph("Checklists flagged rushed", styles["h2"]),
        Paragraph(
            "Rushed: a section of at least the template's minimum number of items answered at "
            "a median under its threshold per item, or a whole checklist answered faster than "
            "its threshold (template values). A flag never blocked signing; it asks for a look.",
            styles["small"],
        ),
        Spacer(0, 4),
        _flagged(records, styles),
    ]
    buffer = io.BytesIO()

    def footer(canvas, doc) -> None:  # type: ignore[no-untyped-def]
        canvas.saveState()
        canvas.setFont(REGULAR, 7.5)
        canvas.drawString(18 * mm, 10 * mm, f"{site} · compliance report {period}")
        canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, f"Page {doc.page}")
        canvas.restoreState()

    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=18 * mm,
        title=f"Checklist compliance report {period}",
        author=site,
    )
    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
