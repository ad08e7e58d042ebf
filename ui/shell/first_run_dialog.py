"""First run on an empty database: create the administrator who then adds everyone else."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from ui.messages import as_sentence
from ui.widgets import button, error_label, line_edit, show_inline
from vpchecklist.errors import ValidationError
from vpchecklist.services import Actor, users
from vpchecklist.store import Store


class FirstRunDialog(QDialog):
    """``admin`` holds the new administrator once accepted."""

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("first_run")
        self.setWindowTitle("Create the administrator")
        self.admin: Actor | None = None
        self._store = store
        heading = QLabel("Welcome to VP Checklist — create the administrator")
        heading.setObjectName("first_run.heading")
        heading.setStyleSheet("font-size: 20px; font-weight: 600;")
        heading.setWordWrap(True)
        intro = QLabel(
            "This database has no users yet. Create the administrator account; the "
            "administrator then adds nurses, physicians and auditors."
        )
        intro.setWordWrap(True)
        self.username = line_edit("first_run.username", "Administrator username", "e.g. it.admin")
        self.full_name = line_edit("first_run.full_name", "Full name")
        self.password = line_edit("first_run.password", "Password", "at least 10 characters")
        self.repeat = line_edit("first_run.repeat", "Repeat password")
        for edit in (self.password, self.repeat):
            edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.message = error_label("first_run.message")
        self.submit = button("Create administrator", "first_run.submit")
        self.submit.setDefault(True)
        form = QFormLayout()
        form.addRow("Username", self.username)
        form.addRow("Full name", self.full_name)
        form.addRow("Password", self.password)
        form.addRow("Repeat password", self.repeat)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.setSpacing(12)
        layout.addWidget(heading)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.submit)
        edits = [self.username, self.full_name, self.password, self.repeat]
        for current, following in zip(edits, edits[1:], strict=False):
            current.returnPressed.connect(following.setFocus)
        self.repeat.returnPressed.connect(self._create)
        self.submit.clicked.connect(self._create)
        self.setMinimumWidth(520)

    def _create(self) -> None:
        if self.password.text() != self.repeat.text():
            show_inline(self.message, "The two passwords are not the same.")
            self.repeat.selectAll()
            self.repeat.setFocus()
            return
        try:
            self.admin = users.create_first_admin(
                self._store, self.username.text(), self.full_name.text(), self.password.text()
            )
        except ValidationError as error:
            show_inline(self.message, as_sentence(error.message))
            field = {"username": self.username, "full_name": self.full_name}.get(
                error.item_id or "", self.password
            )
            field.setFocus()
            return
        self.accept()
