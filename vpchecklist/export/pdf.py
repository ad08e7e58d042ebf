"""The PDF copy of a checklist record (reportlab platypus).

The input is the dict of ``services.checklists.detail`` plus the record's template (for labels),
so the PDF shows exactly what the database holds. Layout: a header on every page (patient,
DOB, MRN, levels, record id, allergy alert), "page X of Y" in the footer, one table per section
(item, answer with its findings, who and when), warnings with their acknowledgements, stops,
the signature block, addenda with their signatures, and the record hash with a QR code.

Machine-readable binding: the PDF's Keywords metadata carries ``checklist-id=N`` and
``record-sha256=HEX`` (see ``read_binding``) so that ``verify`` can read them back, and, when
the record carries one, ``zone=IANA/Name``: the zone its local times are printed in.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    SimpleDocTemplate,
    Spacer,
)

from vpchecklist.export.fonts import BOLD, OBLIQUE, REGULAR, register_fonts
from vpchecklist.export.grid import Grid, Rules, Stack
from vpchecklist.export.qr import QrFlowable
from vpchecklist.export.textblock import Inline, Run, Span, TextBlock
from vpchecklist.presentation import (
    NOT_ANSWERED,
    acknowledgement_lines,
    answer_lines,
    local_time,
    mrn_words,
    provenance_text,
    signature_fields,
    stored_zone_name,
    utc_stamp,
    wall_time,
    who,
    zone_name,
)
from vpchecklist.templates import Template
from vpchecklist.templates.model import Derivation

APP_NAME = "VP Checklist"
PAPERS = {"A4": A4, "LETTER": LETTER}
MARGIN = 15 * mm
KEYWORD_ID = "checklist-id"
KEYWORD_HASH = "record-sha256"
#: The IANA zone the copy's local times are in (``verify`` re-renders in it).
KEYWORD_ZONE = "zone"
#: Text particular to one copy rather than to the record (the audit chain's head when the copy
#: was made, in the footer; the site's name then, a header line of its own). ``verify`` compares
#: a copy's text with the record's without it, so renaming the site leaves older copies valid.
SITE_PREFIX = "Site: "
COPY_MARK = re.compile(
    r"Audit chain at export: event \d+, SHA-256 [0-9a-f]{64}|^" + SITE_PREFIX + r".*$"
)

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


def _span(text: str, style: str) -> Span:
    font, size, colour, _ = _RUN_STYLES[style]
    return Span(text, font, size, colour)


def _heading(*spans: Span) -> Inline:
    """A section heading (bold 10.5 pt): a table's caption, or first in a ``Stack``."""
    return Inline(list(spans), leading=13, space_before=8, space_after=4)


