"""Bulk PDF export in worker processes: workers read and render, this process audits.

Each worker opens its own read-only connection, reads and renders one record at a time and
stages the PDF beside its target (``export_copies.render_copy``). It never writes to the
database: the parent keeps the single writer, which names and audits the staged files in
batches (``export_copies.Batch``), so a file exists only with its audit event.

Results travel back as plain tuples (no exceptions: a ``VPError`` subclass with its own
``__init__`` does not survive pickling); tracebacks come back as text for the parent's log.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import traceback
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from vpchecklist.errors import VPError
from vpchecklist.services.actors import Actor
from vpchecklist.services.export_copies import Batch, CopyExists, discard, render_copy
from vpchecklist.store import Store

log = logging.getLogger(__name__)

#: Bulk PDF exports of at least this many checklists render in worker processes (starting
#: one costs about a second; below this the export is quicker in-process).
POOL_MIN = 24
#: Checklists handed to the pool ahead of the one being collected, per worker: enough to keep
#: every worker busy, few enough that a cancel stops within a file or two.
AHEAD = 2

OK, REFUSED, CRASHED = "ok", "refused", "crashed"
Outcome = tuple[str, Any, str]

# ---------------------------------------------------------------------------------------------
# In the worker processes

_worker: dict[str, Any] = {}


def start_worker(location: str, password: str | None, actor: Actor) -> None:
    """Pool initializer: ignore Ctrl+C (the parent decides when to stop), open the database
    (a file or a PostgreSQL URL; the parent's typed database password comes along in memory)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from vpchecklist.export.fonts import register_fonts
    from vpchecklist.store import open_store
    from vpchecklist.store.location import is_postgres_url

    postgres = is_postgres_url(location)
    store = open_store(location if postgres else Path(location), create=False, password=password)
    if postgres:
        store.db.execute_sql("SET default_transaction_read_only = on")
    else:
        store.db.execute_sql("PRAGMA query_only = 1")
    register_fonts()
    _worker["store"] = store
    _worker["actor"] = actor


def render_in_worker(checklist_id: int, target: str, paper: str, replace: bool) -> Outcome:
    """``(OK, Staged, "")``, ``(REFUSED, error class name, sentence)`` or
    ``(CRASHED, None, traceback)`` for one checklist."""
    try:
        staged, _ = render_copy(
            _worker["store"], _worker["actor"], checklist_id, Path(target), paper, replace
        )
    except VPError as error:
        return REFUSED, type(error).__name__, str(error)
    except Exception:  # noqa: BLE001 - reported to the parent, which logs it
        return CRASHED, None, traceback.format_exc()
    return OK, staged, ""


# ---------------------------------------------------------------------------------------------
# In the parent


def worker_count(wanted: int | None, count: int, store: Store) -> int:
    """How many processes to render ``count`` checklists with (1: in this process)."""
    if wanted is None:
        env = os.environ.get("VPCHECKLIST_EXPORT_WORKERS", "")
        if env.isdigit():
            wanted = int(env)
        elif count < POOL_MIN:
            return 1
        else:
            wanted = os.cpu_count() or 1
    if store.path is not None and not store.path.is_file():
        return 1  # the workers open the database by its path
    return max(1, min(wanted, 8, count))


def _start_pool(store: Store, actor: Actor, workers: int) -> ProcessPoolExecutor | None:
    try:
        return ProcessPoolExecutor(
            workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=start_worker,
            initargs=(
                str(store.location),
                store.target.password if store.target is not None else None,
                actor,
            ),
        )
    except (OSError, ImportError, NotImplementedError, ValueError):
        log.warning("bulk export: no worker processes, rendering in-process", exc_info=True)
        return None


class PoolRun:
    """One bulk export's walk through the pool: submit ahead, collect in order, commit."""

    def __init__(
        self,
        pool: ProcessPoolExecutor,
        batch: Batch,
        jobs: Iterator[tuple[int, Path]],
        paper: str,
        replace: bool,
        workers: int,
        cancel_check: Callable[[], bool] | None,
    ) -> None:
        self.pool = pool
        self.batch = batch
        self.jobs = jobs
        self.paper = paper
        self.replace = replace
        self.limit = workers * AHEAD
        self.cancel_check = cancel_check
        self.in_flight: deque[tuple[int, Path, Future[Outcome]]] = deque()

    @property
    def cancelled(self) -> bool:
        return self.batch.summary.cancelled

    def refill(self) -> None:
        while len(self.in_flight) < self.limit and not self.cancelled:
            if self.cancel_check is not None and self.cancel_check():
                self.batch.summary.cancelled = True
                return
            job = next(self.jobs, None)
            if job is None:
                return
            checklist_id, target = job
            future = self.pool.submit(
                render_in_worker, checklist_id, str(target), self.paper, self.replace
            )
            self.in_flight.append((checklist_id, target, future))

    def collect(self) -> bool:
        """Wait for the oldest submitted checklist and hand its copy on; False if it was
        cancelled before it started (nothing done)."""
        checklist_id, target, future = self.in_flight[0]
        if self.cancelled and future.cancel():
            self.in_flight.popleft()
            return False
        outcome, payload, text = future.result()
        self.in_flight.popleft()
        if outcome == OK:
            self.batch.add(payload)
        elif outcome == REFUSED:
            error = CopyExists(target) if payload == CopyExists.__name__ else VPError(text)
            self.batch.refused(checklist_id, error, target)
        else:
            log.error("export of checklist %s failed in a worker:\n%s", checklist_id, text)
            self.batch.crashed(checklist_id)
        return True

    def left_over(self) -> list[tuple[int, Path]]:
        """The checklists not handled yet (after a worker died), to render in-process."""
        return [(cid, target) for cid, target, _ in self.in_flight] + list(self.jobs)

    def abandon(self) -> None:
        """Stop at once: cancel what has not started and drop the staged files of what has
        finished but was not collected."""
        for _, _, future in self.in_flight:
            future.cancel()
        self.pool.shutdown(wait=True, cancel_futures=True)
        self.discard_uncollected()

    def discard_uncollected(self) -> None:
        """Remove the staged files of checklists rendered but not handed on (after a stop, or
        before the in-process fallback renders them again)."""
        for _, _, future in self.in_flight:
            if future.done() and not future.cancelled() and future.exception() is None:
                outcome, payload, _ = future.result()
                if outcome == OK:
                    discard(payload)


def export_in_pool(
    store: Store,
    actor: Actor,
    batch: Batch,
    jobs: list[tuple[int, Path]],
    paper: str,
    replace: bool,
    workers: int,
    progress: Callable[[], None],
    cancel_check: Callable[[], bool] | None,
) -> list[tuple[int, Path]]:
    """Render ``jobs`` (checklist id, target) in ``workers`` processes into ``batch``.

    Returns the jobs left to do in this process if the pool could not start or broke down
    (empty when every checklist was handled or the export was cancelled).
    """
    pool = _start_pool(store, actor, workers)
    if pool is None:
        return jobs
    run = PoolRun(pool, batch, iter(jobs), paper, replace, workers, cancel_check)
    try:
        run.refill()
        while run.in_flight:
            if run.collect():
                progress()
            run.refill()
    except BrokenProcessPool:
        log.warning("bulk export: a worker process died; rendering the rest in-process")
        batch.flush()
        left = run.left_over()
        pool.shutdown(wait=True, cancel_futures=True)
        run.discard_uncollected()
        return left
    except BaseException:
        run.abandon()
        raise
    finally:
        batch.flush()
    pool.shutdown(wait=True)
    return []
