"""The PDF copy of a checklist record (reportlab platypus).

The input is the dict of ``services.checklists.detail`` plus the record's template (for labels),
so the PDF shows exactly what the database holds. Layout: a header on every page (patient,
DOB, MRN, levels, record id, allergy alert), "page X of Y" in the footer, one table per section
(item, answer with its findings, who and when), warnings with their acknowledgements, stops,
the signature block, addenda with their signatures, and the record hash with a QR code.

Machine-readable binding: the PDF's Keywords metadata carries ``checklist-id=N`` and
``record-sha256=HEX`` (see ``read_binding``) so that ``verify`` can read them back.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.barcode import qrencoder
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from vpchecklist.export.answers import (
    NOT_ANSWERED,
    answer_lines,
    local_short,
    local_text,
    utc_text,
)
from vpchecklist.export.fonts import BOLD, OBLIQUE, REGULAR, register_fonts
from vpchecklist.export.textblock import Run, TextBlock
from vpchecklist.templates import Template

APP_NAME = "VP Checklist"
PAPERS = {"A4": A4, "LETTER": LETTER}
MARGIN = 15 * mm
KEYWORD_ID = "checklist-id"
KEYWORD_HASH = "record-sha256"

INK = colors.HexColor("#1a1a1a")
MUTED = colors.HexColor("#5c5c5c")
RULE = colors.HexColor("#9a9a9a")
GRID = colors.HexColor("#c8c8c8")
HEAD_BG = colors.HexColor("#e8ecf0")
WARN = colors.HexColor("#9a5b00")
STOP = colors.HexColor("#b00020")
OK = colors.HexColor("#1d6b2f")
WARN_BG = colors.HexColor("#fff4e0")
STOP_BG = colors.HexColor("#fde8ea")
OK_BG = colors.HexColor("#e6f3e8")

STATUS_TEXT = {
    "signed": "SIGNED — ready for procedure",
    "postponed": "NOT READY — procedure postponed",
    "draft": "DRAFT — not signed, not a valid record",
}


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=REGULAR, fontSize=8.5, leading=10.6, textColor=INK)
    return {
        "body": base,
        "small": ParagraphStyle("small", base, fontSize=7.5, leading=9.2, textColor=MUTED),
        "bold": ParagraphStyle("bold", base, fontName=BOLD),
        "th": ParagraphStyle("th", base, fontName=BOLD, fontSize=8, leading=10),
        "h1": ParagraphStyle("h1", base, fontName=BOLD, fontSize=13, leading=16, spaceAfter=2),
        "h2": ParagraphStyle(
            "h2", base, fontName=BOLD, fontSize=10.5, leading=13, spaceBefore=8, spaceAfter=4
        ),
        "warn": ParagraphStyle("warn", base, textColor=WARN),
        "stop": ParagraphStyle("stop", base, textColor=STOP),
        "ack": ParagraphStyle("ack", base, fontSize=7.5, leading=9.2, textColor=INK),
        "mono": ParagraphStyle("mono", base, fontSize=7.5, leading=9.2),
        "right": ParagraphStyle("right", base, alignment=TA_RIGHT),
    }


_STYLES: dict[str, ParagraphStyle] = {}


def styles() -> dict[str, ParagraphStyle]:
    if not _STYLES:
        register_fonts()
        _STYLES.update(_styles())
    return _STYLES


def _e(text: Any) -> str:
    """Escape text for a Paragraph; keep line breaks."""
    return escape(str(text)).replace("\n", "<br/>")


def _breakable(text: str) -> str:
    """Allow long unbroken runs (hashes, ids) to wrap: a zero-width space every 16 characters."""
    return re.sub(r"(\S{16})(?=\S)", "\\1\u200b", text)


def _p(text: str, style: str = "body") -> Paragraph:
    return Paragraph(text, styles()[style])


# ---------------------------------------------------------------------------------------------
# Page furniture: header, footer ("page X of Y"), watermark


class _Furniture:
    """Draws the per-page header/footer; knows the header's height before layout starts."""

    def __init__(self, record: dict[str, Any], template: Template, pagesize: tuple[float, float]):
        self.record = record
        self.width, self.height = pagesize
        self.inner = self.width - 2 * MARGIN
        header = record["header"]
        patient = header["patient"]
        regions = record.get("evaluation", {}).get("regions") or []
        levels = ", ".join(header["levels"])
        if regions:
            levels += f" ({', '.join(regions)})"
        st = styles()
        self.title = Paragraph(
            f"{_e(template.title)}<br/>"
            f'<font size="7.5" color="#5c5c5c">{APP_NAME} · template {_e(template.id)} '
            f"v{_e(template.version)}</font>",
            ParagraphStyle("ht", st["bold"], fontSize=9, leading=11),
        )
        self.record_box = Paragraph(
            f"Record #{record['id']}<br/>"
            f'<font size="7.5" color="#5c5c5c">{_e(record["status"].upper())}</font>',
            ParagraphStyle("hr", st["bold"], fontSize=9, leading=11, alignment=TA_RIGHT),
        )
        self.patient = Paragraph(
            f'<font name="{BOLD}" size="11">{_e(patient["name"])}</font>'
            f"&nbsp;&nbsp; DOB {_e(patient['date_of_birth'])} &nbsp;·&nbsp; "
            f"MRN {_e(patient['mrn'])} &nbsp;·&nbsp; Levels {_e(levels)}",
            ParagraphStyle("hp", st["body"], fontSize=9, leading=13),
        )
        flags = record.get("evaluation", {}).get("allergy_flags") or []
        self.allergy = (
            Paragraph(
                "ALLERGY ALERT: "
                + "; ".join(
                    f"{_e(f['label'])} ({_e(', '.join(f.get('matches', [])))})" for f in flags
                ),
                ParagraphStyle("ha", st["bold"], fontSize=8.5, leading=10.5, textColor=STOP),
            )
            if flags
            else None
        )
        self._heights = self._measure()
        self.header_height = sum(self._heights) + 4 * mm

    def _measure(self) -> list[float]:
        title_w = self.inner * 0.72
        heights = [
            max(
                self.title.wrap(title_w, self.height)[1],
                self.record_box.wrap(self.inner - title_w, self.height)[1],
            ),
            self.patient.wrap(self.inner, self.height)[1] + 1.5,
        ]
        if self.allergy is not None:
            heights.append(self.allergy.wrap(self.inner, self.height)[1] + 1)
        return heights

    def draw_header(self, canvas: Canvas) -> None:
        top = self.height - MARGIN * 0.8
        title_w = self.inner * 0.72
        y = top - self._heights[0]
        self.title.drawOn(canvas, MARGIN, y + self._heights[0] - self.title.height)
        self.record_box.drawOn(
            canvas, MARGIN + title_w, y + self._heights[0] - self.record_box.height
        )
        y -= self._heights[1]
        self.patient.drawOn(canvas, MARGIN, y)
        if self.allergy is not None:
            y -= self._heights[2]
            self.allergy.drawOn(canvas, MARGIN, y)
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.6)
        canvas.line(MARGIN, y - 2 * mm, self.width - MARGIN, y - 2 * mm)

    def draw_footer(self, canvas: Canvas, page: int, total: int) -> None:
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.4)
        canvas.line(MARGIN, MARGIN * 0.8 + 9, self.width - MARGIN, MARGIN * 0.8 + 9)
        canvas.setFont(REGULAR, 7)
        canvas.setFillColor(MUTED)
        digest = self.record.get("record_hash") or "none (unsigned draft)"
        canvas.drawString(MARGIN, MARGIN * 0.8, f"Record #{self.record['id']} · SHA-256 {digest}")
        canvas.setFont(BOLD, 7.5)
        canvas.setFillColor(INK)
        canvas.drawRightString(self.width - MARGIN, MARGIN * 0.8, f"Page {page} of {total}")

    def draw_watermark(self, canvas: Canvas) -> None:
        canvas.saveState()
        canvas.setFillColor(STOP, alpha=0.13)
        canvas.setFont(BOLD, 120)
        canvas.translate(self.width / 2, self.height / 2)
        canvas.rotate(52)
        canvas.drawCentredString(0, -40, "DRAFT")
        canvas.restoreState()


