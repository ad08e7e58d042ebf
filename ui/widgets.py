"""Small builders so every interactive widget gets its object name, accessible name and a
touch-sized height in one line."""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton, QSizePolicy, QWidget

W = TypeVar("W", bound=QWidget)

TOUCH_PX = 44


def named(widget: W, object_name: str, accessible_name: str) -> W:
    widget.setObjectName(object_name)
    widget.setAccessibleName(accessible_name)
    return widget


def line_edit(object_name: str, accessible_name: str, placeholder: str = "") -> QLineEdit:
    edit = named(QLineEdit(), object_name, accessible_name)
    edit.setPlaceholderText(placeholder)
    edit.setMinimumHeight(TOUCH_PX)
    return edit


def button(text: str, object_name: str, accessible_name: str | None = None) -> QPushButton:
    push = named(QPushButton(text), object_name, accessible_name or text.replace("&", ""))
    push.setMinimumHeight(TOUCH_PX)
    push.setAutoDefault(False)
    return push


def error_label(object_name: str) -> QLabel:
    """An inline message next to a field; empty and hidden until there is something to say."""
    label = QLabel()
    label.setObjectName(object_name)
    label.setProperty("role", "error")
    label.setWordWrap(True)
    label.hide()
    return label


def show_inline(label: QLabel, text: str) -> None:
    label.setText(text)
    label.setVisible(bool(text))


class ElidedLabel(QLabel):
    """Plain text that never widens its layout: too long for one line, it breaks after the
    last word that fits, and a second line still too long loses its middle (a file path keeps
    its start and its file name; a server keeps its account and database). The whole text is
    the tooltip and the accessible name."""

    def __init__(self, object_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._full = ""

    def set_full_text(self, text: str) -> None:
        self._full = text
        self.setToolTip(text)
        self.setAccessibleName(text)
        self._elide()

    def full_text(self) -> str:
        return self._full

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(0, super().minimumSizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        width = self.contentsRect().width()
        metrics = self.fontMetrics()
        shown = self._full
        if width > 0 and metrics.horizontalAdvance(shown) > width:
            words = shown.split(" ")
            first = 0
            while first < len(words) and (
                metrics.horizontalAdvance(" ".join(words[: first + 1])) <= width
            ):
                first += 1
            first = max(first, 1)
            rest = " ".join(words[first:])
            head = metrics.elidedText(" ".join(words[:first]), Qt.TextElideMode.ElideMiddle, width)
            tail = metrics.elidedText(rest, Qt.TextElideMode.ElideMiddle, width)
            shown = f"{head}\n{tail}" if rest else head
        if shown != self.text():
            self.setText(shown)
