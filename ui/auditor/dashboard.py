"""The compliance dashboard: an auditor's period at a glance — started, signed ready, postponed
(by hard stop), warnings acknowledged (by item), median time to complete, rushed rate, time-out
timing and a weekly trend. Every figure and bar is a button that lists exactly its records;
a listed record opens in the read-only record view.

The figures come from ``compliance.summarise`` (the same as ``vpchecklist report``), read on a
worker thread through ``ui.operations`` so the window never freezes over a large period.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QDate,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSizePolicy,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui.auditor.bar_chart import Bar, BarChart, Group
from ui.operations import Operation, run_in_background
from vpchecklist.compliance import (
    PALETTE,
    TIMEOUT_WORDS,
    Figure,
    Figures,
    RecordMetrics,
    percent,
    summarise,
)
from vpchecklist.metrics import duration_text
from vpchecklist.presentation import wall_time
from vpchecklist.services import Actor
from vpchecklist.services.metrics import RangeQuery, records_in_range
from vpchecklist.store import Store

WEEKS_SHOWN = 26
ANY = ""
_Index = QModelIndex | QPersistentModelIndex


class _RecordsModel(QAbstractTableModel):
    """The records behind the chosen figure (a view over a list: thousands of rows stay fast)."""

    HEADERS = ["Id", "Planned start", "Status", "Started by", "Physician", "Time", "Pattern"]

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[RecordMetrics] = []

    def set_rows(self, rows: list[RecordMetrics]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008 (Qt API)
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008 (Qt API)
        return len(self.HEADERS)

    def headerData(  # noqa: N802 (Qt API)
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role != Qt.ItemDataRole.DisplayRole:
            return None
        record = self.rows[index.row()]
        done = record.completion
        if done.rushed:
            pattern = f"flagged rushed: {done.rushed_because}"
        elif done.total_seconds is None:
            pattern = "imported, not timed" if done.imported else "no answers yet"
        else:
            pattern = f"{done.fast_answers} fast, {done.changed_answers} changed"
        time = "—" if done.total_seconds is None else duration_text(done.total_seconds)
        return [
            str(record.checklist_id),
            wall_time(record.planned_start),
            record.status,
            record.started_by,
            record.physician,
            time,
            pattern,
        ][index.column()]


def _tile(name: str, caption: str) -> QPushButton:
    """A headline figure: a flat button (click or Enter lists its records)."""
    button = QPushButton()
    button.setObjectName(name)
    button.setAccessibleName(caption)
    button.setProperty("caption", caption)
    button.setMinimumHeight(58)
    # Six tiles share the width of a 1280 px window whatever their text.
    button.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
    button.setStyleSheet("QPushButton { text-align: left; padding: 6px 10px; }")
    return button


class DashboardWindow(QDialog):
    """Non-modal: it stays open beside the records and the record views it opens."""

    open_requested = Signal(int)  # a listed record's id
    loaded = Signal()  # figures on screen (tests and the benchmark wait for it)

    def __init__(
        self,
        store: Store,
        actor: Actor,
        parent: QWidget | None = None,
        date_from: QDate | None = None,
        date_to: QDate | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.actor = actor
        self.figures: Figures | None = None
        self.records: dict[int, RecordMetrics] = {}
        self.listed: list[int] = []
        self.job: Operation | None = None
        self._generation = 0
        self.setObjectName("dashboard.window")
        self.setWindowTitle("Compliance dashboard")
        self.setAccessibleName("Compliance dashboard")
        self.resize(1180, 780)

        today = QDate.currentDate()
        self.date_from = self._date(
            "dashboard.from", "Planned from", date_from or today.addDays(-90)
        )
        self.date_to = self._date("dashboard.to", "Planned to", date_to or today)
        self.nurse = self._combo("dashboard.nurse", "Started by")
        self.physician = self._combo("dashboard.physician", "Physician")
        self.refresh = QPushButton("&Show")
        self.refresh.setObjectName("dashboard.refresh")
        self.refresh.setAccessibleName("Show the figures for this period")
        self.status = QLabel()
        self.status.setObjectName("dashboard.status")
        self.status.setAccessibleName("Dashboard status")
        filters = QHBoxLayout()
        for caption, widget in (
            ("Planned &from", self.date_from),
            ("&to", self.date_to),
            ("&Nurse", self.nurse),
            ("&Physician", self.physician),
        ):
            label = QLabel(caption)
            label.setBuddy(widget)
            filters.addWidget(label)
            filters.addWidget(widget)
        filters.addWidget(self.refresh)
        filters.addStretch(1)
        self.status.setWordWrap(True)

        self.tiles = {
            key: _tile(f"dashboard.figure.{key}", caption)
            for key, caption in (
                ("started", "Started"),
                ("signed_ready", "Signed ready"),
                ("postponed", "Postponed"),
                ("drafts", "Still draft"),
                ("completed", "Median to complete"),
                ("rushed", "Flagged rushed"),
            )
        }
        tiles = QHBoxLayout()
        for key, tile in self.tiles.items():
            tile.clicked.connect(lambda _c=False, k=key: self.show_figure(k))
            tiles.addWidget(tile)

        self.weekly = BarChart("dashboard.chart.weekly", "Weekly trend", horizontal=False)
        self.timeout = BarChart("dashboard.chart.timeout", "Time-out timing", horizontal=True)
        self.postponed = BarChart(
            "dashboard.chart.postponed", "Postponed, by hard stop", horizontal=True
        )
        self.warnings = BarChart(
            "dashboard.chart.warnings", "Warnings acknowledged, by item", horizontal=True
        )
        charts = QGridLayout()
        for n, chart in enumerate((self.weekly, self.timeout, self.postponed, self.warnings)):
            chart.bar_activated.connect(self.show_bar)
            charts.addWidget(chart, n // 2, n % 2)

        self.caption = QLabel("Click a figure or a bar to list its records.")
        self.caption.setObjectName("dashboard.records.caption")
        self.model = _RecordsModel(self)
        self.table = QTableView()
        self.table.setObjectName("dashboard.records")
        self.table.setAccessibleName("Records behind the chosen figure")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in enumerate((56, 165, 85, 140, 160, 115)):
            self.table.setColumnWidth(column, width)
        self.table.activated.connect(self._open)

        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.status)
        layout.addLayout(tiles)
        layout.addLayout(charts, 3)
        layout.addWidget(self.caption)
        layout.addWidget(self.table, 2)

        self.refresh.clicked.connect(self.load)
        self.nurse.activated.connect(lambda _i: self.load())
        self.physician.activated.connect(lambda _i: self.load())
        self.load()

    @staticmethod
    def _date(name: str, accessible: str, value: QDate) -> QDateEdit:
        edit = QDateEdit(value)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        edit.setObjectName(name)
        edit.setAccessibleName(accessible)
        return edit

    @staticmethod
    def _combo(name: str, accessible: str) -> QComboBox:
        combo = QComboBox()
        combo.setObjectName(name)
        combo.setAccessibleName(accessible)
        combo.addItem("Anyone", ANY)
        combo.setMinimumContentsLength(10)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        return combo

    # -- loading ----------------------------------------------------------------------------

    def query(self) -> RangeQuery:
        return RangeQuery(
            self.date_from.date().toString("yyyy-MM-dd"),
            self.date_to.date().toString("yyyy-MM-dd"),
            self.nurse.currentData() or None,
            self.physician.currentData() or None,
        )

    def load(self) -> None:
        """Read the period on a worker; a newer request supersedes one still running (only the
        latest answer is shown)."""
        query = self.query()
        store, actor = self.store, self.actor
        self.status.setText("Reading the period…")
        self._generation += 1
        generation = self._generation

        def work() -> tuple[int, list[RecordMetrics], Figures]:
            records = records_in_range(store, actor, query)
            return generation, records, summarise(records, query.date_from, query.date_to)

        self.job = run_in_background(
            work, self._loaded, parent=self, on_failure=self._failed, store=store
        )

    def _failed(self, error: BaseException) -> None:
        self.status.setText(str(error))

    def _loaded(self, result: tuple[int, list[RecordMetrics], Figures]) -> None:
        generation, records, figures = result
        if generation != self._generation:
            return
        self.figures = figures
        self.records = {r.checklist_id: r for r in records}
        self._fill_choices(self.nurse, [r.started_by for r in records])
        self._fill_choices(self.physician, [r.physician for r in records])
        self.status.setText(
            f"{figures.started.count:,} checklists planned {figures.date_from} to {figures.date_to}"
        )
        self._fill_tiles(figures)
        self._fill_charts(figures)
        self.list_records("Click a figure or a bar to list its records.", ())
        self.loaded.emit()

    @staticmethod
    def _fill_choices(combo: QComboBox, values: list[str]) -> None:
        """Offer every name seen in the period (kept while a filter narrows the period)."""
        known = {combo.itemData(i) for i in range(combo.count())}
        for value in sorted(set(values) - known - {""}):
            combo.addItem(value, value)

    def _fill_tiles(self, figures: Figures) -> None:
        median = "—" if figures.median_seconds is None else duration_text(figures.median_seconds)
        values = {
            "started": str(figures.started.count),
            "signed_ready": str(figures.signed_ready.count),
            "postponed": str(figures.postponed.count),
            "drafts": str(figures.drafts.count),
            "completed": median,
            "rushed": f"{figures.rushed.count} ({percent(figures.rushed_rate)} of timed)",
        }
        for key, tile in self.tiles.items():
            caption = tile.property("caption")
            tile.setText(f"{caption}\n{values[key]}")
            tile.setAccessibleDescription(f"{caption}: {values[key]}")

    def _fill_charts(self, figures: Figures) -> None:
        weeks = figures.weeks[-WEEKS_SHOWN:]
        title = "Weekly trend"
        if len(figures.weeks) > WEEKS_SHOWN:
            title += f" (last {WEEKS_SHOWN} weeks of the period)"
        self.weekly.title = title
        self.weekly.set_groups(
            [
                Group(
                    week.start.strftime("%d %b"),
                    (
                        Bar(
                            Figure(f"Week of {week.start}", week.started),
                            PALETTE["started"],
                            "started",
                        ),
                        Bar(
                            Figure(f"Week of {week.start}", week.rushed),
                            PALETTE["rushed"],
                            "flagged rushed",
                        ),
                    ),
                )
                for week in weeks
            ],
            legend=[(PALETTE["started"], "started"), (PALETTE["rushed"], "flagged rushed")],
        )
        self.timeout.set_groups(
            [
                Group(
                    TIMEOUT_WORDS[f.label],
                    (Bar(Figure(f"Time-out: {TIMEOUT_WORDS[f.label]}", f.ids), PALETTE[f.label]),),
                )
                for f in figures.timeout_timing
            ]
        )
        self.postponed.set_groups(
            [
                Group(f.label, (Bar(Figure(f"Postponed: {f.label}", f.ids), PALETTE["postponed"]),))
                for f in figures.postponed_by_stop
            ]
        )
        self.warnings.set_groups(
            [
                Group(
                    f.label,
                    (Bar(Figure(f"Warning acknowledged: {f.label}", f.ids), PALETTE["warning"]),),
                )
                for f in figures.warnings_by_type
            ]
        )

    # -- listing ----------------------------------------------------------------------------

    def show_figure(self, key: str) -> None:
        if self.figures is None:
            return
        figure = self.figures.figure(key)
        self.list_records(self.tiles[key].property("caption"), figure.ids)

    def show_bar(self, bar: Bar) -> None:
        caption = bar.figure.label
        if bar.series == "flagged rushed":
            caption += ", flagged rushed"
        self.list_records(caption, bar.figure.ids)

    def list_records(self, caption: str, ids: tuple[int, ...]) -> None:
        self.listed = list(ids)
        self.model.set_rows([self.records[i] for i in ids if i in self.records])
        if ids:
            caption = f"{caption}: {len(ids):,} record{'s' if len(ids) != 1 else ''}"
        self.caption.setText(caption)

    def listed_ids(self) -> list[int]:
        """The ids in the list, in its order (what a user sees in the Id column)."""
        return [int(self.model.data(self.model.index(r, 0))) for r in range(self.model.rowCount())]

    def _open(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_requested.emit(self.model.rows[index.row()].checklist_id)
