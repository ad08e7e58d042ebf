"""A ruled table of text cells drawn straight onto the canvas.

platypus ``Table`` recomputes every cell's geometry and style on each wrap, split and draw and
was about half the cost of a checklist PDF. The record's tables are simpler: fixed column
widths, top-aligned ``TextBlock`` cells, one optional header row, a background per row and a
grid. ``Grid`` keeps what the PDF needs from ``Table``: it splits between rows across pages,
repeats its header row on every part, and splits a row that is taller than the room left
(between lines of its cells) instead of leaving a hole at the bottom of the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reportlab.platypus import Flowable

from vpchecklist.export.textblock import Pen, TextBlock


@dataclass(frozen=True)
class Rules:
    """Padding and lines of a grid (points)."""

    left: float = 3.5
    right: float = 3.5
    top: float = 2.2
    bottom: float = 2.6
    grid: tuple[float, Any] | None = None  # (line width, colour) of every cell edge
    box: tuple[float, Any] | None = None  # (line width, colour) of the outer frame only


class Grid(Flowable):
    """Rows of ``TextBlock`` cells under fixed column widths; ``header`` rows repeat on split."""

    #: Split a row across pages only when at least this much room is left for its first part.
    MIN_ROW_SPLIT = 24.0

    def __init__(
        self,
        rows: list[list[TextBlock]],
        widths: list[float],
        rules: Rules,
        header: int = 0,
        backgrounds: list[Any] | None = None,
        caption: Flowable | None = None,
        keep: bool = False,
    ) -> None:
        super().__init__()
        self.rows = rows
        self.widths = widths
        self.rules = rules
        self.header = header
        self.backgrounds = backgrounds if backgrounds is not None else [None] * len(rows)
        self.caption = caption
        self.keep = keep
        self.spaceBefore = caption.getSpaceBefore() if caption is not None else 0.0
        self._heights: list[float] | None = None
        self._caption_height = 0.0
        self.width = sum(widths)
        self.height = 0.0

    def _inner(self, column: int) -> float:
        return self.widths[column] - self.rules.left - self.rules.right

    def _row_height(self, row: list[TextBlock]) -> float:
        tallest = 0.0
        for column, cell in enumerate(row):
            tallest = max(tallest, cell.wrap(self._inner(column), 1e9)[1])
        return tallest + self.rules.top + self.rules.bottom

    def _layout(self) -> list[float]:
        if self._heights is None:
            if self.caption is not None:
                self._caption_height = (
                    self.caption.wrap(self.width, 1e9)[1] + self.caption.getSpaceAfter()
                )
            self._heights = [self._row_height(row) for row in self.rows]
            self.height = self._caption_height + sum(self._heights)
        return self._heights

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self._layout()
        return self.width, self.height

    def _part(
        self, rows: list[list[TextBlock]], backgrounds: list[Any], caption: Flowable | None
    ) -> Grid:
        return Grid(rows, self.widths, self.rules, self.header, backgrounds, caption)

    def _fits_a_fresh_frame(self) -> bool:
        frame = getattr(self, "_frame", None)  # set by the frame that is placing us
        if frame is None or getattr(frame, "_atTop", True):
            return False
        full = frame._y2 - frame._y1p - frame._topPadding
        return bool(self.height <= full)

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        """Rows that fit here and the rest under a repeated header; with ``keep`` (like a
        heading kept with its table) a grid that fits on a fresh page moves there whole."""
        heights = self._layout()
        if self.height <= available_height:
            return [self]
        if self.keep and self._fits_a_fresh_frame():
            return []
        used = self._caption_height + sum(heights[: self.header])
        first = self.header
        while first < len(self.rows) and used + heights[first] <= available_height:
            used += heights[first]
            first += 1
        head_rows = self.rows[: self.header]
        head_bgs = self.backgrounds[: self.header]
        top_rows, top_bgs = list(self.rows[:first]), list(self.backgrounds[:first])
        rest_rows, rest_bgs = list(self.rows[first:]), list(self.backgrounds[first:])
        room = available_height - used
        if rest_rows and room >= self.MIN_ROW_SPLIT:
            parts = self._split_row(rest_rows[0], room - self.rules.top - self.rules.bottom)
            if parts is not None:
                upper, lower = parts
                top_rows.append(upper)
                top_bgs.append(rest_bgs[0])
                rest_rows[0] = lower
        if len(top_rows) == self.header:
            return []  # not even one row (or part of one) fits: start on the next page
        return [
            self._part(top_rows, top_bgs, self.caption),
            self._part(head_rows + rest_rows, head_bgs + rest_bgs, None),
        ]

    def _split_row(
        self, row: list[TextBlock], height: float
    ) -> tuple[list[TextBlock], list[TextBlock]] | None:
        """The row cut between lines at ``height`` (both parts non-empty), or None."""
        upper: list[TextBlock] = []
        lower: list[TextBlock] = []
        moved_on = False
        for column, cell in enumerate(row):
            inner = self._inner(column)
            cell.wrap(inner, height)
            pieces = cell.split(inner, height)
            if not pieces:  # not one line of this cell fits: all of it moves on
                upper.append(TextBlock([]))
                lower.append(cell)
                moved_on = True
                continue
            head, tail = pieces
            assert isinstance(head, TextBlock) and isinstance(tail, TextBlock)
            upper.append(head)
            lower.append(tail)
        if all(not cell.runs for cell in upper):
            return None
        if all(not cell.runs for cell in lower) and not moved_on:
            return None
        return upper, lower

    def draw(self) -> None:
        heights = self._layout()
        canvas = self.canv
        rules = self.rules
        if self.caption is not None:
            self.caption.drawOn(canvas, 0, self.height - self.caption.height)
        total = self.height - self._caption_height
        y = total
        for height, background in zip(heights, self.backgrounds, strict=True):
            if background is not None:
                canvas.setFillColor(background)
                canvas.rect(0, y - height, self.width, height, stroke=0, fill=1)
            y -= height
        text = canvas.beginText()
        pen = Pen(text)
        y = total
        for row, height in zip(self.rows, heights, strict=True):
            x = 0.0
            for column, cell in enumerate(row):
                cell.wrap(self._inner(column), 1e9)  # no-op when already laid out
                cell.emit(pen, x + rules.left, y - rules.top)
                x += self.widths[column]
            y -= height
        canvas.drawText(text)
        if rules.grid is not None:
            line_width, colour = rules.grid
            path = canvas.beginPath()
            y = total
            path.moveTo(0, y)
            path.lineTo(self.width, y)
            for height in heights:
                y -= height
                path.moveTo(0, y)
                path.lineTo(self.width, y)
            x = 0.0
            for width in [0.0, *self.widths]:
                x += width
                path.moveTo(x, 0)
                path.lineTo(x, total)
            canvas.setStrokeColor(colour)
            canvas.setLineWidth(line_width)
            canvas.drawPath(path, stroke=1, fill=0)
        if rules.box is not None:
            line_width, colour = rules.box
            canvas.setStrokeColor(colour)
            canvas.setLineWidth(line_width)
            canvas.rect(0, 0, self.width, total, stroke=1, fill=0)


class Stack(Flowable):
    """A few flowables kept on one page (a heading with a short note, the integrity box)."""

    def __init__(self, parts: list[Flowable]) -> None:
        super().__init__()
        self.parts = parts
        self.spaceBefore = parts[0].getSpaceBefore() if parts else 0.0
        self._sizes: list[float] = []

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self._sizes = []
        for n, part in enumerate(self.parts):
            height = part.wrap(available_width, 1e9)[1]
            after = part.getSpaceAfter() if n < len(self.parts) - 1 else 0.0
            before = part.getSpaceBefore() if n else 0.0
            self._sizes.append(before + height + after)
        self.width = available_width
        self.height = sum(self._sizes)
        return available_width, self.height

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        frame = getattr(self, "_frame", None)
        if frame is not None and getattr(frame, "_atTop", False):
            return list(self.parts)  # taller than a page: let the parts flow
        return []

    def draw(self) -> None:
        y = self.height
        for n, (part, size) in enumerate(zip(self.parts, self._sizes, strict=True)):
            before = part.getSpaceBefore() if n else 0.0
            part.drawOn(self.canv, 0, y - before - part.height)
            y -= size
