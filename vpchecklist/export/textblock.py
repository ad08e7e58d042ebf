"""A fast wrapped-text flowable for table cells.

reportlab's Paragraph parses markup and re-breaks lines on every wrap; a checklist PDF has about
150 cells, which made one PDF cost ~120 ms. A ``TextBlock`` holds plain runs, each with its own
font, size and colour, breaks them once per width (long words such as hashes break anywhere)
and draws with ``drawString``, so text still extracts exactly as stored.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from reportlab.lib.colors import Color
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable


@dataclass(frozen=True)
class Run:
    text: str
    font: str
    size: float
    color: Color
    leading: float = 0.0  # 0: 1.25 × size
    space_before: float = 0.0


def _break_word(word: str, font: str, size: float, width: float) -> list[str]:
    pieces: list[str] = []
    current = ""
    for char in word:
        if current and stringWidth(current + char, font, size) > width:
            pieces.append(current)
            current = char
        else:
            current += char
    if current:
        pieces.append(current)
    return pieces


def wrap_text(text: str, font: str, size: float, width: float) -> list[str]:
    """Greedy word wrap of each line of ``text``; words wider than ``width`` break anywhere."""
    space = stringWidth(" ", font, size)
    out: list[str] = []
    for paragraph in text.split("\n"):
        if stringWidth(paragraph, font, size) <= width:
            out.append(paragraph)
            continue
        line: list[str] = []
        line_width = 0.0
        for word in paragraph.split():
            word_width = stringWidth(word, font, size)
            if word_width > width:
                if line:
                    out.append(" ".join(line))
                    line, line_width = [], 0.0
                pieces = _break_word(word, font, size, width)
                out.extend(pieces[:-1])
                line, line_width = [pieces[-1]], stringWidth(pieces[-1], font, size)
                continue
            needed = word_width + (space if line else 0.0)
            if line and line_width + needed > width:
                out.append(" ".join(line))
                line, line_width = [word], word_width
            else:
                line.append(word)
                line_width += needed
        out.append(" ".join(line))
    return out


class TextBlock(Flowable):
    """Runs of text stacked vertically, each wrapped to the cell width."""

    def __init__(self, runs: list[Run]) -> None:
        super().__init__()
        self.runs = runs
        self._laid_out_for: float | None = None
        self._lines: list[tuple[Run, list[str]]] = []
        self._height = 0.0

    def _layout(self, width: float) -> None:
        if self._laid_out_for == width:
            return
        self._lines = [(run, wrap_text(run.text, run.font, run.size, width)) for run in self.runs]
        self._height = sum(
            run.space_before + len(lines) * (run.leading or run.size * 1.25)
            for run, lines in self._lines
        )
        self._laid_out_for = width

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self._layout(available_width)
        self.width = available_width
        self.height = self._height  # read by Table when it splits a row
        return available_width, self._height

    def draw(self) -> None:
        # One text object for the whole block: far cheaper than a drawString per line.
        text = self.canv.beginText()
        y = self._height
        for run, lines in self._lines:
            leading = run.leading or run.size * 1.25
            y -= run.space_before
            text.setFont(run.font, run.size)
            text.setFillColor(run.color)
            for line in lines:
                y -= leading
                # Baseline one font size below the top of the line box, as Paragraph does.
                text.setTextOrigin(0, y + leading - run.size)
                text.textOut(line)
        self.canv.drawText(text)

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        """Split between lines, so a cell taller than a page continues on the next one."""
        # Table passes the column width here but the padded width to ``wrap``; keep the
        # lines of the last wrap so that both parts show exactly the lines measured.
        if self._laid_out_for is None or self._laid_out_for > available_width:
            self._layout(available_width)
        if self._height <= available_height:
            return [self, TextBlock([])]
        first: list[Run] = []
        rest: list[Run] = []
        used = 0.0
        for run, lines in self._lines:
            leading = run.leading or run.size * 1.25
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
        return [TextBlock(first), TextBlock(rest)]
