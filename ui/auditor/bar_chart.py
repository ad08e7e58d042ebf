"""A labelled bar chart drawn with QPainter, whose bars are buttons: a click (or Enter on the
focused bar) hands back the records behind the bar.

QPainter rather than QtCharts or pyqtgraph: the frozen build is ~129 MB and QtCharts would
bring PySide6-Addons (tens of MB more) for a few bar charts; pyqtgraph would add numpy. Colours
are Okabe–Ito (``compliance.PALETTE``), every bar carries its count as text, and the chart is
keyboard-operable (←/→ move between bars, Enter lists the focused bar's records).
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFocusEvent, QKeyEvent, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from vpchecklist.compliance import Figure


@dataclass(frozen=True)
class Bar:
    """One bar: what it counts (``figure``: label and record ids), its colour and the name of
    its series (shown in the legend and in the list's caption)."""

    figure: Figure
    colour: str
    series: str = ""


@dataclass(frozen=True)
class Group:
    """Bars side by side under one category label (a week, a stop reason)."""

    label: str
    bars: tuple[Bar, ...]


class BarChart(QWidget):
    """``horizontal``: one row per group with its label on the left (long labels); else
    columns with labels below (weeks)."""

    bar_activated = Signal(object)  # Bar

    def __init__(self, name: str, title: str, horizontal: bool, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName(name)
        self.setAccessibleName(title)
        self.title = title
        self.horizontal = horizontal
        self.groups: list[Group] = []
        self.legend: list[tuple[str, str]] = []
        self.focused = 0
        self._hits: list[tuple[QRectF, Bar]] = []
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

    def set_groups(self, groups: list[Group], legend: list[tuple[str, str]] | None = None) -> None:
        self.groups = groups
        self.legend = legend or []
        self.focused = min(self.focused, max(0, len(self.bars()) - 1))
        self.setAccessibleDescription(
            "; ".join(
                f"{g.label}: "
                + ", ".join(f"{b.series or 'count'} {b.figure.count}" for b in g.bars)
                for g in groups
            )
        )
        self.updateGeometry()
        self.update()

    def bars(self) -> list[Bar]:
        return [bar for group in self.groups for bar in group.bars]

    def bar_rect(self, bar: Bar) -> QRectF:
        """Where ``bar`` was last drawn (tests click its centre)."""
        self._layout()
        return next(rect for rect, drawn in self._hits if drawn is bar)

    # -- geometry ---------------------------------------------------------------------------

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        if self.horizontal:
            return QSize(420, 44 + 26 * max(1, len(self.groups)))
        return QSize(520, 220)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        return QSize(240, self.sizeHint().height() if self.horizontal else 160)

    def _layout(self) -> None:
        """Compute every bar's rectangle (also used for hit tests)."""
        self._hits = []
        metrics = self.fontMetrics()
        top = metrics.height() + 14 + (metrics.height() if self.legend else 0)
        area = QRectF(8, top, self.width() - 16, self.height() - top - 6)
        peak = max([bar.figure.count for bar in self.bars()] + [1])
        if self.horizontal:
            label_width = min(
                area.width() * 0.45,
                max([metrics.horizontalAdvance(g.label) for g in self.groups] + [40]) + 10,
            )
            count_width = metrics.horizontalAdvance("00000") + 6
            span = max(10.0, area.width() - label_width - count_width)
            row = area.height() / max(1, len(self.groups))
            for n, group in enumerate(self.groups):
                thickness = min(22.0, row * 0.8) / max(1, len(group.bars))
                y = area.top() + n * row + (row - thickness * len(group.bars)) / 2
                for bar in group.bars:
                    length = max(2.0, span * bar.figure.count / peak) if bar.figure.count else 0
                    rect = QRectF(area.left() + label_width, y, length, thickness)
                    self._hits.append((rect, bar))
                    y += thickness
        else:
            bottom_labels = metrics.height() + 6
            plot = QRectF(area.left(), area.top() + metrics.height(), area.width(), 0)
            plot.setBottom(area.bottom() - bottom_labels)
            column = plot.width() / max(1, len(self.groups))
            for n, group in enumerate(self.groups):
                width = min(28.0, column * 0.8 / max(1, len(group.bars)))
                x = plot.left() + n * column + (column - width * len(group.bars)) / 2
                for bar in group.bars:
                    height = plot.height() * bar.figure.count / peak
                    rect = QRectF(x, plot.bottom() - height, width, max(height, 0.0))
                    self._hits.append((rect, bar))
                    x += width

    # -- painting ---------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt API)
        self._layout()
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        text = self.palette().windowText().color()
        metrics = self.fontMetrics()
        bold = painter.font()
        bold.setBold(True)
        painter.setFont(bold)
        painter.setPen(text)
        painter.drawText(QPointF(8, metrics.ascent() + 4), self.title)
        painter.setFont(self.font())
        x = 8.0
        for colour, name in self.legend:
            y = metrics.height() + 8
            painter.fillRect(QRectF(x, y + 2, 10, 10), QColor(colour))
            painter.drawText(QPointF(x + 14, y + metrics.ascent()), name)
            x += 24 + metrics.horizontalAdvance(name)
        if not self.groups:
            painter.drawText(
                self.rect().adjusted(8, 0, -8, 0), Qt.AlignmentFlag.AlignCenter, "No records"
            )
            return
        index = 0
        for group in self.groups:
            first = None
            for bar in group.bars:
                rect, _bar = self._hits[index]
                first = first or rect
                painter.fillRect(rect, QColor(bar.colour))
                if self.hasFocus() and index == self.focused:
                    painter.setPen(QPen(text, 2, Qt.PenStyle.DotLine))
                    painter.drawRect(rect.adjusted(-2, -2, 2, 2))
                painter.setPen(text)
                count = str(bar.figure.count)
                if self.horizontal:
                    painter.drawText(
                        QPointF(rect.right() + 4, rect.center().y() + metrics.ascent() / 2 - 1),
                        count,
                    )
                else:
                    width = metrics.horizontalAdvance(count)
                    painter.drawText(QPointF(rect.center().x() - width / 2, rect.top() - 3), count)
                index += 1
            assert first is not None
            if self.horizontal:
                label = metrics.elidedText(
                    group.label, Qt.TextElideMode.ElideRight, int(first.left() - 18)
                )
                painter.drawText(
                    QRectF(
                        8, first.top() - 4, first.left() - 14, len(group.bars) * first.height() + 8
                    ),
                    Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                    label,
                )
            else:
                column = (self.width() - 16) / max(1, len(self.groups))
                left = 8 + self.groups.index(group) * column
                painter.drawText(
                    QRectF(left, self.height() - metrics.height() - 6, column, metrics.height()),
                    Qt.AlignmentFlag.AlignCenter,
                    metrics.elidedText(group.label, Qt.TextElideMode.ElideRight, int(column)),
                )
        painter.end()

    # -- interaction ------------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt API)
        self._layout()
        point = event.position()
        for n, (rect, bar) in enumerate(self._hits):
            # Short bars get a generous target: the whole row/column slot around them.
            target = rect.adjusted(-3, -3, 3, 3)
            if self.horizontal:
                target.setRight(max(target.right(), rect.left() + 40))
            else:
                target.setTop(min(target.top(), rect.bottom() - 40))
            if target.contains(point):
                self.focused = n
                self.update()
                self.bar_activated.emit(bar)
                return
        super().mousePressEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt API)
        bars = self.bars()
        key = event.key()
        if bars and key in (Qt.Key.Key_Right, Qt.Key.Key_Down):
            self.focused = (self.focused + 1) % len(bars)
        elif bars and key in (Qt.Key.Key_Left, Qt.Key.Key_Up):
            self.focused = (self.focused - 1) % len(bars)
        elif bars and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.bar_activated.emit(bars[self.focused])
        else:
            super().keyPressEvent(event)
            return
        self.update()

    def focusInEvent(self, event: QFocusEvent) -> None:  # noqa: N802 (Qt API)
        self.update()
        super().focusInEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:  # noqa: N802 (Qt API)
        self.update()
        super().focusOutEvent(event)
