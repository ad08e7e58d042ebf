"""Checklist summaries (as ``services.checklists.search`` returns them) as a Qt table model."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from vpchecklist.presentation import wall_time
from vpchecklist.services import Actor, checklists
from vpchecklist.services.checklists import Filters
from vpchecklist.store import Store

# Date of birth beside the name: the demo alone has three patients called Haddad (issue 13.7).
COLUMNS = ("Patient", "Date of birth", "MRN", "Levels", "Planned start", "Status", "Progress")
PLANNED_COLUMN = 4
PROGRESS_COLUMN = 6
STATUS_WORDS = {"draft": "In progress", "signed": "Signed — ready", "postponed": "Postponed"}
ID_ROLE = Qt.ItemDataRole.UserRole + 1

Index = QModelIndex | QPersistentModelIndex


class WorklistModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[dict[str, Any]] = []

    def set_rows(self, rows: list[dict[str, Any]]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def checklist_id(self, row: int) -> int:
        return int(self._rows[row]["id"])

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return _display(row, column)
        if role == ID_ROLE:
            return row["id"]
        if role == Qt.ItemDataRole.UserRole:  # sort key
            if column == PLANNED_COLUMN:  # the stored ISO text sorts by time; words would not
                return str(row["planned_start"])
            return row["progress"] if column == PROGRESS_COLUMN else _display(row, column)
        if role == Qt.ItemDataRole.TextAlignmentRole and column == PROGRESS_COLUMN:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and row.get("warning_count"):
            return f"{row['warning_count']} warning(s)"
        return None


def _display(row: dict[str, Any], column: int) -> str:
    if column == 0:
        return str(row["patient_name"])
    if column == 1:
        return str(row["date_of_birth"])
    if column == 2:
        return str(row["mrn"])
    if column == 3:
        return ", ".join(row["levels"])
    if column == PLANNED_COLUMN:
        return wall_time(str(row["planned_start"]))
    if column == 5:
        return STATUS_WORDS.get(row["status"], row["status"])
    return f"{row['progress']} %"


def fetch_worklist(store: Store, actor: Actor, today: date | None = None) -> list[dict[str, Any]]:
    """Today's checklists (any status) and every open draft, soonest planned start first.
    Runs on a worker thread: it only calls services."""
    day = (today or date.today()).isoformat()
    rows = {
        row["id"]: row
        for filters in (Filters(open_only=True), Filters(date_from=day, date_to=day))
        for row in checklists.search(store, actor, filters)
    }
    return sorted(rows.values(), key=lambda row: (row["planned_start"], row["id"]))


#: At most this many records answer one search (newest planned start first); the page says so.
SEARCH_LIMIT = 200


def search_records(
    store: Store, actor: Actor, text: str, date_from: str | None, date_to: str | None
) -> tuple[list[dict[str, Any]], int]:
    """Every record (not only today's or open ones) whose MRN is ``text`` or whose patient's
    name starts with it (any word, any case or accents), planned within the dates; the newest
    ``SEARCH_LIMIT`` and how many matched. Runs on a worker thread: it only calls services."""
    text = text.strip()
    queries = (
        [
            Filters(mrn=text, date_from=date_from, date_to=date_to),
            Filters(name=text, date_from=date_from, date_to=date_to),
        ]
        if text
        else [Filters(date_from=date_from, date_to=date_to)]
    )
    rows: dict[int, dict[str, Any]] = {}
    total = 0
    for filters in queries:
        total += checklists.count(store, actor, filters)
        for row in checklists.search(store, actor, filters, limit=SEARCH_LIMIT):
            rows[row["id"]] = row
    found = sorted(rows.values(), key=lambda row: (row["planned_start"], row["id"]), reverse=True)
    return found[:SEARCH_LIMIT], max(len(rows), total)