def _canvas_class(furniture: _Furniture, draft: bool) -> type[Canvas]:
    """A canvas that defers each page so the footer can say "page X of Y" in one pass."""

    class _Canvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs["initialFontName"] = REGULAR  # no stray Helvetica on the pages
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # noqa: N802 (reportlab API)
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                furniture.draw_header(self)
                furniture.draw_footer(self, number, total)
                if draft:
                    furniture.draw_watermark(self)
                Canvas.showPage(self)
            Canvas.save(self)

    return _Canvas


# ---------------------------------------------------------------------------------------------
# Content


def _table(
    rows: list[list[Any]], widths: list[float], header: bool = True, extra: list[Any] | None = None
) -> Table:
    # Cells as lists so that a row taller than the rest of the page splits inside the row.
    cells = [[[c] if isinstance(c, Flowable) else c for c in row] for row in rows]
    table = Table(
        cells, colWidths=widths, repeatRows=1 if header else 0, hAlign="LEFT", splitInRow=24
    )
    style: list[Any] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("GRID", (0, 0), (-1, -1), 0.35, GRID),
        ("LEFTPADDING", (0, 0), (-1, -1), 3.5),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3.5),
        ("TOPPADDING", (0, 0), (-1, -1), 2.2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.6),
        ("FONTNAME", (0, 0), (-1, -1), REGULAR),
        ("FONTSIZE", (0, 0), (-1, -1), 8.5),
        ("LEADING", (0, 0), (-1, -1), 10.6),
        ("TEXTCOLOR", (0, 0), (-1, -1), INK),
    ]
    if header:
        style.append(("BACKGROUND", (0, 0), (-1, 0), HEAD_BG))
    table.setStyle(TableStyle(style + (extra or [])))
    return table


