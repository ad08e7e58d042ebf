"""Users: add (with a temporary password the user must replace), disable, enable, reset the
password. There is no delete: signed checklists and the audit trail name their users."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.admin.common import error_text, hint, read_only_table, show_status, status_label
from ui.widgets import TOUCH_PX, button, error_label, line_edit, named, show_inline
from vpchecklist.clock import parse_utc
from vpchecklist.errors import VPError
from vpchecklist.presentation import local_date
from vpchecklist.services import Actor, users
from vpchecklist.services.auth import MIN_PASSWORD_LENGTH
from vpchecklist.store import Store

COLUMNS = ("Username", "Full name", "Role", "Status", "Password", "Added")
ROLE_WORDS = {
    "nurse": "Nurse",
    "physician": "Physician",
    "auditor": "Auditor",
    "admin": "Administrator",
}
FORM_WIDTH = 400


def _status(row: dict[str, Any]) -> str:
    if not row["active"]:
        return "Disabled"
    locked = row["locked_until"]
    if locked:
        try:
            until = parse_utc(locked)
        except ValueError:
            return "Locked"
        if until > datetime.now(UTC):
            return f"Locked until {until.astimezone().strftime('%H:%M')}"
    return "Active"


def _added(text: str | None) -> str:
    try:
        return local_date(text)
    except ValueError:
        return text or ""


class UsersTab(QWidget):
    def __init__(self, store: Store, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("admin.users")
        self._store = store
        self._actor = actor
        self._rows: list[dict[str, Any]] = []
        self.reset_dialog: ResetPasswordDialog | None = None

        note = hint(
            "Users are never deleted: signed checklists and the audit trail name the people who "
            "signed them. Disable an account instead — it can be enabled again later."
        )
        note.setObjectName("admin.users.note")
        self.table = read_only_table(COLUMNS, "admin.users.table", "Users", stretch=1)
        self.add = button("Add user…", "admin.users.add", "Add a user")
        self.add.setProperty("kind", "primary")
        self.disable = button("Disable", "admin.users.disable", "Disable the selected user")
        self.enable = button("Enable", "admin.users.enable", "Enable the selected user")
        self.reset = button(
            "Reset password…", "admin.users.reset", "Reset the selected user's password"
        )
        self.status = status_label("admin.users.status")

        actions = QHBoxLayout()
        for push in (self.add, self.disable, self.enable, self.reset):
            actions.addWidget(push)
        actions.addStretch(1)

        self.form = self._build_form()
        self.form.hide()

        left = QVBoxLayout()
        left.addWidget(self.table, 1)
        left.addLayout(actions)
        left.addWidget(self.status)
        body = QHBoxLayout()
        body.addLayout(left, 1)
        body.addWidget(self.form, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addLayout(body, 1)

        self.add.clicked.connect(self.show_add_form)
        self.submit.clicked.connect(self._add_user)
        self.cancel.clicked.connect(self._close_form)
        self.disable.clicked.connect(self._disable)
        self.enable.clicked.connect(self._enable)
        self.reset.clicked.connect(self._ask_reset)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.refresh()

    def _build_form(self) -> QGroupBox:
        form = QGroupBox("Add a user")
        form.setObjectName("admin.users.form")
        form.setFixedWidth(FORM_WIDTH)
        self.username = line_edit("admin.users.username", "Username", "e.g. j.smith")
        self.full_name = line_edit(
            "admin.users.full_name", "Full name", "as it appears on signatures"
        )
        self.role = RoleChoice()
        self.password = line_edit(
            "admin.users.password",
            "Temporary password",
            f"at least {MIN_PASSWORD_LENGTH} characters",
        )
        self.form_message = error_label("admin.users.form_message")
        self.submit = button("Add user", "admin.users.submit", "Add this user")
        self.submit.setProperty("kind", "primary")
        self.cancel = button("Cancel", "admin.users.cancel", "Cancel adding a user")
        fields = QFormLayout()
        fields.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        fields.addRow("&Username", self.username)
        fields.addRow("&Full name", self.full_name)
        fields.addRow("&Role", self.role)
        fields.addRow("&Temporary password", self.password)
        explain = hint(
            "Give the temporary password to the user in person. They must choose their own "
            "password the first time they sign in."
        )
        buttons = QHBoxLayout()
        buttons.addWidget(self.submit)
        buttons.addWidget(self.cancel)
        buttons.addStretch(1)
        inner = QVBoxLayout(form)
        inner.addLayout(fields)
        inner.addWidget(explain)
        inner.addWidget(self.form_message)
        inner.addLayout(buttons)
        self.username.returnPressed.connect(self.full_name.setFocus)
        self.full_name.returnPressed.connect(self.password.setFocus)
        self.password.returnPressed.connect(self._add_user)
        return form

    # -- data -------------------------------------------------------------------------------
    def set_actor(self, actor: Actor) -> None:
        self._actor = actor

    def refresh(self) -> None:
        selected = self.selected_username()
        try:
            self._rows = users.list_users(self._store, self._actor)
        except VPError as error:
            show_status(self.status, error_text(error), error=True)
            return
        self.table.setRowCount(len(self._rows))
        for r, row in enumerate(self._rows):
            values = (
                row["username"],
                row["full_name"],
                ROLE_WORDS.get(row["role"], row["role"]),
                _status(row),
                "Must change" if row["must_change_password"] else "Own",
                _added(row["created_at"]),
            )
            for c, value in enumerate(values):
                self.table.setItem(r, c, QTableWidgetItem(value))
            if row["username"] == selected:
                self.table.selectRow(r)
        self._update_buttons()

    def selected_username(self) -> str | None:
        row = self._selected_row()
        return row["username"] if row else None

    def select_user(self, username: str) -> None:
        for r, row in enumerate(self._rows):
            if row["username"] == username:
                self.table.selectRow(r)
                return

    def _selected_row(self) -> dict[str, Any] | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self._rows):
            return None
        return self._rows[rows[0].row()]

    def _update_buttons(self) -> None:
        row = self._selected_row()
        is_self = row is not None and row["username"] == self._actor.username
        self.disable.setEnabled(row is not None and row["active"] and not is_self)
        locked = row is not None and _status(row).startswith("Locked")
        self.enable.setEnabled(row is not None and (not row["active"] or locked))
        self.enable.setText("Unlock" if locked and row and row["active"] else "Enable")
        self.reset.setEnabled(row is not None and not is_self)

    # -- add --------------------------------------------------------------------------------
    def show_add_form(self) -> None:
        for edit in (self.username, self.full_name, self.password):
            edit.clear()
        self.role.set_role("nurse")
        show_inline(self.form_message, "")
        self.form.show()
        self.username.setFocus()

    def _close_form(self) -> None:
        self.form.hide()
        self.add.setFocus()

    def _add_user(self) -> None:
        try:
            added = users.add_user(
                self._store,
                self._actor,
                self.username.text(),
                self.role.role(),
                self.full_name.text(),
                self.password.text(),
                must_change_password=True,
            )
        except VPError as error:
            show_inline(self.form_message, error_text(error))
            return
        self.form.hide()
        self.refresh()
        self.select_user(added.username)
        show_status(
            self.status,
            f"{added.full_name} ({added.username}) was added as {ROLE_WORDS[added.role].lower()}. "
            "They must choose a new password at their first sign-in.",
        )

    # -- disable, enable, reset -------------------------------------------------------------
    def _disable(self) -> None:
        self._change(users.disable_user, "{name} is disabled and can no longer sign in.")

    def _enable(self) -> None:
        """Enable a disabled account, or (the same button, labelled Unlock) lift a lockout."""
        row = self._selected_row()
        if row is not None and row["active"]:
            self._change(users.unlock_user, "{name} is unlocked and can sign in again.")
        else:
            self._change(users.enable_user, "{name} can sign in again.")

    def _change(self, verb: Any, done: str) -> None:
        username = self.selected_username()
        if username is None:
            return
        try:
            verb(self._store, self._actor, username)
        except VPError as error:
            show_status(self.status, error_text(error), error=True)
            return
        self.refresh()
        show_status(self.status, done.format(name=username))

    def _ask_reset(self) -> None:
        username = self.selected_username()
        if username is None:
            return
        dialog = ResetPasswordDialog(self._store, self._actor, username, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.reset_dialog = dialog

        def done(accepted: int) -> None:
            self.reset_dialog = None
            if accepted:
                self.refresh()
                show_status(
                    self.status,
                    f"The password of {username} was reset. They must choose a new one at "
                    "their next sign-in.",
                )

        dialog.finished.connect(done)
        dialog.open()


class ResetPasswordDialog(QDialog):
    """A new temporary password for one user; opened with ``open()`` so tests can drive it."""

    def __init__(
        self, store: Store, actor: Actor, username: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("admin.users.reset_dialog")
        self.setWindowTitle(f"Reset the password of {username}")
        self._store = store
        self._actor = actor
        self._username = username
        intro = QLabel(
            f"Type a temporary password for {username} and give it to them in person. They must "
            "choose their own password at their next sign-in. A locked account is unlocked."
        )
        intro.setWordWrap(True)
        self.password = line_edit(
            "admin.users.reset.password",
            "Temporary password",
            f"at least {MIN_PASSWORD_LENGTH} characters",
        )
        self.password.setEchoMode(QLineEdit.EchoMode.Normal)
        self.message = error_label("admin.users.reset.message")
        self.submit = button("Reset password", "admin.users.reset.submit")
        self.submit.setDefault(True)
        self.cancel = button("Cancel", "admin.users.reset.cancel", "Cancel the password reset")
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel)
        buttons.addWidget(self.submit)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.password)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.setMinimumWidth(480)
        self.password.returnPressed.connect(self._save)
        self.submit.clicked.connect(self._save)
        self.cancel.clicked.connect(self.reject)

    def _save(self) -> None:
        try:
            users.reset_password(self._store, self._actor, self._username, self.password.text())
        except VPError as error:
            show_inline(self.message, error_text(error))
            self.password.setFocus()
            return
        self.accept()


class RoleChoice(QWidget):
    """The four roles as radio buttons: all visible, one tap each, announced as a group."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "admin.users.role", "Role")
        self._group = QButtonGroup(self)
        self.buttons: dict[str, QRadioButton] = {}
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(16)
        grid.setVerticalSpacing(0)
        for n, (role, words) in enumerate(ROLE_WORDS.items()):
            radio = named(QRadioButton(words), f"admin.users.role.{role}", f"Role: {words}")
            radio.setMinimumHeight(TOUCH_PX)
            self._group.addButton(radio)
            self.buttons[role] = radio
            grid.addWidget(radio, n // 2, n % 2)
        self.set_role("nurse")

    def role(self) -> str:
        return next(role for role, radio in self.buttons.items() if radio.isChecked())

    def set_role(self, role: str) -> None:
        self.buttons[role].setChecked(True)
