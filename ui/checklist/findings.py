"""What the core found on one item, shown right under it: warnings with the acknowledge form,
hard stops as a red banner with the only ways forward, and input errors."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.checklist.display import STOP_MARK
from ui.checklist.style import named

STOP_WAYS_FORWARD = (
    "The checklist cannot be signed as ready. Change the answer if it was wrong, "
    "or close the checklist as not ready — procedure postponed."
)


def severity_label(name: str, severity: str, parent: QWidget | None = None) -> QLabel:
    label = QLabel(parent)
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setProperty("severity", severity)  # not yet polished: no re-polish needed
    label.hide()
    return label


class AckForm(QFrame):
    """Reason + physician informed + Acknowledge, named ``<id>.ack_*`` (test contract)."""

    submitted = Signal(str, str)

    def __init__(self, item_id: str, physician_hint: str = "") -> None:
        super().__init__()
        self.item_id = item_id
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.reason = QLineEdit()
        named(self.reason, f"{item_id}.ack_reason", "Reason for going ahead despite the warning")
        self.reason.setPlaceholderText("Reason for going ahead")
        self.physician = QLineEdit()
        named(self.physician, f"{item_id}.ack_physician", "Physician informed")
        self.physician.setPlaceholderText("Physician informed")
        if physician_hint:
            self.physician.setToolTip(f"e.g. {physician_hint}, the interventional radiologist")
        self.submit = QPushButton("Acknowledge")
        named(self.submit, f"{item_id}.ack_submit", "Acknowledge the warning")
        row.addWidget(self.reason, 3)
        row.addWidget(self.physician, 2)
        row.addWidget(self.submit)
        self.submit.clicked.connect(self._submit)

    def _submit(self) -> None:
        self.submitted.emit(self.reason.text(), self.physician.text())

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt API)
        """Enter in the reason moves to the physician; Enter there acknowledges. Either way it
        must not also move on to the next item."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if self.reason.hasFocus() and not self.physician.text().strip():
                self.physician.setFocus()
            else:
                self._submit()
            return
        super().keyPressEvent(event)

    def set_read_only(self, read_only: bool) -> None:
        for widget in (self.reason, self.physician, self.submit):
            widget.setEnabled(not read_only)


class FindingsView(QWidget):
    """Warnings, stops and errors of one item (or of ``levels``), with the acknowledge form."""

    acknowledge = Signal(str, str)
    postpone_requested = Signal()

    def __init__(
        self, item_id: str, physician_hint: str = "", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.item_id = item_id
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 4, 0, 0)
        box.setSpacing(6)
        self.stop = severity_label(f"{item_id}.stop", "stop")
        self.postpone = QPushButton("Close as postponed…")
        named(self.postpone, f"{item_id}.postpone", "Close the checklist as postponed")
        self.postpone.clicked.connect(self.postpone_requested)
        self.warning = severity_label(f"{item_id}.warning", "warning")
        self.acknowledged = severity_label(f"{item_id}.acknowledged", "ok")
        self.form = AckForm(item_id, physician_hint)
        self.form.submitted.connect(self.acknowledge)
        self.error = severity_label(f"{item_id}.ack_error", "error")
        stop_row = QHBoxLayout()
        stop_row.addWidget(self.stop, 1)
        stop_row.addWidget(self.postpone, 0, Qt.AlignmentFlag.AlignTop)
        box.addLayout(stop_row)
        box.addWidget(self.warning)
        box.addWidget(self.form)
        box.addWidget(self.error)
        box.addWidget(self.acknowledged)
        self.read_only = False
        self.show_findings([], [], False, "")

    def show_findings(
        self, warnings: list[str], stops: list[str], acknowledged: bool, ack_text: str
    ) -> None:
        has_stop = bool(stops)
        self.stop.setVisible(has_stop)
        self.postpone.setVisible(has_stop and not self.read_only)
        if has_stop:
            self.stop.setText(f"{STOP_MARK} STOP — " + " ".join(stops) + "\n" + STOP_WAYS_FORWARD)
        self.warning.setVisible(bool(warnings))
        if warnings:
            prefix = "⚠ Warning (acknowledged) — " if acknowledged else "⚠ Warning — "
            tail = "" if acknowledged else "\nTell the physician; record why you go ahead."
            self.warning.setText(prefix + " ".join(warnings) + tail)
        self.form.setVisible(bool(warnings) and not acknowledged)
        self.acknowledged.setVisible(bool(warnings) and acknowledged and bool(ack_text))
        self.acknowledged.setText(ack_text)
        if not warnings or acknowledged:
            self.error.hide()
        self.setVisible(has_stop or bool(warnings))

    def show_error(self, message: str | None) -> None:
        self.error.setText(message or "")
        self.error.setVisible(bool(message))

    def set_read_only(self, read_only: bool) -> None:
        self.read_only = read_only
        self.form.set_read_only(read_only)
        self.postpone.setEnabled(not read_only)
        if read_only:
            self.postpone.hide()
