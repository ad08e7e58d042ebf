"""A small side view of the prone patient with the pillows, so the placement is seen at a glance
(a picture is harder to misread than "chest" vs "abdomen" under time pressure)."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

SKIN = QColor("#c9a27e")
PILLOW = QColor("#7fb3e6")
PILLOW_EDGE = QColor("#1565c0")
TABLE = QColor("#8a8a8a")
TEXT = QColor("#222222")


class ProneDiagram(QWidget):
    """Patient face-down, head to the left; pillow under chest or abdomen and under the shins."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.torso: str | None = None
        self.setMinimumSize(380, 150)
        self.setMaximumHeight(170)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.setFixedSize(400, 160)

    def set_placement(self, torso: str | None) -> None:
        self.torso = torso
        where = {"chest": "under the chest", "abdomen": "under the abdomen"}.get(torso or "", "")
        torso_text = f"a pillow {where} and " if where else ""
        self.setAccessibleDescription(
            f"Diagram: patient lying prone, {torso_text}a pillow under the lower legs."
        )
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt API)
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        w = self.width()
        sx = w / 400.0
        table_y = 118.0
        pillow_h = 18.0
        body_top = table_y - pillow_h - 30.0
        p.fillRect(QRectF(10 * sx, table_y, 380 * sx, 8), TABLE)
        # Pillows first, so the body lies on them.
        chest = QRectF(70 * sx, table_y - pillow_h, 70 * sx, pillow_h)
        abdomen = QRectF(150 * sx, table_y - pillow_h, 70 * sx, pillow_h)
        legs = QRectF(290 * sx, table_y - pillow_h, 70 * sx, pillow_h)
        placed = {"chest": chest, "abdomen": abdomen}.get(self.torso or "")
        for rect in [r for r in (placed, legs) if r is not None]:
            p.setPen(QPen(PILLOW_EDGE, 2))
            p.setBrush(PILLOW)
            p.drawRoundedRect(rect, 8, 8)
        # Body: head, trunk, legs (face down, head to the left).
        p.setPen(QPen(SKIN.darker(130), 1.5))
        p.setBrush(SKIN)
        p.drawEllipse(QRectF(22 * sx, body_top + 2, 34 * sx, 28))
        p.drawRoundedRect(QRectF(58 * sx, body_top, 180 * sx, 30), 12, 12)
        p.drawRoundedRect(QRectF(232 * sx, body_top + 6, 150 * sx, 20), 9, 9)
        # Labels.
        p.setPen(TEXT)
        font = QFont(self.font())
        font.setPointSizeF(max(8.0, font.pointSizeF() * 0.85))
        p.setFont(font)
        flags = Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop
        p.drawText(QRectF(0, table_y + 12, 80 * sx, 20), flags, "head")
        if placed is not None:
            text = "chest pillow" if self.torso == "chest" else "abdomen pillow"
            p.drawText(
                QRectF(placed.left() - 20, table_y + 12, placed.width() + 40, 20), flags, text
            )
        p.drawText(
            QRectF(legs.left() - 20, table_y + 12, legs.width() + 40, 20), flags, "leg pillow"
        )
        p.drawText(QRectF(0, 4, w, 20), Qt.AlignmentFlag.AlignHCenter, "Prone on the table")
        p.end()