_RUN_STYLES: dict[str, tuple[str, float, Any, float]] = {
    "body": (REGULAR, 8.5, INK, 10.6),
    "bold": (BOLD, 8.5, INK, 10.6),
    "key": (BOLD, 8, INK, 10.2),
    "small": (REGULAR, 7.5, MUTED, 9.2),
    "id": (REGULAR, 6.5, MUTED, 8.2),
    "italic": (OBLIQUE, 8.5, MUTED, 10.6),
    "warn": (REGULAR, 8.5, WARN, 10.6),
    "warn_bold": (BOLD, 8.5, WARN, 10.6),
    "stop": (REGULAR, 8.5, STOP, 10.6),
    "stop_bold": (BOLD, 8.5, STOP, 10.6),
    "ack": (REGULAR, 7.5, INK, 9.2),
    "mono": (REGULAR, 7.5, INK, 9.2),
}


def _run(text: str, style: str = "body", space_before: float = 0.0) -> Run:
    font, size, colour, leading = _RUN_STYLES[style]
    return Run(text, font, size, colour, leading, space_before)


def _block(*runs: Run) -> TextBlock:
    return TextBlock(list(runs))


def _t(text: str, style: str = "body") -> TextBlock:
    return TextBlock([_run(text, style)])


def _findings_by_item(record: dict[str, Any], key: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for finding in record.get("evaluation", {}).get(key, []):
        out.setdefault(finding["item"], []).append(finding["message"])
    return out


def _who(ack_or_answer: dict[str, Any], prefix: str) -> str:
    return ack_or_answer.get(f"{prefix}_by_name") or ack_or_answer.get(f"{prefix}_by") or ""


def _ack_run(ack: dict[str, Any]) -> Run:
    return _run(
        f"Acknowledged — reason: {ack['reason']}; physician informed: "
        f"{ack['physician_informed']}; by {_who(ack, 'acknowledged')}, "
        f"{local_short(ack['acknowledged_at'])}",
        "ack",
        2,
    )


def _requirement_text(template: Template, item_id: str, required: str | None) -> str | None:
    if not required:
        return None
    for derivation in template.derivations.values():
        if derivation.item == item_id:
            explanation = derivation.explanations.get(required)
            item = template.item(item_id)
            label = item.option_label(required) if item else required
            return f"Derived from the levels: {explanation or label}"
    return None


def _answer_cell(
    template: Template,
    record: dict[str, Any],
    item_id: str,
    warnings: dict[str, list[str]],
    stops: dict[str, list[str]],
) -> TextBlock:
    item = template.item(item_id)
    answer = record["answers"].get(item_id)
    runs: list[Run] = []
    if answer is None:
        runs.append(_run(NOT_ANSWERED, "italic"))
    else:
        lines = answer_lines(item, answer["value"])
        if item is not None and item.kind == "allergies" and len(lines) > 1:
            lines = ["• " + line for line in lines]
        runs.append(_run("\n".join(lines)))
    requirement = _requirement_text(
        template, item_id, record.get("evaluation", {}).get("requirements", {}).get(item_id)
    )
    if requirement:
        runs.append(_run(requirement, "small", 1))
    runs += [_run(f"HARD STOP: {m}", "stop_bold", 2) for m in stops.get(item_id, [])]
    runs += [_run(f"WARNING: {m}", "warn_bold", 2) for m in warnings.get(item_id, [])]
    ack = record["acknowledgements"].get(item_id)
    if ack is not None:
        runs.append(_ack_run(ack))
    return TextBlock(runs)


def _who_cell(record: dict[str, Any], item_id: str) -> TextBlock:
    answer = record["answers"].get(item_id)
    if answer is None:
        return _t("—", "small")
    return _block(_run(_who(answer, "answered")), _run(local_short(answer["answered_at"]), "small"))


def _summary(record: dict[str, Any], template: Template, width: float) -> list[Flowable]:
    header = record["header"]
    status = record["status"]
    colour, background = {
        "signed": (OK, OK_BG),
        "postponed": (STOP, STOP_BG),
    }.get(status, (WARN, WARN_BG))
    banner_runs = [_run(STATUS_TEXT.get(status, status), "bold")]
    record_signature = next(
        (s for s in record["signatures"] if s["meaning"] in ("ready", "postponed")), None
    )
    if status == "postponed" and record_signature and record_signature.get("reason"):
        banner_runs.append(
            _run(f"Reason for postponement: {record_signature['reason']}", "body", 2)
        )
    banner = Table(
        [[TextBlock(banner_runs)]],
        colWidths=[width],
        style=TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), REGULAR),
                ("BACKGROUND", (0, 0), (-1, -1), background),
                ("BOX", (0, 0), (-1, -1), 0.8, colour),
                ("LEFTPADDING", (0, 0), (-1, -1), 6),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
            ]
        ),
    )
    levels = ", ".join(header["levels"])
    regions = record.get("evaluation", {}).get("regions") or []
    patient = header["patient"]
    pairs = [
        ("Patient", patient["name"], "bold"),
        ("Date of birth", patient["date_of_birth"], "body"),
        ("MRN", patient["mrn"], "body"),
        ("Levels", f"{levels} ({', '.join(regions)})" if regions else levels, "bold"),
        ("Planned start", f"{header['planned_start'].replace('T', ' ')} (local)", "body"),
        ("Interventional radiologist", header["physician"], "body"),
        (
            "Created",
            f"{record.get('created_by', '')}, {local_text(record.get('created_at'))}",
            "body",
        ),
        ("Workstation time zone", header.get("timezone", ""), "body"),
        ("Template", f"{template.title} — id {template.id}, version {template.version}", "body"),
        ("Template SHA-256", record["template"]["hash"], "mono"),
    ]
    rows = [[_t(k, "key"), _t(v, style)] for k, v, style in pairs]
    info = _table(rows, [0.26 * width, 0.74 * width], header=False)
    return [banner, Spacer(1, 6), info]


