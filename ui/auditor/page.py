"""The auditor workspace page (role auditor; a nurse sees only the records she created)."""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

from PySide6.QtCore import QModelIndex, QSize, Qt, QTimer, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui.auditor.dashboard import DashboardWindow
from ui.auditor.record_view import RecordDialog
from ui.auditor.records_model import RecordsModel
from ui.date_filter import ANY_DATE, any_date_edit
from ui.messages import TITLE, show_error
from ui.operations import Operation, Progress, run_with_progress
from vpchecklist.errors import VPError
from vpchecklist.presentation import times_note
from vpchecklist.services import Actor, checklists, exports
from vpchecklist.services.checklists import Filters
from vpchecklist.services.templates import template_by_hash
from vpchecklist.store import Store

#: Rows each column's width is measured on (more would slow every page a scroll loads).
RESIZE_SAMPLE = 200
STATUSES = [
    ("", "Any status"),
    ("signed", "Signed — ready"),
    ("postponed", "Postponed"),
    ("draft", "Draft"),
]


W = TypeVar("W", bound=QWidget)


def _named(widget: W, name: str, accessible: str) -> W:
    widget.setObjectName(name)
    widget.setAccessibleName(accessible)
    return widget


class _CompactHeader(QHeaderView):
    """Qt widens every section by the header's height to make room for the sort arrow (with
    two-line headers, ~45 px a column); a fixed arrow width keeps ten columns within 1280 px."""

    ARROW = 16

    def sectionSizeFromContents(self, logical_index: int) -> QSize:  # noqa: N802
        size = super().sectionSizeFromContents(logical_index)
        if self.isSortIndicatorShown():
            size.setWidth(max(size.width() - size.height() + self.ARROW, self.ARROW))
        return size


