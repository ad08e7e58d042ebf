"""Pieces the admin tabs share: a status line that says what just happened, read-only tables
with touch-sized rows, and a section heading."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel, QTableWidget

from ui.messages import as_sentence, plain_message
from ui.widgets import TOUCH_PX, named
from vpchecklist.errors import ValidationError


def status_label(object_name: str) -> QLabel:
    """One line under the controls: an error in red or a confirmation, never both."""
    label = QLabel()
    label.setObjectName(object_name)
    label.setWordWrap(True)
    label.hide()
    return label


def show_status(label: QLabel, text: str, *, error: bool = False) -> None:
    label.setProperty("role", "error" if error else "info")
    label.style().unpolish(label)
    label.style().polish(label)
    label.setText(text)
    label.setVisible(bool(text))


def hint(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("page.hint")
    label.setWordWrap(True)
    return label


def read_only_table(
    columns: tuple[str, ...], object_name: str, accessible_name: str, stretch: int
) -> QTableWidget:
    table = named(QTableWidget(0, len(columns)), object_name, accessible_name)
    table.setHorizontalHeaderLabels(list(columns))
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.setTextElideMode(Qt.TextElideMode.ElideRight)
    table.verticalHeader().hide()
    table.verticalHeader().setDefaultSectionSize(TOUCH_PX)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return table


def error_text(error: BaseException) -> str:
    """A validation message as a sentence without its field prefix; any other domain error as
    its own sentence; an unexpected one points at the log (``plain_message``)."""
    if isinstance(error, ValidationError):
        return as_sentence(error.message)
    return plain_message(error)
