"""The database account's password, asked before the sign-in screen when the PostgreSQL server
wants one that neither ``PGPASSWORD`` nor ``~/.pgpass`` supplied.

It is the *server's* password (one account for the workstation), not a nurse's: so it comes
before sign-in, says which server asks, and is kept only for this run of the app.
"""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from ui.messages import TITLE
from ui.widgets import button, error_label, line_edit, show_inline


class DatabasePasswordDialog(QDialog):
    """``password`` holds what was typed once accepted; cancelling leaves it ``None``."""

    def __init__(
        self, where: str, account: str, problem: str = "", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("databasePasswordDialog")
        self.setWindowTitle(f"Database password — {TITLE}")
        self.password: str | None = None
        intro = QLabel(
            f"{where} asks for the password of the database account {account}: the "
            "workstation's account, not your own sign-in. Ask IT if you do not have it."
        )
        intro.setObjectName("databasePasswordDialog.intro")
        intro.setWordWrap(True)
        self.field = line_edit("databasePassword", f"Password of the database account {account}")
        self.field.setEchoMode(QLineEdit.EchoMode.Password)
        self.field.setPlaceholderText("database password")
        self.message = error_label("databasePasswordDialog.message")
        show_inline(self.message, problem)
        self.connect_button = button("Connect", "databasePasswordDialog.connect")
        self.connect_button.setDefault(True)
        self.cancel = button("Close the app", "databasePasswordDialog.cancel")
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel)
        buttons.addWidget(self.connect_button)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.field)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.field.returnPressed.connect(self._connect)
        self.connect_button.clicked.connect(self._connect)
        self.cancel.clicked.connect(self.reject)
        self.setMinimumWidth(480)
        self.field.setFocus()

    def _connect(self) -> None:
        if not self.field.text():
            show_inline(self.message, "Type the password of the database account.")
            return
        self.password = self.field.text()
        self.accept()


def ask_database_password(
    where: str, account: str, problem: str = "", parent: QWidget | None = None
) -> str | None:
    """The typed password, or None when the user closes the dialog (the app then exits)."""
    dialog = DatabasePasswordDialog(where, account, problem, parent)
    dialog.exec()
    return dialog.password
