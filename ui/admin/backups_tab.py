"""Backups: where they go, the ones kept, and "Back up now" on a background thread with a
progress bar. Every backup is verified (``PRAGMA integrity_check``) before it is kept."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.admin.common import error_text, hint, read_only_table, show_status, status_label
from ui.operations import Operation, Progress, run_with_progress
from ui.widgets import TOUCH_PX, button, named
from vpchecklist.errors import VPError
from vpchecklist.presentation import local_moment
from vpchecklist.services import Actor, backups, settings
from vpchecklist.store import Store

COLUMNS = ("Time", "Size", "File")


def size_text(size: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024  # type: ignore[assignment]
    return f"{size} bytes"


class BackupsTab(QWidget):
    def __init__(self, store: Store, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("admin.backups")
        self._store = store
        self._actor = actor
        self.operation: Operation | None = None
        self.last_backup: Path | None = None

        self.folder = QLabel()
        self.folder.setObjectName("admin.backups.folder")
        self.folder.setWordWrap(True)
        self.folder.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        explain = hint(
            f"A backup is written automatically once a day when the app starts, and the newest "
            f"{backups.KEEP} are kept. Each one is checked for damage right after it is written. "
            "Change the folder in Settings; keep it on another disk or a network share if you can."
        )
        self.table = read_only_table(COLUMNS, "admin.backups.table", "Backups", stretch=2)
        self.now = button("Back up now", "admin.backups.now", "Back up the database now")
        self.now.setProperty("kind", "primary")
        self.progress = named(QProgressBar(), "admin.backups.progress", "Backup progress")
        self.progress.setRange(0, 100)
        self.progress.setValue(0)
        self.progress.setMinimumHeight(TOUCH_PX)
        self.progress.setTextVisible(True)
        self.progress.hide()
        self.status = status_label("admin.backups.status")

        actions = QHBoxLayout()
        actions.addWidget(self.now)
        actions.addWidget(self.progress, 1)
        actions.addStretch(0)
        layout = QVBoxLayout(self)
        layout.addWidget(self.folder)
        layout.addWidget(explain)
        layout.addWidget(self.table, 1)
        layout.addLayout(actions)
        layout.addWidget(self.status)

        self.now.clicked.connect(self.back_up_now)
        self.refresh()

    def set_actor(self, actor: Actor) -> None:
        self._actor = actor

    @property
    def busy(self) -> bool:
        return self.operation is not None

    def backup_folder(self) -> Path:
        return settings.backup_folder(self._store)

    def refresh(self) -> None:
        try:
            folder = self.backup_folder()
        except VPError as error:
            show_status(self.status, error_text(error), error=True)
            return
        self.folder.setText(f"Backup folder: <b>{_escape(str(folder))}</b>")
        found = backups.list_backups(folder)
        self.table.setRowCount(len(found))
        for r, info in enumerate(found):
            values = (
                local_moment(info.modified),
                size_text(info.size),
                info.path.name,
            )
            for c, value in enumerate(values):
                self.table.setItem(r, c, QTableWidgetItem(value))

    def back_up_now(self) -> None:
        if self.busy:
            return
        store, actor = self._store, self._actor

        def back_up(progress: Progress) -> Path:
            return backups.back_up_now(store, actor, progress=progress.report)

        self.now.setEnabled(False)
        self.now.setText("Backing up…")
        self.progress.setValue(0)
        self.progress.show()
        show_status(self.status, "")
        self.operation = run_with_progress(
            back_up,
            self._done,
            parent=self,
            on_progress=self._show_progress,
            on_failure=self._failed,
            store=store,
        )

    def _show_progress(self, done: int, total: int) -> None:
        self.progress.setValue(int(100 * done / total) if total else 0)

    def _finish(self) -> None:
        self.operation = None
        self.now.setEnabled(True)
        self.now.setText("Back up now")

    def _done(self, path: Path) -> None:
        self._finish()
        self.progress.setValue(100)
        self.last_backup = path
        self.refresh()
        size = size_text(path.stat().st_size) if path.exists() else ""
        show_status(
            self.status,
            f"Backup written and verified (integrity check passed): {path.name}, {size}.",
        )

    def _failed(self, error: BaseException) -> None:
        self._finish()
        self.progress.hide()
        show_status(self.status, f"The backup failed. {error_text(error)}", error=True)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
