"""The nurse's home page: today's and open checklists, a filter box and "New checklist"."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui.operations import run_in_background
from ui.widgets import button, line_edit, named
from ui.worklist.model import WorklistModel, fetch_worklist
from ui.worklist.schedule_feed import ScheduleFeed
from ui.worklist.scheduled_today import ScheduledToday
from vpchecklist.services import Actor, allowed, schedule
from vpchecklist.store import Store


def fetch_home(store: Store, actor: Actor) -> tuple[list[dict], list[dict]]:
    """The worklist's checklists and today's scheduled visits, read together on a worker."""
    return fetch_worklist(store, actor), schedule.upcoming(store, actor, only_day=True)


class WorklistPage(QWidget):
    open_requested = Signal(int)
    new_requested = Signal()
    start_requested = Signal(dict)  # a scheduled visit (``services.schedule`` shape)
    loaded = Signal()

    def __init__(self, store: Store, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("worklist")
        self._store = store
        self._actor = actor
        self.model = WorklistModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterKeyColumn(-1)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.proxy.setSortRole(Qt.ItemDataRole.UserRole)

        title = QLabel("Worklist")
        title.setObjectName("page.title")
        hint = QLabel("Today's checklists and every checklist still in progress")
        hint.setObjectName("page.hint")
        self.filter = line_edit(
            "worklist.filter", "Filter the worklist", "Filter by patient, MRN or level…"
        )
        self.filter.setClearButtonEnabled(True)
        self.new = button("New checklist", "worklist.new")
        self.new.setProperty("kind", "primary")
        self.new.setShortcut(QKeySequence(QKeySequence.StandardKey.New))  # Ctrl+N
        self.new.setToolTip("New checklist (Ctrl+N)")
        if not allowed(actor.role, "create"):
            # Only ever hide here: showing a widget that has no parent yet opens it as a window
            # of its own for a moment, which takes the focus away from the main window.
            self.new.hide()
        self.refresh_button = button("Refresh", "worklist.refresh", "Refresh the worklist")
        self.refresh_button.setProperty("kind", "secondary")
        self.open_button = button("Open", "worklist.open", "Open the selected checklist")

        self.table = named(QTableView(), "worklist.table", "Checklists")
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(3, Qt.SortOrder.AscendingOrder)  # soonest planned start first
        self.table.setAlternatingRowColors(True)
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(44)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column, width in ((1, 140), (2, 130), (3, 180), (4, 170), (5, 110)):
            self.table.setColumnWidth(column, width)
        self.empty = QLabel("No checklists for today and none in progress.")
        self.empty.setObjectName("worklist.empty")
        self.empty.hide()
        self.scheduled = ScheduledToday()
        self.scheduled.start_requested.connect(self.start_requested)
        if not allowed(actor.role, "create"):
            self.scheduled.hide()
        self.feed = ScheduleFeed(store, actor, self)
        self.feed.imported.connect(self.refresh)

        top = QHBoxLayout()
        heading = QVBoxLayout()
        heading.addWidget(title)
        heading.addWidget(hint)
        top.addLayout(heading, 1)
        top.addWidget(self.new)
        tools = QHBoxLayout()
        tools.addWidget(self.filter, 1)
        tools.addWidget(self.refresh_button)
        tools.addWidget(self.open_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 16)
        layout.setSpacing(12)
        layout.addLayout(top)
        layout.addWidget(self.scheduled)
        layout.addLayout(tools)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)

        self.filter.textChanged.connect(self.proxy.setFilterFixedString)
        self.filter.returnPressed.connect(self._focus_table)
        self.table.activated.connect(self._open_index)
        self.open_button.clicked.connect(lambda: self._open_index(self.table.currentIndex()))
        self.new.clicked.connect(self.new_requested)
        self.refresh_button.clicked.connect(self.refresh)
        self.setTabOrder(self.new, self.filter)
        self.setTabOrder(self.filter, self.table)
        self.setTabOrder(self.table, self.refresh_button)
        self.setTabOrder(self.refresh_button, self.open_button)

    def set_actor(self, actor: Actor) -> None:
        self._actor = actor
        self.feed.set_actor(actor)

    def refresh(self) -> None:
        """Reload in the background; the table keeps its rows until the new ones arrive."""
        store, actor = self._store, self._actor
        run_in_background(
            lambda: fetch_home(store, actor), self._show_rows, parent=self, store=store
        )

    def _show_rows(self, found: tuple[list[dict], list[dict]]) -> None:
        rows, visits = found
        self.scheduled.set_visits(visits)
        self.model.set_rows(rows)
        self.empty.setVisible(not rows)
        if rows and not self.table.currentIndex().isValid():
            self.table.selectRow(0)
        self.loaded.emit()

    def _focus_table(self) -> None:
        self.table.setFocus()
        if self.proxy.rowCount() and not self.table.currentIndex().isValid():
            self.table.selectRow(0)

    def _open_index(self, index: QModelIndex) -> None:
        if not index.isValid():
            return
        source = self.proxy.mapToSource(index)
        self.open_requested.emit(self.model.checklist_id(source.row()))
