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
#: The first page only needs to fill the window (about 30 rows at 800 px); the rest follow on
#: scroll, ``PAGE_SIZE`` at a time.
FIRST_PAGE = 60

Index = QModelIndex | QPersistentModelIndex
_ROLES_SHOWN = frozenset(
    {
        Qt.ItemDataRole.DisplayRole,
        Qt.ItemDataRole.AccessibleTextRole,
        Qt.ItemDataRole.TextAlignmentRole,
        ID_ROLE,
    }
)
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


class RecordsModel(QAbstractTableModel):
    def __init__(self, store: Store, actor: Actor, parent: Any = None) -> None:
        super().__init__(parent)
        self._store = store
        self._actor = actor
        self._filters = Filters()
        self._rows: list[dict[str, Any]] = []
        self._words: list[tuple[str, ...] | None] = []  # each row's cells, worded when first shown
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
        self._words = []
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
            self._store,
            self._actor,
            self._filters,
            limit=PAGE_SIZE if self._rows else FIRST_PAGE,
            offset=len(self._rows),
        )
        if not page:
            self._total = len(self._rows)  # the database shrank under us; stop asking
            return
        start = len(self._rows)
        self.beginInsertRows(QModelIndex(), start, start + len(page) - 1)
        self._rows.extend(page)
        self._words.extend([None] * len(page))
        self.endInsertRows()

    def words(self, row: int) -> tuple[str, ...]:
        """The cells of ``row`` as shown; worded once (a paint asks for each cell many times)."""
        words = self._words[row]
        if words is None:
            words = self._words[row] = row_words(self._rows[row])
        return words

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
        # A paint asks each cell for about ten roles; the unused ones return first.
        if role not in _ROLES_SHOWN or not index.isValid():
            return None
        row = index.row()
        if row >= len(self._rows):
            return None
        if role == ID_ROLE:
            return self._rows[row]["id"]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _RIGHT if index.column() in (0, 7) else None
        return self.words(row)[index.column()]


def row_words(row: dict[str, Any]) -> tuple[str, ...]:
    """One summary row's cells, in ``COLUMNS`` order."""
    return (
        str(row["id"]),
        str(row["patient_name"]),
        str(row["date_of_birth"]),
        str(row["mrn"]),
        ", ".join(row["levels"]),
        wall_time(str(row["planned_start"])),
        STATUS_WORDS.get(row["status"], row["status"]),
        str(row["warning_count"] or ""),
        str(row["signed_by"] or ""),
        local_time(row["signed_at"]) if row["signed_at"] else "",
    )
