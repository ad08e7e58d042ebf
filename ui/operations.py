"""Slow work off the UI thread, Anki-style: a callable runs on ``QThreadPool``; its result or
error comes back as a signal on the UI thread. The work itself never touches a widget."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot
from PySide6.QtWidgets import QWidget

from ui.messages import show_error
from vpchecklist.errors import VPError
from vpchecklist.store import Store

log = logging.getLogger(__name__)

# Operations in flight; holding them keeps their Python objects alive until delivery.
_pending: set[Operation] = set()


class Operation(QObject):
    """One background call. ``succeeded(result)`` or ``failed(error)``, then ``finished``."""

    succeeded = Signal(object)
    failed = Signal(object)
    finished = Signal()
    _done = Signal(bool, object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        # The slot belongs to this object (UI thread), so a worker's emit is queued to it.
        self._done.connect(self._deliver)

    @Slot(bool, object)
    def _deliver(self, ok: bool, payload: object) -> None:
        try:
            (self.succeeded if ok else self.failed).emit(payload)
        finally:
            self.finished.emit()
            _pending.discard(self)


class _Runner(QRunnable):
    def __init__(self, op: Operation, work: Callable[[], Any], store: Store | None) -> None:
        super().__init__()
        self._op = op
        self._work = work
        self._store = store

    def run(self) -> None:
        try:
            result = self._work()
        except BaseException as error:  # noqa: BLE001 - every failure must reach the UI
            if not isinstance(error, VPError):
                log.exception("background operation failed")
            self._op._done.emit(False, error)
        else:
            self._op._done.emit(True, result)
        finally:
            if self._store is not None:
                # peewee keeps one connection per thread; pool threads must not hold theirs.
                self._store.close()


def run_in_background(
    work: Callable[[], Any],
    on_success: Callable[[Any], None],
    *,
    parent: QWidget | None,
    on_failure: Callable[[BaseException], None] | None = None,
    store: Store | None = None,
) -> Operation:
    """Run ``work()`` on the global pool. Failures go to ``on_failure`` or a plain message box
    over ``parent``. Pass the ``store`` the work uses so the worker closes its connection."""
    op = Operation()
    op.succeeded.connect(on_success)
    if on_failure is not None:
        op.failed.connect(on_failure)
    else:
        op.failed.connect(lambda error: show_error(parent, error))
    _pending.add(op)
    QThreadPool.globalInstance().start(_Runner(op, work, store))
    return op


def wait_for_background(timeout_ms: int = 10_000) -> bool:
    """Block until the pool is idle (tests, shutdown)."""
    return QThreadPool.globalInstance().waitForDone(timeout_ms)
