"""The administrator's home page, for now the list of users (management stays in the CLI)."""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel, QTableWidget, QTableWidgetItem
from PySide6.QtWidgets import QVBoxLayout, QWidget

from ui.messages import show_error
from ui.widgets import named
from vpchecklist.errors import VPError
from vpchecklist.services import Actor, users
from vpchecklist.store import Store

_COLUMNS = ("Username", "Full name", "Role", "Active", "Must change password")


class AdminPage(QWidget):
    def __init__(self, store: Store, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("admin")
        self._store = store
        self._actor = actor
        title = QLabel("Administration")
        title.setObjectName("page.title")
        hint = QLabel("Users of this database. Add, disable or reset users with the "
                      "vpchecklist command line (vpchecklist user --help).")
        hint.setObjectName("page.hint")
        hint.setWordWrap(True)
        self.table = named(QTableWidget(0, len(_COLUMNS)), "admin.users", "Users")
        self.table.setHorizontalHeaderLabels(list(_COLUMNS))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(40)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(hint)
        layout.addWidget(self.table, 1)
        self.refresh()

    def set_actor(self, actor: Actor) -> None:
        self._actor = actor

    def refresh(self) -> None:
        try:
            rows = users.list_users(self._store, self._actor)
        except VPError as error:
            show_error(self, error)
            return
        self.table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            values = (
                row["username"],
                row["full_name"],
                row["role"],
                "yes" if row["active"] else "no",
                "yes" if row["must_change_password"] else "no",
            )
            for c, value in enumerate(values):
                self.table.setItem(r, c, QTableWidgetItem(value))