def _sections(record: dict[str, Any], template: Template, width: float) -> list[Flowable]:
    warnings = _findings_by_item(record, "warnings")
    stops = _findings_by_item(record, "stops")
    widths = [0.36 * width, 0.40 * width, 0.24 * width]
    head = [_t("Item", "key"), _t("Answer", "key"), _t("Answered by, when (local time)", "key")]
    out: list[Flowable] = []
    for number, section in enumerate(template.sections, start=1):
        title = f"{number}. {_e(section.title)}"
        if section.subtitle:
            title += (
                f' <font name="{REGULAR}" size="8.5" color="#5c5c5c">— {_e(section.subtitle)}'
                "</font>"
            )
        rows: list[list[Any]] = [head]
        shading: list[Any] = []
        for item in section.items:
            required = " · required" if item.required else ""
            label = _block(_run(item.label), _run(f"{item.id}{required}", "id", 1))
            if item.id in stops:
                shading.append(("BACKGROUND", (0, len(rows)), (-1, len(rows)), STOP_BG))
            elif item.id in warnings:
                shading.append(("BACKGROUND", (0, len(rows)), (-1, len(rows)), WARN_BG))
            rows.append(
                [
                    label,
                    _answer_cell(template, record, item.id, warnings, stops),
                    _who_cell(record, item.id),
                ]
            )
        heading = _p(title, "h2")
        heading.keepWithNext = True
        # The heading stays with the table's first rows; the table may split across pages,
        # repeating its header row.
        out += [heading, _table(rows, widths, extra=shading)]
    return out


