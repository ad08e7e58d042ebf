"""Small builders so every interactive widget gets its object name, accessible name and a
touch-sized height in one line."""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton, QWidget

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
