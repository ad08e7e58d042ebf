"""Sign-in: username and password, plain messages for wrong passwords and locked accounts, and
the forced password change. On a demo database it lists the demo users and their password."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from ui.messages import plain_message
from ui.operations import run_in_background
from ui.shell.password_change_dialog import PasswordChangeDialog
from ui.widgets import ElidedLabel, button, error_label, line_edit, show_inline
from vpchecklist.errors import AuthError, PasswordChangeRequired
from vpchecklist.services import Actor
from vpchecklist.services.auth import authenticate
from vpchecklist.store import Store


class LoginPage(QWidget):
    signed_in = Signal(object)  # Actor

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("login")
        self._store = store
        self._busy = False
        self._demo_pending = False

        card = QFrame()
        card.setObjectName("login.card")
        card.setMaximumWidth(480)
        title = QLabel("VP Checklist")
        title.setObjectName("login.title")
        subtitle = QLabel("Vertebroplasty pre-procedure checklist")
        subtitle.setObjectName("login.subtitle")
        self.username = line_edit("login.username", "Username", "username")
        self.password = line_edit("login.password", "Password", "password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.submit = button("Sign in", "login.submit")
        self.submit.setDefault(True)
        self.message = error_label("login.message")
        self.demo = QFrame()
        self.demo.setObjectName("login.demo")
        # Short unwrapped lines: a word-wrapped label in this card was cut off at the bottom.
        self.demo_grid = QGridLayout(self.demo)
        self.demo_grid.setContentsMargins(14, 10, 14, 10)
        self.demo_grid.setHorizontalSpacing(16)
        self.demo.hide()
        # Which database this workstation signs in to: with several rooms on one server, or a
        # laptop on its own file, the nurse (and IT on the phone) can see it before signing in.
        self.database = ElidedLabel("databaseLocation")
        self.database.set_full_text(f"Database: {store.label}")

        user_label = QLabel("&Username")
        user_label.setBuddy(self.username)
        password_label = QLabel("&Password")
        password_label.setBuddy(self.password)
        inner = QVBoxLayout(card)
        inner.setSpacing(8)
        inner.addWidget(title)
        inner.addWidget(subtitle)
        inner.addSpacing(16)
        inner.addWidget(user_label)
        inner.addWidget(self.username)
        inner.addWidget(password_label)
        inner.addWidget(self.password)
        inner.addWidget(self.message)
        inner.addSpacing(8)
        inner.addWidget(self.submit)
        inner.addSpacing(8)
        inner.addWidget(self.demo)
        inner.addWidget(self.database)

        outer = QVBoxLayout(self)
        outer.addStretch(1)
        outer.addWidget(card, 0, Qt.AlignmentFlag.AlignHCenter)
        outer.addStretch(2)

        self.username.returnPressed.connect(self.password.setFocus)
        self.password.returnPressed.connect(self._submit)
        self.submit.clicked.connect(self._submit)

    def reset(self, username: str = "") -> None:
        """A fresh sign-in screen (after sign-out, user switch or first run)."""
        self.username.setText(username)
        self.password.clear()
        show_inline(self.message, "")
        (self.password if username else self.username).setFocus()

    def show_demo_users(self, users: list[tuple[str, str, str]], password: str) -> None:
        lines = [
            ("<b>Demo database</b> — made-up patients,", ""),
            ("deleted when the app closes.", ""),
            *((f"<b>{name}</b>", role) for name, role, _ in users),
            (f"Password for all: <b>{password}</b>", ""),
        ]
        for row, (left, right) in enumerate(lines):
            label = QLabel(left)
            label.setObjectName("login.demo_text")
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            if right:
                self.demo_grid.addWidget(label, row, 0)
                self.demo_grid.addWidget(QLabel(right), row, 1)
            else:
                self.demo_grid.addWidget(label, row, 0, 1, 2)
        self.demo.show()

    def set_preparing(self, text: str) -> None:
        """While demo data is generated, sign-in waits (the worklist would be half-filled)."""
        self._demo_pending = bool(text)
        show_inline(self.message, text)
        self.message.setProperty("role", "info" if text else "error")
        self.message.style().polish(self.message)
        self.submit.setEnabled(not text and not self._busy)

    def _submit(self) -> None:
        if self._busy or self._demo_pending:
            return
        username = self.username.text().strip().lower()
        password = self.password.text()
        if not username or not password:
            show_inline(self.message, "Enter your username and password.")
            (self.username if not username else self.password).setFocus()
            return
        self._set_busy(True)
        run_in_background(
            lambda: authenticate(self._store, username, password),
            self._succeeded,
            parent=self,
            on_failure=lambda error: self._failed(error, username, password),
            store=self._store,
        )

    def _ask_new_password(self, username: str, password: str) -> None:
        """Non-blocking (``open``, not ``exec``) so the event loop, and tests, keep running."""
        dialog = PasswordChangeDialog(self._store, username, password, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def done(accepted: int) -> None:
            if accepted and dialog.actor is not None:
                self._succeeded(dialog.actor)
            else:
                show_inline(self.message, "Sign-in needs a new password first.")

        dialog.finished.connect(done)
        dialog.open()

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.submit.setEnabled(not busy)
        self.submit.setText("Signing in…" if busy else "Sign in")

    def _succeeded(self, actor: Actor) -> None:
        self._set_busy(False)
        self.password.clear()
        show_inline(self.message, "")
        self.signed_in.emit(actor)

    def _failed(self, error: BaseException, username: str, password: str) -> None:
        self._set_busy(False)
        if isinstance(error, PasswordChangeRequired):
            self._ask_new_password(username, password)
            return
        show_inline(
            self.message, str(error) if isinstance(error, AuthError) else plain_message(error)
        )
        self.password.clear()
        self.password.setFocus()
