"""Add an addendum to a closed record: text plus the password again (it is a signature)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.checklist.findings import severity_label
from ui.checklist.session import ChecklistSession
from ui.checklist.style import ensure_app_style, named


class AddendumDialog(QDialog):
    def __init__(self, session: ChecklistSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setWindowTitle("Add addendum")
        self.setObjectName("addendum.dialog")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        ensure_app_style(self)
        self.setMinimumWidth(560)
        box = QVBoxLayout(self)
        box.addWidget(
            QLabel(
                "The signed record stays as it was. The addendum is a new signed entry that "
                "refers to it."
            )
        )
        self.text = QPlainTextEdit()
        named(self.text, "addendum.text", "Addendum text")
        self.text.setPlaceholderText("What needs to be added or corrected, and why")
        box.addWidget(self.text, 1)
        self.password = QLineEdit()
        named(self.password, "addendum.password", "Your password, to sign the addendum")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(f"Password of {session.actor.full_name}")
        box.addWidget(self.password)
        self.error = severity_label("addendum.error", "stop")
        box.addWidget(self.error)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        cancel = QPushButton("Cancel")
        named(cancel, "addendum.cancel", "Cancel the addendum")
        cancel.setAutoDefault(False)
        cancel.clicked.connect(self.reject)
        self.submit = QPushButton("Sign addendum")
        named(self.submit, "addendum.submit", "Sign the addendum")
        self.submit.setAutoDefault(False)
        self.submit.clicked.connect(self._submit)
        # Enter in the password field signs, as on the review page (the text keeps Enter for
        # new lines).
        self.password.returnPressed.connect(self._submit)
        buttons.addWidget(cancel)
        buttons.addWidget(self.submit)
        box.addLayout(buttons)
        session.signature_retrying.connect(self._retrying)

    @property
    def busy(self) -> bool:
        return not self.submit.isEnabled()

    def _submit(self) -> None:
        if self.busy:
            return
        self.submit.setEnabled(False)
        self.submit.setText("Signing…")
        self.error.setVisible(False)
        self.session.add_addendum(
            self.text.toPlainText(), self.password.text(), self._signed, parent=self
        )

    def _retrying(self, sentence: str) -> None:
        """The server dropped the connection while signing; the addendum is tried again."""
        if self.busy:
            self.error.setText(sentence)
            self.error.setVisible(True)

    def _signed(self, error: str | None) -> None:
        self.submit.setEnabled(True)
        self.submit.setText("Sign addendum")
        self.password.clear()
        self.error.setText(error or "")
        self.error.setVisible(bool(error))
        if error is None:
            self.accept()
        else:
            self.password.setFocus()
