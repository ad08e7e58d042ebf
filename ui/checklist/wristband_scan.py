"""The wristband check's scan field: a USB scanner types the barcode and Enter here.

The scan itself is one service call (``services.wristband.scan``) through the session; this
widget shows how the check was answered ("scanned" or "confirmed by hand", the one wording of
``presentation.provenance_text``) and, when the wristband's MRN is another patient's, the hard
stop sentence in red.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from ui.checklist.findings import severity_label
from ui.checklist.session import ChecklistSession
from ui.checklist.style import named
from vpchecklist.presentation import provenance_text
from vpchecklist.wristband import WRISTBAND_ITEM


class _ScanField(QLineEdit):
    """The scanner's Enter ends the code here: it must not also reach the card, where Enter
    means "yes" or "next item"."""

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt API)
        super().keyPressEvent(event)
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.accept()


class WristbandScan(QWidget):
    """``after_scan(error)``: the card shows the stored answer again (and an input error)."""

    def __init__(
        self,
        session: ChecklistSession,
        after_scan: Callable[[str | None], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.after_scan = after_scan
        self.field = _ScanField(self)
        named(self.field, f"{WRISTBAND_ITEM}.scan", "Scan the wristband's barcode")
        self.field.setPlaceholderText("Scan the wristband (or answer Yes by hand)")
        self.provenance = QLabel(self)
        self.provenance.setObjectName(f"{WRISTBAND_ITEM}.provenance")
        self.provenance.setProperty("role", "help")
        self.stop = severity_label(f"{WRISTBAND_ITEM}.scan_stop", "stop", self)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel("Wristband barcode:", self))
        row.addWidget(self.field, 1)
        row.addWidget(self.provenance)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addLayout(row)
        box.addWidget(self.stop)
        self.field.returnPressed.connect(self._scanned)
        self.show_provenance(session.detail["answers"].get(WRISTBAND_ITEM))

    def show_provenance(self, entry: dict | None) -> None:
        words = provenance_text(entry)
        self.provenance.setText(f"({words})" if words else "")

    def answered_by_hand(self) -> None:
        self.stop.hide()
        self.show_provenance({"provenance": "by_hand"})

    def set_read_only(self, read_only: bool) -> None:
        self.field.setEnabled(not read_only)

    def _scanned(self) -> None:
        code = self.field.text()
        self.field.clear()
        if not code.strip():
            return
        error, stop = self.session.scan_wristband(code)
        if error is None:
            self.show_provenance({"provenance": "scanned"})
        self.stop.setText(stop)
        self.stop.setVisible(bool(stop))
        self.after_scan(error)
