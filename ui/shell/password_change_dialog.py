"""The forced password change after an administrator set (or reset) a user's password."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from ui.messages import as_sentence
from ui.widgets import button, error_label, line_edit, show_inline
from vpchecklist.errors import AuthError, ValidationError
from vpchecklist.services import Actor
from vpchecklist.services.auth import change_password
from vpchecklist.store import Store


class PasswordChangeDialog(QDialog):
    """Asks for a new password twice; ``actor`` holds the signed-in user once accepted."""

    def __init__(
        self, store: Store, username: str, current: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("password_change")
        self.setWindowTitle("Choose a new password")
        self.actor: Actor | None = None
        self._store = store
        self._username = username
        self._current = current
        intro = QLabel(
            f"An administrator set the password of {username}. Choose your own password "
            "(at least 10 characters) before you continue."
        )
        intro.setWordWrap(True)
        self.new = line_edit("password_change.new", "New password")
        self.repeat = line_edit("password_change.repeat", "Repeat new password")
        for edit in (self.new, self.repeat):
            edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.message = error_label("password_change.message")
        self.submit = button("Save new password", "password_change.submit")
        self.submit.setDefault(True)
        form = QFormLayout()
        form.addRow("New password", self.new)
        form.addRow("Repeat", self.repeat)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.submit)
        self.new.returnPressed.connect(self.repeat.setFocus)
        self.repeat.returnPressed.connect(self._save)
        self.submit.clicked.connect(self._save)
        self.setMinimumWidth(460)

    def _save(self) -> None:
        if self.new.text() != self.repeat.text():
            self._say("The two new passwords are not the same.")
            self.repeat.selectAll()
            self.repeat.setFocus()
            return
        try:
            self.actor = change_password(
                self._store, self._username, self._current, self.new.text()
            )
        except ValidationError as error:
            self._say(as_sentence(error.message))
            self.new.setFocus()
            return
        except AuthError as error:
            self._say(str(error))
            return
        self.accept()

    def _say(self, text: str) -> None:
        """Show the error under the fields and grow the dialog to fit it: with a minimum width
        set, Qt no longer keeps the dialog as tall as its contents, and the fields would be
        squeezed on top of each other."""
        show_inline(self.message, text)
        layout = self.layout()
        if layout is None:
            return
        layout.activate()
        width = self.width()
        needed = max(layout.totalHeightForWidth(width), layout.totalMinimumSize().height())
        self.setMinimumHeight(needed)
        if self.height() < needed:
            self.resize(width, needed)
