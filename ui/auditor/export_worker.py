"""Bulk export on a worker thread: progress and the final summary come back as signals; the
window stays responsive and a cancel stops before the next file."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from vpchecklist.errors import VPError
from vpchecklist.export import commands
from vpchecklist.services import Actor
from vpchecklist.services.checklists import Filters
from vpchecklist.store import Store

log = logging.getLogger(__name__)


class ExportJob(QObject):
    """One bulk export. Signals arrive on the thread that created the job (the UI thread)."""

    progress = Signal(int, int)  # done, total
    finished = Signal(object)  # commands.BulkSummary
    failed = Signal(object)  # the exception

    def __init__(
        self,
        store: Store,
        actor: Actor,
        folder: Path,
        fmt: str = "pdf",
        filters: Filters | None = None,
        checklist_ids: list[int] | None = None,
        paper: str = "A4",
    ) -> None:
        super().__init__()
        self.store = store
        self.actor = actor
        self.folder = folder
        self.fmt = fmt
        self.filters = filters
        self.checklist_ids = checklist_ids
        self.paper = paper
        self._cancel = threading.Event()
        self.running = False

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def start(self, pool: QThreadPool | None = None) -> None:
        self.running = True
        self.finished.connect(self._stopped)
        self.failed.connect(self._stopped)
        (pool or QThreadPool.globalInstance()).start(_Runner(self))

    def _stopped(self, _payload: object) -> None:
        self.running = False

    def run(self) -> None:
        """The worker thread's body; never touches a widget."""
        try:
            summary = commands.export_bulk(
                self.store,
                self.actor,
                self.filters,
                self.folder,
                self.fmt,
                progress_cb=self.progress.emit,
                cancel_check=self._cancel.is_set,
                paper=self.paper,
                checklist_ids=self.checklist_ids,
            )
        except BaseException as error:  # noqa: BLE001 - every failure must reach the UI
            if not isinstance(error, VPError):
                log.exception("bulk export failed")
            self.failed.emit(error)
        else:
            self.finished.emit(summary)
        finally:
            # peewee keeps one connection per thread; a pool thread must not keep its own.
            self.store.close()


class _Runner(QRunnable):
    def __init__(self, job: ExportJob) -> None:
        super().__init__()
        self.job = job

    def run(self) -> None:
        self.job.run()