class AuditorPage(QWidget):
    def __init__(self, store: Store, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.actor = actor
        self.job: Operation | None = None  # the running export
        self.dialogs: list[RecordDialog] = []
        self.setObjectName("auditor.page")
        self.setAccessibleName("Auditor workspace")

        title = QLabel("<h2>Records</h2>" if actor.role != "nurse" else "<h2>My records</h2>")
        # Parented at once: showing a parentless button would flash it up as a window of its own.
        self.dashboard_button = _named(
            QPushButton("Compliance &dashboard…", self), "auditor.dashboard", "Compliance dashboard"
        )
        if actor.role != "auditor":
            self.dashboard_button.hide()
        self.dashboard_button.clicked.connect(self.open_dashboard)
        self.mrn = _named(QLineEdit(), "auditor.filter.mrn", "Filter by MRN")
        self.mrn.setPlaceholderText("exact MRN")
        self.name = _named(QLineEdit(), "auditor.filter.name", "Filter by patient name")
        self.name.setPlaceholderText("start of a name")
        self.name.setClearButtonEnabled(True)
        self.status = _named(QComboBox(), "auditor.filter.status", "Filter by status")
        for value, label in STATUSES:
            self.status.addItem(label, value)
        self.date_from = any_date_edit("auditor.filter.from", "Planned from date")
        self.date_to = any_date_edit("auditor.filter.to", "Planned to date")
        self.signer = _named(QLineEdit(), "auditor.filter.signer", "Filter by signer name")
        self.signer.setPlaceholderText("part of the name")
        self.has_warnings = _named(
            QCheckBox("Only with &warnings"), "auditor.filter.has_warnings", "Only with warnings"
        )
        self.postponed = _named(
            QCheckBox("Only &postponed"), "auditor.filter.postponed", "Only postponed records"
        )

        filters = QFormLayout()
        row1 = QHBoxLayout()
        for label, widget in (
            ("Pat&ient", self.name),
            ("&MRN", self.mrn),
            ("S&tatus", self.status),
            ("Si&gner", self.signer),
        ):
            caption = QLabel(label)
            caption.setBuddy(widget)
            row1.addWidget(caption)
            row1.addWidget(widget, 1)
        row2 = QHBoxLayout()
        for label, date in (("Planned &from", self.date_from), ("to", self.date_to)):
            caption = QLabel(label)
            caption.setBuddy(date)
            row2.addWidget(caption)
            row2.addWidget(date)
        row2.addWidget(self.has_warnings)
        row2.addWidget(self.postponed)
        row2.addStretch(1)
        filters.addRow(row1)
        filters.addRow(row2)

        self.model = RecordsModel(store, actor, self)
        self.table = _named(QTableView(), "auditor.table", "Checklist records")
        self.table.setHorizontalHeader(_CompactHeader(Qt.Orientation.Horizontal, self.table))
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(24)
        header = self.table.horizontalHeader()
        # Every column as wide as its header and the rows loaded (sampled: a scroll loads more);
        # the patient's name takes what is left, so only a too-narrow window elides, and each
        # cell's tooltip holds its full value.
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setResizeContentsPrecision(RESIZE_SAMPLE)
        header.setMinimumSectionSize(40)
        header.setSectionsClickable(True)  # a new header is not, unlike the default one
        header.setSortIndicatorShown(True)
        header.setSortIndicator(5, Qt.SortOrder.DescendingOrder)  # newest planned start first
        self.table.setSortingEnabled(True)  # the model sorts in the database
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.count_label = _named(QLabel(), "auditor.count", "Number of matching records")
        # The table's signed times are converted from UTC: name the zone once, here.
        self.times = _named(QLabel(times_note()), "auditor.times", "Time zone of the times shown")
        self.times.setProperty("role", "help")

        self.open_button = _named(QPushButton("&Open record"), "auditor.open", "Open record")
        self.format = _named(QComboBox(), "auditor.format", "Export format")
        self.format.addItem("PDF", "pdf")
        self.format.addItem("CSV (one row per record)", "csv")
        self.paper = _named(QComboBox(), "auditor.paper", "Paper size")
        self.paper.addItem("A4", "A4")
        self.paper.addItem("US Letter", "LETTER")
        self.export_selected = _named(
            QPushButton("Export &selected…"), "auditor.export_selected", "Export selected records"
        )
        self.export_all = _named(
            QPushButton("Export &all matching…"),
            "auditor.export_all",
            "Export all records matching the filters",
        )
        self.progress = _named(QProgressBar(), "auditor.progress", "Export progress")
        self.progress.setVisible(False)
        self.cancel = _named(QPushButton("&Cancel export"), "auditor.cancel", "Cancel export")
        self.cancel.setEnabled(False)
        self.cancel.setVisible(False)
        self.summary = _named(QLabel(), "auditor.summary", "Export summary")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        actions = QHBoxLayout()
        actions.addWidget(self.count_label, 1)
        actions.addWidget(self.open_button)
        actions.addWidget(QLabel("Format"))
        actions.addWidget(self.format)
        actions.addWidget(self.paper)
        actions.addWidget(self.export_selected)
        actions.addWidget(self.export_all)
        progress = QHBoxLayout()
        progress.addWidget(self.progress, 1)
        progress.addWidget(self.cancel)

        layout = QVBoxLayout(self)
        heading = QHBoxLayout()
        heading.addWidget(title, 1)
        heading.addWidget(self.dashboard_button)
        layout.addLayout(heading)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.times)
        layout.addLayout(actions)
        layout.addLayout(progress)
        layout.addWidget(self.summary)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(250)
        self._debounce.timeout.connect(self.apply_filters)
        self.mrn.textChanged.connect(self._debounce.start)
        self.name.textChanged.connect(self._debounce.start)
        self.signer.textChanged.connect(self._debounce.start)
        self.status.currentIndexChanged.connect(self._status_changed)
        self.date_from.dateChanged.connect(self._debounce.start)
        self.date_to.dateChanged.connect(self._debounce.start)
        self.has_warnings.toggled.connect(self._debounce.start)
        self.postponed.toggled.connect(self._postponed_toggled)
        self.table.activated.connect(self._open_index)
        self.open_button.clicked.connect(lambda: self._open_index(self.table.currentIndex()))
        self.export_selected.clicked.connect(self._export_selected)
        self.export_all.clicked.connect(self._export_all)
        self.cancel.clicked.connect(self.cancel_export)
        for first, second in (
            (self.name, self.mrn),
            (self.mrn, self.status),
            (self.status, self.signer),
            (self.signer, self.date_from),
            (self.date_from, self.date_to),
            (self.date_to, self.has_warnings),
            (self.has_warnings, self.postponed),
            (self.postponed, self.table),
            (self.table, self.open_button),
            (self.open_button, self.format),
            (self.format, self.paper),
            (self.paper, self.export_selected),
            (self.export_selected, self.export_all),
            (self.export_all, self.cancel),
        ):
            QWidget.setTabOrder(first, second)
        self.apply_filters()

    def set_actor(self, actor: Actor) -> None:
        """After an unlock: the same person, re-authenticated."""
        self.actor = actor
        self.model.set_actor(actor)

    # ------------------------------------------------------------------------------ filters

    def current_filters(self) -> Filters:
        status = self.status.currentData() or None
        date_from = self.date_from.date()
        date_to = self.date_to.date()
        return Filters(
            status=status,
            mrn=self.mrn.text().strip() or None,
            name=self.name.text().strip() or None,
            signer=self.signer.text().strip() or None,
            date_from=None if date_from == ANY_DATE else date_from.toString("yyyy-MM-dd"),
            date_to=None if date_to == ANY_DATE else date_to.toString("yyyy-MM-dd"),
            has_warnings=True if self.has_warnings.isChecked() else None,
            created_by=self.actor.id if self.actor.role == "nurse" else None,
        )

    @Slot()
    def apply_filters(self) -> None:
        self._debounce.stop()
        try:
            self.model.set_filters(self.current_filters())
        except VPError as error:
            self.count_label.setText(str(error))
            return
        total = self.model.total
        self.count_label.setText(f"{total:,} record{'s' if total != 1 else ''}")

    def _status_changed(self) -> None:
        postponed = self.status.currentData() == "postponed"
        if self.postponed.isChecked() != postponed:
            self.postponed.blockSignals(True)
            self.postponed.setChecked(postponed)
            self.postponed.blockSignals(False)
        self._debounce.start()

    def _postponed_toggled(self, checked: bool) -> None:
        index = self.status.findData("postponed" if checked else "")
        self.status.setCurrentIndex(index)

    # ------------------------------------------------------------------------------ records

    def _open_index(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_record(self.model.checklist_id(index.row()))

    def open_record(self, checklist_id: int) -> RecordDialog | None:
        try:
            record = checklists.detail(self.store, self.actor, checklist_id)
            with self.store.reading():
                template = template_by_hash(record["template"]["hash"])
        except VPError as error:
            show_error(self, error)
            return None
        dialog = RecordDialog(record, template, self)
        dialog.export_requested.connect(lambda cid: self.start_export(checklist_ids=[cid]))
        dialog.finished.connect(lambda _r: self.dialogs.remove(dialog))
        self.dialogs.append(dialog)
        dialog.show()
        return dialog

    def open_dashboard(self) -> DashboardWindow:
        """The compliance dashboard beside the records; a record listed there opens here."""
        window = DashboardWindow(self.store, self.actor, self)
        window.open_requested.connect(self.open_record)
        window.show()
        return window

    def selected_ids(self) -> list[int]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [self.model.checklist_id(row) for row in rows]

    # ------------------------------------------------------------------------------ export

    def choose_folder(self) -> Path | None:
        folder = QFileDialog.getExistingDirectory(self, "Export to folder")
        return Path(folder) if folder else None

    def _export_selected(self) -> None:
        ids = self.selected_ids()
        if not ids:
            self.summary.setText("Select one or more records to export.")
            return
        self.start_export(checklist_ids=ids)

    def _export_all(self) -> None:
        self.start_export(filters=self.current_filters())

    def start_export(
        self,
        filters: Filters | None = None,
        checklist_ids: list[int] | None = None,
        folder: Path | None = None,
    ) -> Operation | None:
        if self.job is not None and self.job.running:
            self.summary.setText("An export is already running; wait for it or cancel it.")
            return None
        folder = folder or self.choose_folder()
        if folder is None:
            return None
        store, actor = self.store, self.actor
        fmt, paper = str(self.format.currentData()), str(self.paper.currentData())
        target = folder
        replace = False
        if fmt == "pdf":
            existing = exports.existing_copies(folder, checklist_ids)
            answer = self.ask_replace(existing) if existing else False
            if answer is None:
                return None
            replace = answer

        def export(progress: Progress) -> exports.BulkSummary:
            return exports.export_bulk(
                store,
                actor,
                filters,
                target,
                fmt,
                progress_cb=progress.report,
                cancel_check=progress.cancelled,
                paper=paper,
                checklist_ids=checklist_ids,
                replace=replace,
            )

        self.progress.setRange(0, 0)  # busy until the first file is done
        self.progress.setVisible(True)
        self.cancel.setVisible(True)
        self.cancel.setEnabled(True)
        self.export_selected.setEnabled(False)
        self.export_all.setEnabled(False)
        self.summary.setText(f"Exporting to {folder}…")
        self.job = run_with_progress(
            export,
            self._finished,
            parent=self,
            on_progress=self._progress,
            on_failure=self._failed,
            store=store,
        )
        return self.job

    def ask_replace(self, existing: list[Path]) -> bool | None:
        """An export never replaces a file silently: True replaces, False keeps the files that
        are there (and writes the others), None cancels the export."""
        names = ", ".join(path.name for path in existing[:3])
        more = f" and {len(existing) - 3} more" if len(existing) > 3 else ""
        answer = QMessageBox.question(
            self,
            TITLE,
            f"The folder already has {len(existing)} copies made today ({names}{more}). "
            "Replace them with new copies? (No keeps them and writes only the others.)",
            QMessageBox.StandardButton.Yes
            | QMessageBox.StandardButton.No
            | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer == QMessageBox.StandardButton.Cancel:
            return None
        return answer == QMessageBox.StandardButton.Yes

    @Slot()
    def cancel_export(self) -> None:
        if self.job is not None and self.job.running:
            self.job.cancel()
            self.cancel.setEnabled(False)
            self.summary.setText("Cancelling after the current file…")

    @Slot(int, int)
    def _progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        self.progress.setFormat(f"%v of {total}")

    def _finished(self, summary: exports.BulkSummary) -> None:
        self._idle()
        self.summary.setText(summary.text())

    def _failed(self, error: BaseException) -> None:
        self._idle()
        self.summary.setText("The export did not complete.")
        show_error(self, error)

    def _idle(self) -> None:
        self.cancel.setEnabled(False)
        self.cancel.setVisible(False)
        self.export_selected.setEnabled(True)
        self.export_all.setEnabled(True)
        if self.progress.maximum() == 0:
            self.progress.setRange(0, 1)
