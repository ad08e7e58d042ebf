"""Polls the schedule drop folder (when one is set) while a nurse or physician is signed in.

Every poll runs ``services.schedule_folder.process`` on a worker (``ui.operations``): the UI
never waits for a file. When visits changed, ``imported`` tells the worklist to reload.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QWidget

from ui.operations import Operation, run_in_background
from vpchecklist.services import Actor, allowed, schedule_folder, settings
from vpchecklist.services.schedule_folder import FolderReport
from vpchecklist.store import Store

POLL_MS = 30_000


class ScheduleFeed(QObject):
    imported = Signal(object)  # the FolderReport of a poll that changed visits

    def __init__(self, store: Store, actor: Actor, parent: QWidget) -> None:
        super().__init__(parent)
        self._store = store
        self._actor = actor
        self._page = parent
        self._running: Operation | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(self.poll)
        # Read once per sign-in: a folder set by an administrator is polled from the next one.
        if allowed(actor.role, "create") and settings.drop_folder(store) is not None:
            self.timer.start()
            QTimer.singleShot(0, self.poll)

    def set_actor(self, actor: Actor) -> None:
        self._actor = actor

    def poll(self) -> Operation | None:
        if self._running is not None:
            return None  # the previous poll is still importing
        store, actor = self._store, self._actor
        self._running = run_in_background(
            lambda: schedule_folder.process(store, actor),
            self._done,
            parent=self._page,
            on_failure=self._failed,
            store=store,
        )
        return self._running

    def _done(self, report: FolderReport) -> None:
        self._running = None
        if report.changed or report.failed:
            self.imported.emit(report)

    def _failed(self, _error: BaseException) -> None:
        self._running = None  # logged by the operation; the next poll tries again