def _label_of(template: Template, item_id: str) -> str:
    if item_id == "levels":
        return "Treated levels"
    item = template.item(item_id)
    return item.label if item else item_id


def _findings(record: dict[str, Any], template: Template, width: float) -> list[Flowable]:
    ev = record.get("evaluation", {})
    out: list[Flowable] = []
    warnings = ev.get("warnings", [])
    out.append(_p("Warnings and acknowledgements", "h2"))
    if warnings:
        rows: list[list[Any]] = [
            [_t("Item", "key"), _t("Warning", "key"), _t("Acknowledgement", "key")]
        ]
        for w in warnings:
            ack = record["acknowledgements"].get(w["item"])
            if ack is not None:
                ack_cell = _block(
                    _run(f"Reason: {ack['reason']}"),
                    _run(f"Physician informed: {ack['physician_informed']}", "body", 1),
                    _run(
                        f"By {_who(ack, 'acknowledged')}, {local_text(ack['acknowledged_at'])}",
                        "small",
                        1,
                    ),
                )
            else:
                ack_cell = _t("Not acknowledged", "stop_bold")
            rows.append(
                [
                    _block(_run(_label_of(template, w["item"])), _run(w["item"], "id", 1)),
                    _t(w["message"], "warn"),
                    ack_cell,
                ]
            )
        out.append(_table(rows, [0.26 * width, 0.34 * width, 0.40 * width]))
    else:
        out.append(_t("No warnings.", "small"))
    stops = ev.get("stops", [])
    out.append(_p("Hard stops", "h2"))
    if stops:
        rows = [[_t("Item", "key"), _t("Hard stop", "key")]]
        for s in stops:
            rows.append(
                [
                    _block(_run(_label_of(template, s["item"])), _run(s["item"], "id", 1)),
                    _t(s["message"], "stop"),
                ]
            )
        out.append(_table(rows, [0.35 * width, 0.65 * width]))
    else:
        out.append(_t("No hard stops.", "small"))
    missing = ev.get("missing", [])
    if missing:
        out.append(_p("Unanswered required items", "h2"))
        out.append(_t(", ".join(_label_of(template, m) for m in missing), "stop"))
    return out


def _signature_table(signature: dict[str, Any], width: float) -> Table:
    pairs: list[tuple[str, str, str]] = [
        ("Printed name", signature["printed_name"], "bold"),
        ("Role", signature["role"], "body"),
        ("Meaning", signature["meaning_text"], "bold"),
    ]
    if signature.get("reason"):
        label = "Reason for postponement" if signature["meaning"] == "postponed" else "Reason"
        pairs.append((label, signature["reason"], "body"))
    pairs += [
        ("Signed (UTC)", utc_text(signature["signed_at"]), "body"),
        ("Signed (local time)", local_text(signature["signed_at"]), "body"),
        ("Signature SHA-256", signature["record_hash"], "mono"),
    ]
    rows = [[_t(k, "key"), _t(v, style)] for k, v, style in pairs]
    return _table(rows, [0.26 * width, 0.74 * width], header=False)


def _signatures(record: dict[str, Any], width: float) -> list[Flowable]:
    out: list[Flowable] = [_p("Signature", "h2")]
    main = [s for s in record["signatures"] if s["meaning"] != "addendum"]
    if not main:
        out.append(_t("Not signed. This draft is not a valid record.", "stop_bold"))
    for signature in main:
        out.append(KeepTogether([_signature_table(signature, width)]))
    addenda = record.get("addenda", [])
    if addenda:
        out.append(_p("Addenda", "h2"))
        for number, addendum in enumerate(addenda, start=1):
            block: list[Flowable] = [
                _p(f"<b>Addendum {number}</b> — {_e(local_text(addendum.get('created_at')))}"),
                Spacer(1, 2),
                _table([[_t(addendum.get("text") or "")]], [width], header=False),
                Spacer(1, 3),
                _signature_table(addendum["signature"], width),
                Spacer(1, 6),
            ]
            out.append(KeepTogether(block))
    return out


