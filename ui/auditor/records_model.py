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
#: Each column's summary key, which ``checklists.search`` sorts on in the database.
SORT_KEYS = (
    "id",
    "patient_name",
    "date_of_birth",
    "mrn",
    "levels",
    "planned_start",
    "status",
    "warning_count",
    "signed_by",
    "signed_at",
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
        Qt.ItemDataRole.ToolTipRole,
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
        self._sort = "planned_start"
        self._descending = True
        self._applied = False  # no query before the page sets its filters (a nurse's own)

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
        self._applied = True
        self.beginResetModel()
        self._filters = filters
        self._total = total
        self._rows = []
        self._words = []
        self.endResetModel()
        if self.canFetchMore(QModelIndex()):
            self.fetchMore(QModelIndex())

    @property
    def sort_key(self) -> tuple[str, bool]:
        """The column key the rows are ordered by, and whether largest/newest first."""
        return self._sort, self._descending

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """A header click: the database orders the rows (no page is sorted in memory)."""
        self._sort = SORT_KEYS[column]
        self._descending = order == Qt.SortOrder.DescendingOrder
        if self._applied:
            self.set_filters(self._filters)

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
            sort=self._sort,
            newest_first=self._descending,
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
            # Two-word headers on two lines: a header is then no wider than its values.
            return COLUMNS[section].replace(" ", "\n", 1)
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole:
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
        text = self.words(row)[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole:
            return text or None  # the full value when the column is too narrow to show it
        return text


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
