"""All checklist summaries as a lazily fetched Qt table model.

Only ``count`` runs when the filters change; rows arrive a page at a time through
``canFetchMore``/``fetchMore`` (``services.checklists.search`` with limit/offset), so a table
over 100,000 records opens and scrolls without loading them all.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from vpchecklist.presentation import local_time, wall_time
from vpchecklist.services import Actor, checklists
from vpchecklist.services.checklists import Filters
from vpchecklist.store import Store

COLUMNS = (
    "Record",
    "Patient",
    "Date of birth",
    "MRN",
    "Levels",
    "Planned start",
    "Status",
    "Warnings",
    "Signed by",
    "Signed",
)
STATUS_WORDS = {"draft": "Draft", "signed": "Signed — ready", "postponed": "Postponed"}
ID_ROLE = Qt.ItemDataRole.UserRole + 1
PAGE_SIZE = 200

Index = QModelIndex | QPersistentModelIndex


class RecordsModel(QAbstractTableModel):
    def __init__(self, store: Store, actor: Actor, parent: Any = None) -> None:
        super().__init__(parent)
        self._store = store
        self._actor = actor
        self._filters = Filters()
        self._rows: list[dict[str, Any]] = []
        self._total = 0

    @property
    def filters(self) -> Filters:
        return self._filters

    @property
    def total(self) -> int:
        """How many records match the filters (not how many are loaded)."""
        return self._total

    def set_actor(self, actor: Actor) -> None:
        """Later pages are read as this (re-authenticated) user."""
        self._actor = actor

    def set_filters(self, filters: Filters) -> None:
        """Count the matches and load the first page; raises the service's ``VPError``."""
        total = checklists.count(self._store, self._actor, filters)
        self.beginResetModel()
        self._filters = filters
        self._total = total
        self._rows = []
        self.endResetModel()
        if self.canFetchMore(QModelIndex()):
            self.fetchMore(QModelIndex())

    def refresh(self) -> None:
        self.set_filters(self._filters)

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008, N802
        return not parent.isValid() and len(self._rows) < self._total

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008, N802
        if parent.isValid():
            return
        page = checklists.search(
            self._store, self._actor, self._filters, limit=PAGE_SIZE, offset=len(self._rows)
        )
        if not page:
            self._total = len(self._rows)  # the database shrank under us; stop asking
            return
        start = len(self._rows)
        self.beginInsertRows(QModelIndex(), start, start + len(page) - 1)
        self._rows.extend(page)
        self.endInsertRows()

    def checklist_id(self, row: int) -> int:
        return int(self._rows[row]["id"])

    def summary(self, row: int) -> dict[str, Any]:
        return self._rows[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        row = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return display(row, index.column())
        if role == ID_ROLE:
            return row["id"]
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() in (0, 7):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


def display(row: dict[str, Any], column: int) -> str:
    values = (
        lambda: str(row["id"]),
        lambda: str(row["patient_name"]),
        lambda: str(row["date_of_birth"]),
        lambda: str(row["mrn"]),
        lambda: ", ".join(row["levels"]),
        lambda: wall_time(str(row["planned_start"])),
        lambda: STATUS_WORDS.get(row["status"], row["status"]),
        lambda: str(row["warning_count"] or ""),
        lambda: str(row["signed_by"] or ""),
        lambda: local_time(row["signed_at"]) if row["signed_at"] else "",
    )
    return values[column]()
