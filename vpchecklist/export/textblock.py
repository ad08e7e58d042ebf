"""Fast text flowables for the PDF: wrapped runs (``TextBlock``) and one inline line (``Inline``).

reportlab's Paragraph parses markup and re-breaks lines on every wrap; a checklist PDF has about
150 cells, which made one PDF cost ~120 ms. A ``TextBlock`` holds plain runs, each with its own
font, size and colour, breaks them once per width (long words such as hashes break anywhere)
and writes its lines into a text object, so text still extracts exactly as stored.

Measuring is cached across documents: string widths per (text, font, size) and wrapped lines
per (text, font, size, width). Labels, headings and section titles repeat in every record of a
template, so a bulk export measures them once.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from reportlab.lib.colors import Color
from reportlab.lib.rl_accel import escapePDF, fp_str
from reportlab.pdfbase.pdfmetrics import getFont, stringWidth
from reportlab.pdfgen.textobject import PDFTextObject
from reportlab.platypus import Flowable

#: ``stringWidth`` memoised: words such as "Yes", names and labels recur in every row.
width_of = lru_cache(maxsize=65536)(stringWidth)


@dataclass(frozen=True)
class Run:
    text: str
    font: str
    size: float
    color: Color
    leading: float = 0.0  # 0: 1.25 × size
    space_before: float = 0.0

    @property
    def line_height(self) -> float:
        return self.leading or self.size * 1.25


@lru_cache(maxsize=256)
def _fill_op(red: float, green: float, blue: float) -> str:
    return f"{fp_str(red, green, blue)} rg"


class Pen:
    """Writes lines into a text object, emitting font and colour operators only on change.

    For the embedded TrueType fonts it writes the ``Tm``/``Tf``/``Tj`` operators itself, as
    ``PDFTextObject.textOut`` would, minus the per-call font look-up, cursor measuring and
    state juggling (a checklist PDF has ~400 lines). Any other font goes through ``textOut``.
    """

    def __init__(self, text: PDFTextObject) -> None:
        self.text = text
        self._font: tuple[str, float] | None = None
        self._ttf: Any = None
        self._color: Any = None
        self._doc = text._canvas._doc

    def line(
        self, x: float, baseline: float, line: str, font: str, size: float, color: Any
    ) -> None:
        text = self.text
        if self._font != (font, size):
            text.setFont(font, size)
            self._font = (font, size)
            face = getFont(font)
            self._ttf = face if getattr(face, "_dynamicFont", False) else None
        if self._color is not color:
            if type(color) is Color and color.alpha == 1:
                text._code.append(_fill_op(color.red, color.green, color.blue))
            else:
                text.setFillColor(color)
            self._color = color
        ttf = self._ttf
        if ttf is None:
            text.setTextOrigin(x, baseline)
            text.textOut(line)
            return
        code = text._code
        code.append(f"1 0 0 1 {fp_str(x, baseline)} Tm")
        for subset, chunk in self._chunks(ttf, line):
            if subset != text._curSubset:
                name = ttf.getSubsetInternalName(subset, self._doc)
                code.append(f"{name} {fp_str(size)} Tf {fp_str(text._leading)} TL")
                text._curSubset = subset
            code.append(f"({escapePDF(chunk)}) Tj")

    def _chunks(self, ttf: Any, line: str) -> Any:
        """``ttf.splitString``, with a fast path for a line whose characters all have codes
        in the first subset already (most lines after the first few)."""
        state = ttf.state.get(self._doc)
        if state is not None:
            assigned = state.assignments
            try:
                return ((0, bytes([assigned[code] for code in map(ord, line)])),)
            except (KeyError, ValueError):  # a new character, or one beyond the first subset
                pass
        return ttf.splitString(line, self._doc)


def _break_word(word: str, font: str, size: float, width: float) -> list[str]:
    pieces: list[str] = []
    current = ""
    for char in word:
        if current and width_of(current + char, font, size) > width:
            pieces.append(current)
            current = char
        else:
            current += char
    if current:
        pieces.append(current)
    return pieces


@lru_cache(maxsize=16384)
def wrap_text(text: str, font: str, size: float, width: float) -> tuple[str, ...]:
    """Greedy word wrap of each line of ``text``; words wider than ``width`` break anywhere."""
    space = width_of(" ", font, size)
    out: list[str] = []
    for paragraph in text.split("\n"):
        if width_of(paragraph, font, size) <= width:
            out.append(paragraph)
            continue
        line: list[str] = []
        line_width = 0.0
        for word in paragraph.split():
            word_width = width_of(word, font, size)
            if word_width > width:
                if line:
                    out.append(" ".join(line))
                    line, line_width = [], 0.0
                pieces = _break_word(word, font, size, width)
                out.extend(pieces[:-1])
                line, line_width = [pieces[-1]], width_of(pieces[-1], font, size)
                continue
            needed = word_width + (space if line else 0.0)
            if line and line_width + needed > width:
                out.append(" ".join(line))
                line, line_width = [word], word_width
            else:
                line.append(word)
                line_width += needed
        out.append(" ".join(line))
    return tuple(out)


class TextBlock(Flowable):
    """Runs of text stacked vertically, each wrapped to the cell width."""

    def __init__(self, runs: list[Run], align: str = "left") -> None:
        super().__init__()
        self.runs = runs
        self.align = align
        self._laid_out_for: float | None = None
        self._lines: list[tuple[Run, tuple[str, ...]]] = []
        self._height = 0.0

    def _layout(self, width: float) -> None:
        if self._laid_out_for == width:
            return
        self._lines = [(run, wrap_text(run.text, run.font, run.size, width)) for run in self.runs]
        self._height = sum(
            run.space_before + len(lines) * run.line_height for run, lines in self._lines
        )
        self._laid_out_for = width

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self._layout(available_width)
        self.width = available_width
        self.height = self._height
        return available_width, self._height

    def emit(self, pen: Pen, x: float, top: float) -> None:
        """Write the lines (laid out by the last ``wrap``) with their top edge at ``top``."""
        y = top
        right = self.align == "right"
        for run, lines in self._lines:
            leading = run.line_height
            y -= run.space_before
            for line in lines:
                y -= leading
                left = x + self.width - width_of(line, run.font, run.size) if right else x
                # Baseline one font size below the top of the line box, as Paragraph does.
                pen.line(left, y + leading - run.size, line, run.font, run.size, run.color)

    def draw(self) -> None:
        text = self.canv.beginText()
        self.emit(Pen(text), 0, self._height)
        self.canv.drawText(text)

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        """Split between lines, so a cell taller than a page continues on the next one."""
        if self._laid_out_for is None or self._laid_out_for > available_width:
            self._layout(available_width)
        if self._height <= available_height:
            return [self, TextBlock([], self.align)]
        first: list[Run] = []
        rest: list[Run] = []
        used = 0.0
        for run, lines in self._lines:
            leading = run.line_height
            fit = 0
            if not rest:
                room = available_height - used - run.space_before
                fit = max(0, min(len(lines), int(room // leading)))
            if fit:
                first.append(replace(run, text="\n".join(lines[:fit])))
                used += run.space_before + fit * leading
            if fit < len(lines):
                rest.append(
                    replace(
                        run,
                        text="\n".join(lines[fit:]),
                        space_before=0.0 if not rest else run.space_before,
                    )
                )
        if not first:
            return []
        return [TextBlock(first, self.align), TextBlock(rest, self.align)]


@dataclass(frozen=True)
class Span:
    """A piece of one line with its own font, such as a bold name followed by plain details."""

    text: str
    font: str
    size: float
    color: Color


class Inline(Flowable):
    """Spans flowing on shared lines (wrapping between words), e.g. a heading with a subtitle."""

    def __init__(
        self,
        spans: list[Span],
        leading: float,
        space_before: float = 0.0,
        space_after: float = 0.0,
        keep_with_next: bool = False,
    ) -> None:
        super().__init__()
        self.spans = spans
        self.leading = leading
        self.spaceBefore = space_before
        self.spaceAfter = space_after
        self.keepWithNext = keep_with_next
        self._laid_out_for: float | None = None
        self._lines: list[list[tuple[float, str, Span]]] = []

    def _layout(self, width: float) -> None:
        """Greedy wrap between words. Each line holds (x, text, span) pieces: the words of one
        span with the spaces before them, so text extraction keeps every space."""
        if self._laid_out_for == width:
            return
        lines: list[list[tuple[float, str, Span]]] = [[]]
        x = 0.0
        gap, gap_text = 0.0, ""
        for span in self.spans:
            space = width_of(" ", span.font, span.size)
            for n, word in enumerate(span.text.split(" ")):
                if n:
                    gap, gap_text = gap + space, gap_text + " "
                if not word:
                    continue
                word_width = width_of(word, span.font, span.size)
                if lines[-1] and x + gap + word_width > width:
                    lines.append([])
                if not lines[-1]:  # no spaces at the start of a line
                    x, gap, gap_text = 0.0, 0.0, ""
                pieces = (
                    _break_word(word, span.font, span.size, width) if word_width > width else [word]
                )
                for k, piece in enumerate(pieces):
                    if k:
                        lines.append([])
                        x, gap, gap_text = 0.0, 0.0, ""
                    line = lines[-1]
                    if line and line[-1][2] is span:
                        start, text, _ = line[-1]
                        line[-1] = (start, text + gap_text + piece, span)
                    else:
                        line.append((x, gap_text + piece, span))
                    x += gap + width_of(piece, span.font, span.size)
                    gap, gap_text = 0.0, ""
        self._lines = lines
        self._laid_out_for = width

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self._layout(available_width)
        self.width = available_width
        self.height = len(self._lines) * self.leading
        return available_width, self.height

    def draw(self) -> None:
        text = self.canv.beginText()
        pen = Pen(text)
        top = self.height
        for line in self._lines:
            size = max((span.size for _, _, span in line), default=0.0)
            baseline = top - size
            for x, word, span in line:
                pen.line(x, baseline, word, span.font, span.size, span.color)
            top -= self.leading
        self.canv.drawText(text)
