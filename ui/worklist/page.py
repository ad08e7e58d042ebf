"""The nurse's home page: today's and open checklists, a filter box and "New checklist"; and a
search over every record (MRN, name, planned dates) to open an earlier one read-only and add
an addendum to it (issue 13.7)."""

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

from ui.date_filter import any_date_edit, iso_or_none
from ui.operations import run_in_background
from ui.widgets import button, line_edit, named
from ui.worklist.model import (
    PLANNED_COLUMN,
    SEARCH_LIMIT,
    WorklistModel,
    fetch_worklist,
    search_records,
)
from ui.worklist.schedule_feed import ScheduleFeed
from ui.worklist.scheduled_today import ScheduledToday
from vpchecklist.services import Actor, allowed, schedule
from vpchecklist.store import Store


def fetch_home(store: Store, actor: Actor) -> tuple[list[dict], list[dict]]:
    """The worklist's checklists and today's scheduled visits, read together on a worker."""
    return fetch_worklist(store, actor), schedule.upcoming(store, actor, only_day=True)


WORKLIST_HINT = "Today's checklists and every checklist still in progress"
EMPTY_WORKLIST = "No checklists for today and none in progress."


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
        self.hint = hint = QLabel(WORKLIST_HINT)
        hint.setObjectName("page.hint")
        self.searching = False  # showing a search over all records, not the worklist
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
        self.table.sortByColumn(
            PLANNED_COLUMN, Qt.SortOrder.AscendingOrder
        )  # soonest planned start first
        self.table.setAlternatingRowColors(True)
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(44)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column, width in ((1, 150), (2, 130), (3, 110), (4, 180), (5, 150), (6, 110)):
            self.table.setColumnWidth(column, width)
        self.empty = QLabel(EMPTY_WORKLIST)
        self.empty.setObjectName("worklist.empty")
        self.empty.setWordWrap(True)
        self.empty.hide()
        # Every record, not only today's and open ones: an earlier record opens read-only,
        # with "Add addendum".
        self.search_text = line_edit(
            "worklist.search.text", "Search all records by patient name or MRN", "Name or MRN"
        )
        self.search_text.setClearButtonEnabled(True)
        self.search_from = any_date_edit("worklist.search.from", "Planned from date")
        self.search_to = any_date_edit("worklist.search.to", "Planned to date")
        self.search_button = button("Search all records", "worklist.search.run")
        self.search_button.setProperty("kind", "secondary")
        self.back_button = button("Back to the worklist", "worklist.search.back")
        self.back_button.setProperty("kind", "secondary")
        self.back_button.hide()
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
        search = QHBoxLayout()
        search.addWidget(self.search_text, 2)
        for caption, edit in (("Planned from", self.search_from), ("to", self.search_to)):
            label = QLabel(caption)
            label.setBuddy(edit)
            search.addWidget(label)
            search.addWidget(edit)
        search.addWidget(self.search_button)
        search.addWidget(self.back_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 16)
        layout.setSpacing(12)
        layout.addLayout(top)
        layout.addWidget(self.scheduled)
        layout.addLayout(tools)
        layout.addLayout(search)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)

        self.filter.textChanged.connect(self._filter_changed)
        self.search_text.returnPressed.connect(self.search_all)
        self.search_button.clicked.connect(self.search_all)
        self.back_button.clicked.connect(self.back_to_worklist)
        self.filter.returnPressed.connect(self._focus_table)
        self.table.activated.connect(self._open_index)
        self.open_button.clicked.connect(lambda: self._open_index(self.table.currentIndex()))
        self.new.clicked.connect(self.new_requested)
        self.refresh_button.clicked.connect(self.refresh)
        self.setTabOrder(self.new, self.filter)
        self.setTabOrder(self.filter, self.table)
        self.setTabOrder(self.table, self.refresh_button)
        self.setTabOrder(self.refresh_button, self.open_button)
        self.setTabOrder(self.open_button, self.search_text)
        self.setTabOrder(self.search_text, self.search_from)
        self.setTabOrder(self.search_from, self.search_to)
        self.setTabOrder(self.search_to, self.search_button)
        self.setTabOrder(self.search_button, self.back_button)

    def set_actor(self, actor: Actor) -> None:
        self._actor = actor
        self.feed.set_actor(actor)

    def refresh(self) -> None:
        """Reload in the background; the table keeps its rows until the new ones arrive."""
        if self.searching:
            self.search_all()
            return
        store, actor = self._store, self._actor
        run_in_background(
            lambda: fetch_home(store, actor), self._show_rows, parent=self, store=store
        )

    def _show_rows(self, found: tuple[list[dict], list[dict]]) -> None:
        rows, visits = found
        self.scheduled.set_visits(visits)
        if self.searching:  # a search started meanwhile: its rows stay
            self.loaded.emit()
            return
        self.model.set_rows(rows)
        self._show_emptiness()
        if rows and not self.table.currentIndex().isValid():
            self.table.selectRow(0)
        self.loaded.emit()

    # -- filter and search ---------------------------------------------------------------------
    def _filter_changed(self, text: str) -> None:
        self.proxy.setFilterFixedString(text)
        self._show_emptiness()

    def _show_emptiness(self) -> None:
        """Say in words why nothing is listed, instead of leaving an empty table."""
        text = self.filter.text().strip()
        if self.model.rowCount() == 0:
            message = self._nothing_found() if self.searching else EMPTY_WORKLIST
        elif self.proxy.rowCount() == 0:
            where = "found" if self.searching else "on the worklist"
            message = f"No checklist {where} matches \u201c{text}\u201d."
            if not self.searching:
                message += " Earlier records: search all records below."
        else:
            message = ""
        self.empty.setText(message)
        self.empty.setVisible(bool(message))
        # An empty worklist keeps its (empty) table; a filter or search that found nothing
        # shows only the sentence.
        self.table.setVisible(not message or (self.model.rowCount() == 0 and not self.searching))

    def _nothing_found(self) -> str:
        words = self.search_text.text().strip()
        start, end = iso_or_none(self.search_from), iso_or_none(self.search_to)
        what = f"matches \u201c{words}\u201d" if words else "is planned"
        when = ""
        if start and end:
            when = f" between {start} and {end}"
        elif start:
            when = f" from {start} on"
        elif end:
            when = f" up to {end}"
        return f"No record {what}{when}."

    def search_all(self) -> None:
        """Every record matching the name or MRN and dates, in the background."""
        store, actor = self._store, self._actor
        text = self.search_text.text()
        start, end = iso_or_none(self.search_from), iso_or_none(self.search_to)
        self.searching = True
        self.back_button.show()
        run_in_background(
            lambda: search_records(store, actor, text, start, end),
            self._show_found,
            parent=self,
            store=store,
        )

    def _show_found(self, found: tuple[list[dict], int]) -> None:
        if not self.searching:
            return
        rows, total = found
        self.model.set_rows(rows)
        shown = f"the newest {SEARCH_LIMIT} of {total:,}" if total > len(rows) else f"{total:,}"
        self.hint.setText(
            f"All records: {shown} found. A closed record opens read-only, with Add addendum."
        )
        self._show_emptiness()
        if rows and not self.table.currentIndex().isValid():
            self.table.selectRow(0)
        self.loaded.emit()

    def back_to_worklist(self) -> None:
        self.searching = False
        self.back_button.hide()
        self.hint.setText(WORKLIST_HINT)
        self.refresh()

    def _focus_table(self) -> None:
        self.table.setFocus()
        if self.proxy.rowCount() and not self.table.currentIndex().isValid():
            self.table.selectRow(0)

    def _open_index(self, index: QModelIndex) -> None:
        if not index.isValid():
            return
        source = self.proxy.mapToSource(index)
        self.open_requested.emit(self.model.checklist_id(source.row()))
