"""Today's visits from the hospital schedule on the worklist, and "Start checklist" for one.

The rows come from ``services.schedule.upcoming`` (read on a worker with the worklist); only
visits still waiting for their checklist are listed. Starting one opens the new-checklist page
filled from the visit, its identity fields locked.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.widgets import button, named
from vpchecklist.presentation import wall_time

COLUMNS = ("Planned start", "Patient", "MRN", "Date of birth", "Levels", "Physician")


class ScheduledToday(QWidget):
    start_requested = Signal(dict)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("worklist.schedule.box")
        self.visits: list[dict[str, Any]] = []
        title = QLabel("Scheduled today")
        title.setObjectName("worklist.schedule.title")
        title.setProperty("role", "item-title")
        self.table = named(QTableWidget(0, len(COLUMNS)), "worklist.schedule", "Scheduled today")
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setDefaultSectionSize(40)
        self.table.setMaximumHeight(220)
        self.start = button("Start checklist", "worklist.schedule.start", "Start the checklist")
        self.start.setProperty("kind", "primary")
        self.empty = QLabel("No scheduled visits waiting today.")
        self.empty.setObjectName("worklist.schedule.empty")
        top = QHBoxLayout()
        top.addWidget(title, 1)
        top.addWidget(self.start)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addLayout(top)
        box.addWidget(self.table)
        box.addWidget(self.empty)
        self.start.clicked.connect(self._start_selected)
        self.table.activated.connect(lambda _index: self._start_selected())
        self.set_visits([])

    def set_visits(self, visits: list[dict[str, Any]]) -> None:
        self.visits = [v for v in visits if v["status"] == "scheduled"]
        self.table.setRowCount(len(self.visits))
        for row, visit in enumerate(self.visits):
            cells = (
                wall_time(visit["planned_start"]),
                visit["name"],
                visit["mrn"],
                visit["date_of_birth"],
                ", ".join(visit["levels"]) or "to pick",
                visit["physician"],
            )
            for column, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                cell.setData(Qt.ItemDataRole.UserRole, visit["id"])
                self.table.setItem(row, column, cell)
        self.table.setVisible(bool(self.visits))
        self.start.setEnabled(bool(self.visits))
        self.empty.setVisible(not self.visits)
        if self.visits and self.table.currentRow() < 0:
            self.table.selectRow(0)

    def _start_selected(self) -> None:
        row = self.table.currentRow()
        if 0 <= row < len(self.visits):
            self.start_requested.emit(self.visits[row])
