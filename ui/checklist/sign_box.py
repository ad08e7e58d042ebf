"""The signature form: the meaning being signed stated in words, the password again, and the
"not ready — postponed" way out (with its reason) when a hard stop blocks a ready sign-off."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
)
from shiboken6 import isValid

from ui.checklist.findings import severity_label
from ui.checklist.session import ChecklistSession
from ui.checklist.style import TOUCH, named
from vpchecklist.rules.evaluation import Evaluation
from vpchecklist.services.auth import WRONG_CREDENTIALS
from vpchecklist.services.signing import MEANINGS


def blocked_reason(ev: Evaluation) -> str:
    """Why "ready" cannot be signed yet, in counts a nurse can act on."""
    parts = []
    missing = len(ev.missing)
    if missing:
        parts.append(f"{missing} item{'s' if missing != 1 else ''} not answered")
    if ev.unacknowledged:
        n = len(ev.unacknowledged)
        parts.append(f"{n} warning{'s' if n != 1 else ''} not acknowledged")
    if ev.stops:
        n = len(ev.stops)
        parts.append(f"{n} hard stop{'s' if n != 1 else ''}")
    if ev.errors:
        parts.append("invalid answers to correct")
    return "Cannot be signed as ready yet: " + ", ".join(parts) + "." if parts else ""


class SignBox(QFrame):
    signed = Signal()

    def __init__(self, session: ChecklistSession) -> None:
        super().__init__()
        self.session = session
        self.busy = False
        self.reviewed: str | None = None  # content hash of the review shown (ReviewPage sets it)
        self.setObjectName("sign.box")
        box = QVBoxLayout(self)
        box.setContentsMargins(12, 10, 12, 12)
        box.setSpacing(8)
        choose = QLabel("Sign this checklist as:")
        choose.setProperty("role", "item-title")
        box.addWidget(choose)
        self.ready = QRadioButton("Ready for procedure")
        named(self.ready, "sign.meaning_ready", MEANINGS["ready"])
        self.postponed = QRadioButton("Not ready — procedure postponed")
        named(self.postponed, "sign.meaning_postponed", MEANINGS["postponed"])
        self.group = QButtonGroup(self)
        choices = QHBoxLayout()
        for radio in (self.ready, self.postponed):
            radio.setMinimumHeight(TOUCH)
            self.group.addButton(radio)
            choices.addWidget(radio)
        choices.addStretch(1)
        box.addLayout(choices)
        self.ready.setChecked(True)
        self.reason = QLineEdit()
        named(self.reason, "sign.reason", "Reason the procedure is postponed")
        self.reason.setPlaceholderText("Reason the procedure is postponed (required)")
        box.addWidget(self.reason)
        self.meaning = QLabel()
        self.meaning.setObjectName("sign.meaning")
        self.meaning.setWordWrap(True)
        box.addWidget(self.meaning)
        self.blocked = severity_label("sign.blocked", "warning")
        box.addWidget(self.blocked)
        self.password = QLineEdit()
        named(self.password, "sign.password", "Your password, to sign")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(f"Password of {session.actor.full_name}")
        box.addWidget(self.password)
        self.submit = QPushButton()
        named(self.submit, "sign.submit", "Sign the checklist")
        self.submit.setProperty("kind", "primary")
        box.addWidget(self.submit)
        self.error = severity_label("sign.error", "stop")
        box.addWidget(self.error)
        self.group.buttonToggled.connect(lambda *_: self.refresh(self.session.evaluation))
        self.submit.clicked.connect(self._sign)
        self.password.returnPressed.connect(self._sign)
        self.reason.returnPressed.connect(self.password.setFocus)
        session.signature_retrying.connect(self._retrying)

    def prefer_postponed(self) -> None:
        self.postponed.setChecked(True)
        self.reason.setFocus()

    def focus_for_signing(self) -> None:
        """Review opened: the cursor in the password (the postponement reason first when it is
        the one thing still asked), so typing the password and Enter signs."""
        if self.postponed.isChecked() and not self.reason.text().strip():
            self.reason.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self.password.setFocus(Qt.FocusReason.OtherFocusReason)

    def refresh(self, ev: Evaluation) -> None:
        # A hard stop: only "not ready — postponed" can be signed, so it is the one offered.
        stopped = bool(ev.stops)
        self.ready.setVisible(not stopped)
        if stopped and not self.postponed.isChecked():
            self.postponed.setChecked(True)  # re-enters refresh through buttonToggled
            return
        postponing = self.postponed.isChecked()
        self.reason.setVisible(postponing)
        meaning = MEANINGS["postponed" if postponing else "ready"]
        self.meaning.setText(f"With your password you sign: <b>“{meaning}”</b>")
        why = "" if postponing else blocked_reason(ev)
        self.blocked.setText(why)
        self.blocked.setVisible(bool(why))
        self.submit.setEnabled(not self.busy and (postponing or ev.ready_to_sign))
        who = self.session.actor.full_name
        self.submit.setText("Signing… (checking your password)" if self.busy else f"Sign as {who}")
        self.password.setPlaceholderText(f"Password of {who}")

    def _sign(self) -> None:
        if not self.submit.isEnabled():
            return
        meaning = "postponed" if self.postponed.isChecked() else "ready"
        reason = self.reason.text() if meaning == "postponed" else None
        password = self.password.text()
        self.password.clear()
        self._set_busy(True)
        self.session.sign(password, meaning, reason, self._signed, self, self.reviewed)

    def _set_busy(self, busy: bool) -> None:
        """While the password is checked: nothing to press twice, nothing to change."""
        self.busy = busy
        for widget in (self.password, self.ready, self.postponed, self.reason):
            widget.setEnabled(not busy)
        if busy:
            self.error.hide()
        self.refresh(self.session.evaluation)

    def _retrying(self, sentence: str) -> None:
        """The server dropped the connection while signing; the signature is tried again."""
        if self.busy and isValid(self):
            self.error.setText(sentence)
            self.error.show()

    def _signed(self, error: str | None) -> None:
        if not isValid(self):  # the page was closed while the password was being checked
            return
        self._set_busy(False)
        if error == WRONG_CREDENTIALS:  # the sign-in sentence; here only the password is typed
            error = (
                f"That is not the password of {self.session.actor.full_name}: nothing was "
                "signed. Type your password again."
            )
        self.error.setText(error or "")
        self.error.setVisible(bool(error))
        if error is None:
            self.signed.emit()
        else:
            self.password.setFocus()
