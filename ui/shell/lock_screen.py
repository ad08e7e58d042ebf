"""The idle lock: hides every patient detail until the same user re-enters the password, or
another user signs in afresh (the previous user's work is already saved)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from ui.messages import plain_message
from ui.operations import run_in_background
from ui.widgets import button, error_label, line_edit, show_inline
from vpchecklist.errors import AuthError
from vpchecklist.services import Actor
from vpchecklist.services.auth import check_credentials
from vpchecklist.store import Store

CARD_WIDTH = 480


class LockScreen(QWidget):
    unlocked = Signal(object)  # the same Actor, freshly authenticated
    switch_user = Signal()

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lock")
        self._store = store
        self._actor: Actor | None = None
        self._busy = False
        card = QFrame()
        card.setObjectName("lock.card")
        # A fixed width, centred by stretches rather than an alignment flag: the page's layout
        # then asks the card its height at the width it really gets, so the wrapped text is
        # never cut off.
        card.setFixedWidth(CARD_WIDTH)
        title = QLabel("Screen locked")
        title.setObjectName("lock.title")
        self.who = QLabel()
        self.who.setObjectName("lock.who")
        self.who.setWordWrap(True)
        self.password = line_edit("lock.password", "Password", "password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.message = error_label("lock.message")
        self.submit = button("Unlock", "lock.submit")
        self.submit.setDefault(True)
        self.switch = button("Sign in as another user", "lock.switch_user")
        self.switch.setProperty("kind", "secondary")
        inner = QVBoxLayout(card)
        inner.setSpacing(10)
        inner.addWidget(title)
        inner.addWidget(self.who)
        inner.addWidget(self.password)
        inner.addWidget(self.message)
        inner.addWidget(self.submit)
        inner.addSpacing(12)
        inner.addWidget(self.switch)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(card)
        row.addStretch(1)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)
        self.setFocusProxy(self.password)  # showing the page puts the cursor in the password
        self.password.returnPressed.connect(self._unlock)
        self.submit.clicked.connect(self._unlock)
        self.switch.clicked.connect(self.switch_user)

    def lock_for(self, actor: Actor, idle_minutes: int | None = None) -> None:
        """``idle_minutes`` None: the user locked the screen by hand."""
        self._actor = actor
        if idle_minutes is None:
            why = "Locked by hand."
        else:
            unit = "minute" if idle_minutes == 1 else "minutes"
            why = f"Locked after {idle_minutes} {unit} without activity."
        self.who.setText(
            f"{why} {actor.full_name} ({actor.username}): enter your password to continue "
            "where you were. Everything you entered is saved."
        )
        self.password.clear()
        show_inline(self.message, "")
        self.password.setFocus()

    def _unlock(self) -> None:
        if self._busy or self._actor is None:
            return
        if not self.password.text():
            show_inline(self.message, "Enter your password.")
            return
        username, password = self._actor.username, self.password.text()
        self._busy = True
        self.submit.setEnabled(False)
        run_in_background(
            lambda: check_credentials(self._store, username, password, "unlock"),
            self._succeeded,
            parent=self,
            on_failure=self._failed,
            store=self._store,
        )

    def _succeeded(self, actor: Actor) -> None:
        self._done()
        self.password.clear()
        self.unlocked.emit(actor)

    def _failed(self, error: BaseException) -> None:
        self._done()
        show_inline(
            self.message, str(error) if isinstance(error, AuthError) else plain_message(error)
        )
        self.password.clear()
        self.password.setFocus()

    def _done(self) -> None:
        self._busy = False
        self.submit.setEnabled(True)
