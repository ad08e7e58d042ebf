"""The one way the UI runs slow work (password hashes, signing, exports, backups, searches) off
its thread, in the shape of Anki's ``CollectionOp``/``QueryOp``: the work is a plain callable
that never touches a widget; its result, its progress and its failure come back as signals on
the UI thread; the user can ask it to stop; a failure nobody handles becomes a plain-words
dialog over the page that started it.

``run_in_background(work, on_success, parent=…)`` is for work that reports nothing;
``run_with_progress(work, on_success, parent=…, on_progress=…)`` hands the work a
:class:`Progress` to report how far it got and to see a cancel request.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any, TypeVar

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot
from PySide6.QtWidgets import QWidget

from ui.messages import show_error
from vpchecklist.errors import VPError
from vpchecklist.store import Store

log = logging.getLogger(__name__)

T = TypeVar("T")

# Operations in flight; holding them keeps their Python objects alive until delivery.
_pending: set[Operation] = set()


class Operation(QObject):
    """One background call: ``progressed(done, total)`` while it runs, then ``succeeded(result)``
    or ``failed(error)``, then ``finished``. All of them arrive on the UI thread."""

    succeeded = Signal(object)
    failed = Signal(object)
    progressed = Signal(int, int)
    finished = Signal()
    _done = Signal(bool, object)
    _reported = Signal(int, int)

    def __init__(self, parent_widget: QWidget | None = None) -> None:
        super().__init__()
        self._parent_widget = parent_widget
        self._cancel = threading.Event()
        self._running = True
        # The slots belong to this object (UI thread), so a worker's emits are queued to it.
        self._done.connect(self._deliver)
        self._reported.connect(self._relay_progress)

    @property
    def running(self) -> bool:
        """True until the result or failure has been delivered."""
        return self._running

    def cancel(self) -> None:
        """Ask the work to stop; work that takes a :class:`Progress` stops at its next check,
        and still reports what it did (a partial result, never a silent loss)."""
        self._cancel.set()

    @property
    def cancel_requested(self) -> bool:
        return self._cancel.is_set()

    def _widget_gone(self) -> bool:
        """The page that started the work was closed meanwhile (sign-out, lock, a closed
        dialog): its callbacks would touch a deleted widget."""
        return self._parent_widget is not None and not shiboken6.isValid(self._parent_widget)

    @Slot(int, int)
    def _relay_progress(self, done: int, total: int) -> None:
        if self._running and not self._widget_gone():
            self.progressed.emit(done, total)

    @Slot(bool, object)
    def _deliver(self, ok: bool, payload: object) -> None:
        self._running = False
        try:
            if self._widget_gone():
                if not ok:
                    log.warning("background operation failed after its page closed: %s", payload)
                return
            (self.succeeded if ok else self.failed).emit(payload)
        finally:
            self.finished.emit()
            _pending.discard(self)


class Progress:
    """What the work may use of its operation, from the worker thread: report how far it got,
    and see whether the user asked it to stop."""

    def __init__(self, operation: Operation) -> None:
        self._operation = operation

    def report(self, done: int, total: int) -> None:
        self._operation._reported.emit(done, total)

    def cancelled(self) -> bool:
        return self._operation.cancel_requested


class _Runner(QRunnable):
    def __init__(self, op: Operation, work: Callable[[Progress], Any], store: Store | None) -> None:
        super().__init__()
        self._op = op
        self._work = work
        self._store = store

    def run(self) -> None:
        try:
            result = self._work(Progress(self._op))
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


def run_with_progress(
    work: Callable[[Progress], T],
    on_success: Callable[[T], None],
    *,
    parent: QWidget | None,
    on_progress: Callable[[int, int], None] | None = None,
    on_failure: Callable[[BaseException], None] | None = None,
    store: Store | None = None,
) -> Operation:
    """Run ``work(progress)`` on the global pool. Failures go to ``on_failure`` or a plain
    message box over ``parent``; nothing is delivered once ``parent`` is deleted. Pass the
    ``store`` the work uses so the worker closes its connection."""
    op = Operation(parent)
    op.succeeded.connect(on_success)
    if on_progress is not None:
        op.progressed.connect(on_progress)
    if on_failure is not None:
        op.failed.connect(on_failure)
    else:
        op.failed.connect(lambda error: show_error(parent, error))
    _pending.add(op)
    QThreadPool.globalInstance().start(_Runner(op, work, store))
    return op


def run_in_background(
    work: Callable[[], T],
    on_success: Callable[[T], None],
    *,
    parent: QWidget | None,
    on_failure: Callable[[BaseException], None] | None = None,
    store: Store | None = None,
) -> Operation:
    """:func:`run_with_progress` for work that reports nothing and cannot be stopped."""
    return run_with_progress(
        lambda _progress: work(),
        on_success,
        parent=parent,
        on_failure=on_failure,
        store=store,
    )


def wait_for_background(timeout_ms: int = 10_000) -> bool:
    """Block until the pool is idle (tests, shutdown)."""
    return QThreadPool.globalInstance().waitForDone(timeout_ms)