def _h2(text: str) -> Inline:
    return _heading(_span(text, "h2"))


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
        title = [
            Run(template.title, BOLD, 9, INK, 11),
            Run(f"{APP_NAME} · template {template.id} v{template.version}", BOLD, 7.5, MUTED, 11),
        ]
        site = " ".join(str(record.get("site_name") or "").split())
        if site:  # the settings promise it on every page (issue 13.6)
            title.append(Run(f"{SITE_PREFIX}{site}", BOLD, 7.5, INK, 11))
        self.title = TextBlock(title)
        self.record_box = TextBlock(
            [
                Run(f"Record #{record['id']}", BOLD, 9, INK, 11),
                Run(record["status"].upper(), BOLD, 7.5, MUTED, 11),
            ],
            align="right",
        )
        self.patient = Inline(
            [
                Span(patient["name"], BOLD, 11, INK),
                Span(
                    f"  DOB {patient['date_of_birth']}  ·  {mrn_words(patient['mrn'])}  ·  "
                    f"Levels {levels}",
                    REGULAR,
                    9,
                    INK,
                ),
            ],
            leading=13,
        )
        flags = record.get("evaluation", {}).get("allergy_flags") or []
        self.allergy = (
            TextBlock(
                [
                    Run(
                        "ALLERGY ALERT: "
                        + "; ".join(
                            f"{f['label']} ({', '.join(f.get('matches', []))})" for f in flags
                        ),
                        BOLD,
                        8.5,
                        STOP,
                        10.5,
                    )
                ]
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
        chain = self.record.get("chain_head")
        if chain:
            canvas.setFont(REGULAR, 6.5)
            canvas.setFillColor(MUTED)
            canvas.drawString(
                MARGIN,
                MARGIN * 0.8 - 9,
                f"Audit chain at export: event {chain['seq']}, SHA-256 {chain['hash']}",
            )
        if self.record.get("demo_database"):
            canvas.setFont(BOLD, 7.5)
            canvas.setFillColor(STOP)
            # A line of its own: beside the audit-chain line the two overlapped on A4.
            canvas.drawRightString(
                self.width - MARGIN, MARGIN * 0.8 - 19, "DEMO DATA — not a patient record"
            )

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


_CELL_RULES = Rules(grid=(0.35, GRID))


def _table(
    rows: list[list[TextBlock]],
    widths: list[float],
    header: bool = True,
    backgrounds: list[Any] | None = None,
    caption: Flowable | None = None,
    keep: bool = False,
) -> Grid:
    """A ruled table; with ``header`` its first row is shaded and repeats on every page.

    A ``caption`` (the section heading) stays with the table's first rows, and the table
    starts on the next page when it would fit there whole (as a heading kept with its table).
    """
    shading = list(backgrounds) if backgrounds is not None else [None] * len(rows)
    if header:
        shading[0] = HEAD_BG
    return Grid(
        rows,
        widths,
        _CELL_RULES,
        header=1 if header else 0,
        backgrounds=shading,
        caption=caption,
        keep=keep or caption is not None,
    )


_RUN_STYLES: dict[str, tuple[str, float, Any, float]] = {
    "body": (REGULAR, 8.5, INK, 10.6),
    "bold": (BOLD, 8.5, INK, 10.6),
    "key": (BOLD, 8, INK, 10.2),
    "small": (REGULAR, 7.5, MUTED, 9.2),
    "small_bold": (BOLD, 7.5, MUTED, 9.2),
    "id": (REGULAR, 6.5, MUTED, 8.2),
    "italic": (OBLIQUE, 8.5, MUTED, 10.6),
    "warn": (REGULAR, 8.5, WARN, 10.6),
    "warn_bold": (BOLD, 8.5, WARN, 10.6),
    "stop": (REGULAR, 8.5, STOP, 10.6),
    "stop_bold": (BOLD, 8.5, STOP, 10.6),
    "ack": (REGULAR, 7.5, INK, 9.2),
    "mono": (REGULAR, 7.5, INK, 9.2),
    "h2": (BOLD, 10.5, INK, 13),
    "subtitle": (REGULAR, 8.5, MUTED, 13),
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


def _ack_run(ack: dict[str, Any]) -> Run:
    return _run("\n".join(acknowledgement_lines(ack)), "ack", 2)


#: Per template (by content hash): the derivation that sets each derived item. Built once per
#: process, not searched again for every item of every render.
_DERIVED_BY_ITEM: dict[str, dict[str, Derivation]] = {}


def _derivation_of(template: Template, item_id: str) -> Derivation | None:
    derived = _DERIVED_BY_ITEM.get(template.content_hash) if template.content_hash else None
    if derived is None:
        derived = {}
        for derivation in template.derivations.values():
            derived.setdefault(derivation.item, derivation)
        if template.content_hash:
            _DERIVED_BY_ITEM[template.content_hash] = derived
    return derived.get(item_id)


def _requirement_text(template: Template, item_id: str, required: str | None) -> str | None:
    if not required:
        return None
    derivation = _derivation_of(template, item_id)
    if derivation is None:
        return None
    explanation = derivation.explanations.get(required)
    item = template.item(item_id)
    label = item.option_label(required) if item else required
    return f"Derived from the levels: {explanation or label}"


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
        lines = answer_lines(item, answer["value"], record["header"]["planned_start"])
        if item is not None and item.kind == "allergies" and len(lines) > 1:
            lines = ["• " + line for line in lines]
        runs.append(_run("\n".join(lines)))
        how = provenance_text(answer)
        if how:
            runs.append(_run(f"({how})", "small"))
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
    return _block(_run(who(answer, "answered")), _run(local_time(answer["answered_at"]), "small"))


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
    banner = Grid(
        [[TextBlock(banner_runs)]],
        [width],
        Rules(left=6, right=6, top=4, bottom=5, box=(0.8, colour)),
        backgrounds=[background],
    )
    levels = ", ".join(header["levels"])
    regions = record.get("evaluation", {}).get("regions") or []
    patient = header["patient"]
    pairs = [
        ("Patient", patient["name"], "bold"),
        ("Date of birth", patient["date_of_birth"], "body"),
        ("MRN", patient["mrn"], "body"),
        ("Levels", f"{levels} ({', '.join(regions)})" if regions else levels, "bold"),
        ("Planned start", wall_time(header["planned_start"]), "body"),
        ("Interventional radiologist", header["physician"], "body"),
        (
            "Created",
            f"{record.get('created_by', '')}, {local_time(record.get('created_at'))}",
            "body",
        ),
        ("Times", _times_text(header.get("timezone")), "body"),
        ("Template", f"{template.title} — id {template.id}, version {template.version}", "body"),
        ("Template SHA-256", record["template"]["hash"], "mono"),
    ]
    pattern = record.get("completion_pattern", "")
    if pattern:  # how it was completed (issue 15); a flag informs, it never blocked signing
        words = pattern.removeprefix("Completion pattern: ")
        pairs.append(
            ("Completion pattern", words, "bold" if record.get("completion_rushed") else "body")
        )
    rows = [[_t(k, "key"), _t(v, style)] for k, v, style in pairs]
    info = _table(rows, [0.26 * width, 0.74 * width], header=False)
    return [banner, Spacer(1, 6), info]


def _times_text(record_zone: str | None) -> str:
    """The zone named once for the whole document; the zone the checklist was entered in
    (its planned start and entered times are wall times there) when that one differs."""
    here = zone_name()
    text = f"Local times, {here}"
    entered = stored_zone_name(record_zone)
    if entered and entered != here:
        text += f"; planned start and entered times are {entered} (where it was entered)"
    return text


def _sections(record: dict[str, Any], template: Template, width: float) -> list[Flowable]:
    warnings = _findings_by_item(record, "warnings")
    stops = _findings_by_item(record, "stops")
    widths = [0.36 * width, 0.40 * width, 0.24 * width]
    head = [_t("Item", "key"), _t("Answer", "key"), _t("Answered by, when (local time)", "key")]
    out: list[Flowable] = []
    for number, section in enumerate(template.sections, start=1):
        spans = [_span(f"{number}. {section.title}", "h2")]
        if section.subtitle:
            spans.append(_span(f" — {section.subtitle}", "subtitle"))
        rows: list[list[TextBlock]] = [head]
        shading: list[Any] = [None]
        for item in section.items:
            required = " · required" if item.required else ""
            label = _block(_run(item.label), _run(f"{item.id}{required}", "id", 1))
            shading.append(
                STOP_BG if item.id in stops else WARN_BG if item.id in warnings else None
            )
            rows.append(
                [
                    label,
                    _answer_cell(template, record, item.id, warnings, stops),
                    _who_cell(record, item.id),
                ]
            )
        # The heading stays with the table's first rows; the table may split across pages,
        # repeating its header row.
        out.append(_table(rows, widths, backgrounds=shading, caption=_heading(*spans)))
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
    heading = _h2("Warnings and acknowledgements")
    if warnings:
        rows: list[list[TextBlock]] = [
            [_t("Item", "key"), _t("Warning", "key"), _t("Acknowledgement", "key")]
        ]
        for w in warnings:
            ack = record["acknowledgements"].get(w["item"])
            if ack is not None:
                first, *rest = acknowledgement_lines(ack)
                ack_cell = _block(
                    *[_run(line, "body", 1 if n else 0) for n, line in enumerate(rest)],
                    _run(first, "small", 1),
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
        out.append(_table(rows, [0.26 * width, 0.34 * width, 0.40 * width], caption=heading))
    else:
        out.append(Stack([heading, _t("No warnings.", "small")]))
    stops = ev.get("stops", [])
    heading = _h2("Hard stops")
    if stops:
        rows = [[_t("Item", "key"), _t("Hard stop", "key")]]
        for s in stops:
            rows.append(
                [
                    _block(_run(_label_of(template, s["item"])), _run(s["item"], "id", 1)),
                    _t(s["message"], "stop"),
                ]
            )
        out.append(_table(rows, [0.35 * width, 0.65 * width], caption=heading))
    else:
        out.append(Stack([heading, _t("No hard stops.", "small")]))
    missing = ev.get("missing", [])
    if missing:
        names = ", ".join(_label_of(template, m) for m in missing)
        out.append(Stack([_h2("Unanswered required items"), _t(names, "stop")]))
    return out


def _signature_table(
    signature: dict[str, Any], width: float, caption: Flowable | None = None
) -> Grid:
    bold = {"Printed name", "Meaning"}
    pairs: list[tuple[str, str, str]] = [
        (label, words, "bold" if label in bold else "body")
        for label, words in signature_fields(signature)
    ]
    pairs += [
        ("Signed (UTC)", utc_stamp(signature["signed_at"]), "body"),
        ("Signature SHA-256", signature["record_hash"], "mono"),
    ]
    rows = [[_t(k, "key"), _t(v, style)] for k, v, style in pairs]
    return _table(rows, [0.26 * width, 0.74 * width], header=False, caption=caption, keep=True)


def _signatures(record: dict[str, Any], width: float) -> list[Flowable]:
    out: list[Flowable] = []
    main = [s for s in record["signatures"] if s["meaning"] != "addendum"]
    if not main:
        out.append(
            Stack(
                [_h2("Signature"), _t("Not signed. This draft is not a valid record.", "stop_bold")]
            )
        )
    for n, signature in enumerate(main):
        out.append(_signature_table(signature, width, _h2("Signature") if n == 0 else None))
    addenda = record.get("addenda", [])
    if addenda:
        for number, addendum in enumerate(addenda, start=1):
            block: list[Flowable] = [_h2("Addenda")] if number == 1 else []
            block += [
                Inline(
                    [
                        _span(f"Addendum {number}", "bold"),
                        _span(f" — {local_time(addendum.get('created_at'))}", "body"),
                    ],
                    leading=10.6,
                ),
                Spacer(1, 2),
                _table([[_t(addendum.get("text") or "")]], [width], header=False),
                Spacer(1, 3),
                _signature_table(addendum["signature"], width),
                Spacer(1, 6),
            ]
            out.append(KeepTogether(block))
    return out


class _IntegrityBox(Flowable):
    """The record hash and how to check it, beside a QR code of the hash, in a thin frame."""

    PAD = 5.0

    def __init__(self, text: list[Flowable], qr: QrFlowable, width: float) -> None:
        super().__init__()
        self.text = text
        self.qr = qr
        self.width = width
        self.height = 0.0

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        inner = self.width - self.qr.size - 4 * self.PAD
        text_height = sum(f.wrap(inner, available_height)[1] for f in self.text)
        self.height = max(text_height, self.qr.size) + 2 * self.PAD
        return self.width, self.height

    def draw(self) -> None:
        canvas = self.canv
        y = self.height - self.PAD
        for flowable in self.text:
            y -= flowable.height
            flowable.drawOn(canvas, self.PAD, y)
        self.qr.drawOn(
            canvas, self.width - self.PAD - self.qr.size, self.height - self.PAD - self.qr.size
        )
        canvas.setStrokeColor(GRID)
        canvas.setLineWidth(0.5)
        canvas.rect(0, 0, self.width, self.height, stroke=1, fill=0)


def _integrity(record: dict[str, Any], width: float) -> list[Flowable]:
    digest = record.get("record_hash")
    heading = _h2("Record integrity")
    if not digest:
        return [Stack([heading, _t("No record hash: the checklist has not been signed.", "stop")])]
    text: list[Flowable] = [
        Inline(
            [
                _span("Record SHA-256", "bold"),
                _span(
                    " (newest signature in the hash chain; changes with every addendum):", "body"
                ),
            ],
            leading=10.6,
        ),
        Spacer(1, 2),
        _t(digest, "mono"),
        Spacer(1, 4),
        Inline(
            [
                _span(
                    f"Checklist id {record['id']} · template {record['template']['id']} "
                    f"v{record['template']['version']}. Check this copy against the database "
                    "with ",
                    "small",
                ),
                _span("vpchecklist verify FILE.pdf", "small_bold"),
                _span("; the QR code holds the same hash.", "small"),
            ],
            leading=9.2,
        ),
    ]
    return [Stack([heading, _IntegrityBox(text, QrFlowable(digest, 30 * mm), width)])]


def keywords(record: dict[str, Any]) -> str:
    digest = record.get("record_hash") or "none"
    return (
        f"{APP_NAME}; {KEYWORD_ID}={record['id']}; {KEYWORD_HASH}={digest}; "
        f"template={record['template']['id']} v{record['template']['version']}; "
        f"status={record['status']}"
    ) + (f"; {KEYWORD_ZONE}={record['zone']}" if record.get("zone") else "")


def read_binding(keywords_text: str) -> tuple[int | None, str | None]:
    """The checklist id and record hash embedded by ``keywords`` (None when absent)."""
    found = dict(re.findall(r"([a-z0-9-]+)=([^;\s]+)", keywords_text or ""))
    raw_id = found.get(KEYWORD_ID)
    digest = found.get(KEYWORD_HASH)
    checklist_id = int(raw_id) if raw_id and raw_id.isdigit() else None
    return checklist_id, (digest if digest and digest != "none" else None)


def read_zone(keywords_text: str) -> str | None:
    """The zone named by ``keywords`` (None for copies made before it was recorded)."""
    found = dict(re.findall(r"([a-z0-9-]+)=([^;\s]+)", keywords_text or ""))
    return found.get(KEYWORD_ZONE)


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
    register_fonts()
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
        title=(
            f"{template.title} — {patient['name']} ({mrn_words(patient['mrn'])}), "
            f"record {record['id']}"
        ),
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