class QrFlowable(Flowable):
    """A QR code of ``value`` drawn as one path.

    reportlab's QrCodeWidget encodes twice and tries all eight masks (~60 ms); a fixed mask is
    equally valid for any reader and keeps a PDF well under the 40 ms budget.
    """

    def __init__(self, value: str, size: float) -> None:
        super().__init__()
        code = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
        code.addData(value)
        code.version = code.calculate_version()
        code.makeImpl(False, 2)
        self.modules: list[list[bool]] = code.modules
        self.size = size

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.size, self.size

    def draw(self) -> None:
        count = len(self.modules)
        quiet = 2
        cell = self.size / (count + 2 * quiet)
        canvas = self.canv
        path = canvas.beginPath()
        for row, line in enumerate(self.modules):
            y = self.size - (row + quiet + 1) * cell
            for col, dark in enumerate(line):
                if dark:
                    path.rect((col + quiet) * cell, y, cell, cell)
        canvas.setFillColor(colors.black)
        canvas.drawPath(path, stroke=0, fill=1)


def _integrity(record: dict[str, Any], width: float) -> list[Flowable]:
    digest = record.get("record_hash")
    out: list[Flowable] = [_p("Record integrity", "h2")]
    if not digest:
        out.append(_p("No record hash: the checklist has not been signed.", "stop"))
        return out
    qr_size = 30 * mm
    text = [
        _p(
            "<b>Record SHA-256</b> (newest signature in the hash chain; changes with every "
            "addendum):"
        ),
        Spacer(1, 2),
        _p(_e(digest), "mono"),
        Spacer(1, 4),
        _p(
            f"Checklist id {record['id']} · template {_e(record['template']['id'])} "
            f"v{_e(record['template']['version'])}. Check this copy against the database with "
            f"<b>vpchecklist verify FILE.pdf</b>; the QR code holds the same hash.",
            "small",
        ),
    ]
    box = Table(
        [[text, QrFlowable(digest, qr_size)]],
        colWidths=[width - qr_size - 10, qr_size + 10],
        style=TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), REGULAR),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BOX", (0, 0), (-1, -1), 0.5, GRID),
                ("LEFTPADDING", (0, 0), (-1, -1), 5),
                ("RIGHTPADDING", (0, 0), (-1, -1), 5),
            ]
        ),
    )
    out.append(KeepTogether([box]))
    return out


def keywords(record: dict[str, Any]) -> str:
    digest = record.get("record_hash") or "none"
    return (
        f"{APP_NAME}; {KEYWORD_ID}={record['id']}; {KEYWORD_HASH}={digest}; "
        f"template={record['template']['id']} v{record['template']['version']}; "
        f"status={record['status']}"
    )


def read_binding(keywords_text: str) -> tuple[int | None, str | None]:
    """The checklist id and record hash embedded by ``keywords`` (None when absent)."""
    found = dict(re.findall(r"([a-z0-9-]+)=([^;\s]+)", keywords_text or ""))
    raw_id = found.get(KEYWORD_ID)
    digest = found.get(KEYWORD_HASH)
    checklist_id = int(raw_id) if raw_id and raw_id.isdigit() else None
    return checklist_id, (digest if digest and digest != "none" else None)


def render(
    record: dict[str, Any],
    template: Template,
    paper: str = "A4",
    on_build: Callable[[SimpleDocTemplate], None] | None = None,
) -> bytes:
    """The PDF bytes of one record (``record`` as returned by ``checklists.detail``)."""
    pagesize = PAPERS.get(paper.upper())
    if pagesize is None:
        raise ValueError(f"paper must be one of {', '.join(PAPERS)}, not {paper!r}")
    styles()
    furniture = _Furniture(record, template, pagesize)
    buffer = io.BytesIO()
    patient = record["header"]["patient"]
    doc = SimpleDocTemplate(
        buffer,
        pagesize=pagesize,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN * 0.8 + furniture.header_height + 3 * mm,
        bottomMargin=MARGIN * 0.8 + 14,
        title=f"{template.title} — {patient['name']} (MRN {patient['mrn']}), record {record['id']}",
        author=APP_NAME,
        subject=f"Checklist record {record['id']}",
        keywords=keywords(record),
        creator=APP_NAME,
        invariant=0,
    )
    width = doc.width
    story: list[Flowable] = []
    story += _summary(record, template, width)
    story += _sections(record, template, width)
    story += _findings(record, template, width)
    story += _signatures(record, width)
    story += _integrity(record, width)
    if on_build is not None:
        on_build(doc)
    doc.build(story, canvasmaker=_canvas_class(furniture, record["status"] == "draft"))
    return buffer.getvalue()
