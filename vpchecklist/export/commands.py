"""Export and verify verbs, called by the CLI and the auditor workspace.

How a PDF copy is bound to the database (``verify``):

* The PDF's Keywords metadata carries the checklist id and the record hash it shows
  (``signing.record_hash``: the newest signature of the hash chain, so an addendum changes it).
* Every export appends one audit event ``export`` whose detail holds the SHA-256 of the exact
  file bytes written. The file is written beside its target, audited, then renamed into place
  inside the same transaction, so a file exists only if its audit event does.
* ``verify_pdf`` passes only when (1) the embedded record hash equals the record's current hash,
  (2) the file's SHA-256 is one this database recorded when exporting that checklist, and
  (3) the record's signatures still pass the hash-chain check. Editing any byte of the file
  fails (2); an addendum signed after the export fails (1); tampering with the database
  fails (3). The PDF needs no secret, and nothing in it has to be trusted.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import logging
import multiprocessing
import os
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vpchecklist.clock import utc_now
from vpchecklist.errors import NotFound, StorageError, ValidationError, VPError
from vpchecklist.export import csv as csv_export
from vpchecklist.export import pdf, worker
from vpchecklist.presentation import local_time_with_zone
from vpchecklist.services import audit, checklists, signing
from vpchecklist.services.actors import Actor
from vpchecklist.services.checklists import Filters
from vpchecklist.services.templates import template_by_hash
from vpchecklist.store import Store
from vpchecklist.store.models import AuditEvent, Checklist
from vpchecklist.templates import Template

log = logging.getLogger(__name__)

FORMATS = ("pdf", "csv")
ProgressCallback = Callable[[int, int], None]
CancelCheck = Callable[[], bool]


class ExportError(VPError):
    """A copy that could not be written (folder missing, disk full, no permission)."""


@dataclass(frozen=True)
class ExportResult:
    checklist_id: int
    path: Path
    file_sha256: str
    record_hash: str | None
    status: str


@dataclass
class BulkSummary:
    out_dir: Path
    fmt: str
    total: int
    written: list[Path] = field(default_factory=list)
    failed: list[tuple[int, str]] = field(default_factory=list)
    cancelled: bool = False
    seconds: float = 0.0

    def text(self) -> str:
        """One sentence for the user: how many copies, where, what went wrong."""
        unit = "CSV file" if self.fmt == "csv" else "PDF"
        done = len(self.written)
        plural = "s" if done != 1 and self.fmt == "pdf" else ""
        sentence = f"{done} {unit}{plural} written to {self.out_dir} in {self.seconds:.1f} s"
        if self.fmt == "pdf":
            sentence += f" ({done} of {self.total} checklists)"
        if self.cancelled:
            sentence += "; cancelled before the end"
        if self.failed:
            first_id, first_message = self.failed[0]
            sentence += (
                f"; {len(self.failed)} failed (first: checklist {first_id}: {first_message})"
            )
        return sentence + "."


@dataclass
class _Pending:
    """A rendered file written beside its target, waiting for its audit event."""

    partial: Path
    path: Path
    checklist_id: int | None
    detail: dict[str, Any]


def _write_partial(path: Path, data: bytes, checklist_id: int | None, **detail: Any) -> _Pending:
    path = Path(path)
    if not path.parent.is_dir():
        raise ExportError(f"The folder {path.parent} does not exist.")
    partial = path.with_name(f".{path.name}.part")
    try:
        partial.write_bytes(data)
    except OSError as exc:
        with contextlib.suppress(OSError):
            partial.unlink()
        raise ExportError(f"The file {path} cannot be written: {exc.strerror or exc}.") from exc
    detail["file"] = path.name
    detail["file_sha256"] = hashlib.sha256(data).hexdigest()
    return _Pending(partial, path, checklist_id, detail)


def _commit(store: Store, actor: Actor, pending: list[_Pending]) -> None:
    """Audit and rename a batch in one transaction: a file appears only with its audit event.

    One transaction (one fsync) for a batch keeps a bulk export fast; if it fails, every file
    of the batch is removed again.
    """
    if not pending:
        return
    moved: list[Path] = []
    try:
        with store.transaction():
            for item in pending:
                audit.record(
                    actor.username, "export", checklist_id=item.checklist_id, **item.detail
                )
            for item in pending:
                try:
                    os.replace(item.partial, item.path)
                except OSError as exc:
                    raise ExportError(
                        f"The file {item.path} cannot be written: {exc.strerror or exc}."
                    ) from exc
                moved.append(item.path)
    except BaseException:
        for item in pending:
            with contextlib.suppress(OSError):
                (item.path if item.path in moved else item.partial).unlink()
        raise


def render_record(
    store: Store, actor: Actor, checklist_id: int, paper: str = "A4"
) -> tuple[dict[str, Any], bytes]:
    """The record (shaped as ``checklists.detail``) and its PDF bytes; nothing written."""
    if paper.upper() not in pdf.PAPERS:
        raise ValidationError("paper", "the paper size must be A4 or Letter")
    record, template = load_record(store, actor, checklist_id)
    return record, pdf.render(record, template, paper)


def load_record(store: Store, actor: Actor, checklist_id: int) -> tuple[dict[str, Any], Template]:
    """``checklists.detail`` without its "view" audit event (an export is audited once, as
    ``export``, by the caller) and the template the record was made with."""
    audit.require(store, actor, "export", checklist_id)
    record = checklists.detail(store, actor, checklist_id, audited=False)
    with store.reading():
        template = template_by_hash(record["template"]["hash"])
    return record, template


def prepare(
    store: Store, actor: Actor, checklist_id: int, out_path: Path | str, paper: str
) -> tuple[_Pending, dict[str, Any]]:
    record, data = render_record(store, actor, checklist_id, paper)
    pending = _write_partial(
        Path(out_path),
        data,
        checklist_id,
        format="pdf",
        paper=paper.upper(),
        record_hash=record["record_hash"],
        status=record["status"],
    )
    return pending, record


def _result(pending: _Pending, record: dict[str, Any]) -> ExportResult:
    return ExportResult(
        record["id"],
        pending.path,
        pending.detail["file_sha256"],
        record["record_hash"],
        record["status"],
    )


def export_one(
    store: Store, actor: Actor, checklist_id: int, out_path: Path | str, paper: str = "A4"
) -> ExportResult:
    """Write the PDF copy of one checklist (drafts carry a DRAFT watermark); one audit event."""
    audit.require(store, actor, "export", checklist_id)
    try:
        pending, record = prepare(store, actor, checklist_id, out_path, paper)
        _commit(store, actor, [pending])
    except VPError as error:
        audit.record_refusal(store, actor.username, "export", checklist_id, error)
        raise
    return _result(pending, record)


def pdf_name(checklist_id: int) -> str:
    return f"checklist-{checklist_id}.pdf"


#: Files audited per transaction in a bulk export (each commit is one fsync).
BATCH = 25


def export_bulk(
    store: Store,
    actor: Actor,
    filters: Filters | None,
    out_dir: Path | str,
    fmt: str = "pdf",
    progress_cb: ProgressCallback | None = None,
    cancel_check: CancelCheck | None = None,
    paper: str = "A4",
    checklist_ids: list[int] | None = None,
    workers: int | None = None,
) -> BulkSummary:
    """Export every checklist matching ``filters`` (or exactly ``checklist_ids``) into ``out_dir``.

    PDF: one file per checklist, each with its own ``export`` audit event, committed in
    batches; a cancel stops before the next file and commits what is rendered, so every file
    present is complete and audited. ``workers`` processes render in parallel (default: one
    per CPU for ``POOL_MIN`` or more checklists; 0 or 1 renders in this process).
    CSV: one file, one audit event.
    """
    audit.require(store, actor, "export")
    started = time.perf_counter()
    folder = Path(out_dir)
    if fmt not in FORMATS:
        raise ValidationError("format", "the format must be pdf or csv")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExportError(f"The folder {folder} cannot be created: {exc.strerror}.") from exc
    if checklist_ids is None:
        summaries = checklists.search(store, actor, filters, newest_first=False)
        ids = [s["id"] for s in summaries]
    else:
        ids = list(checklist_ids)
        summaries = None
    summary = BulkSummary(folder, fmt, len(ids))
    if fmt == "csv":
        if summaries is None:
            summaries = _summaries_of(store, actor, ids)
        _bulk_csv(store, actor, filters, folder, summaries, summary, progress_cb)
    else:
        count = _worker_count(workers, len(ids), store)
        remaining = ids
        if count > 1:
            remaining = _bulk_pdf_pool(
                store, actor, ids, folder, paper, summary, progress_cb, cancel_check, count
            )
        if remaining:
            _bulk_pdf(
                store,
                actor,
                remaining,
                folder,
                paper,
                summary,
                progress_cb,
                cancel_check,
                done_before=len(ids) - len(remaining),
                total=len(ids),
            )
    summary.seconds = time.perf_counter() - started
    return summary


def _bulk_pdf(
    store: Store,
    actor: Actor,
    ids: list[int],
    folder: Path,
    paper: str,
    summary: BulkSummary,
    progress_cb: ProgressCallback | None,
    cancel_check: CancelCheck | None,
    done_before: int = 0,
    total: int | None = None,
) -> None:
    total = len(ids) if total is None else total
    pending: list[_Pending] = []

    def flush() -> None:
        try:
            _commit(store, actor, pending)
            summary.written.extend(item.path for item in pending)
        except (VPError, OSError) as error:
            summary.failed.extend((item.checklist_id or 0, str(error)) for item in pending)
        pending.clear()

    try:
        for done, checklist_id in enumerate(ids, start=done_before + 1):
            if cancel_check is not None and cancel_check():
                summary.cancelled = True
                break
            try:
                item, _ = prepare(
                    store, actor, checklist_id, folder / pdf_name(checklist_id), paper
                )
                pending.append(item)
            except VPError as error:
                audit.record_refusal(store, actor.username, "export", checklist_id, error)
                summary.failed.append((checklist_id, str(error)))
            except Exception:  # one unrenderable record must not stop a bulk export
                log.exception("export of checklist %s failed", checklist_id)
                summary.failed.append((checklist_id, "the PDF could not be produced (see the log)"))
            if len(pending) >= BATCH:
                flush()
            if progress_cb is not None:
                progress_cb(done, total)
    finally:
        flush()


#: Bulk PDF exports of at least this many checklists render in worker processes (starting
#: one costs about a second; below this the export is quicker in-process).
POOL_MIN = 24
#: Checklists handed to the pool ahead of the one being collected, per worker: enough to keep
#: every worker busy, few enough that a cancel stops within a file or two.
AHEAD = 2


def _worker_count(wanted: int | None, count: int, store: Store) -> int:
    if wanted is None:
        env = os.environ.get("VPCHECKLIST_EXPORT_WORKERS", "")
        if env.isdigit():
            wanted = int(env)
        elif count < POOL_MIN:
            return 1
        else:
            wanted = os.cpu_count() or 1
    if not Path(store.path).is_file():
        return 1  # the workers open the database by its path
    return max(1, min(wanted, 8, count))


def _bulk_pdf_pool(
    store: Store,
    actor: Actor,
    ids: list[int],
    folder: Path,
    paper: str,
    summary: BulkSummary,
    progress_cb: ProgressCallback | None,
    cancel_check: CancelCheck | None,
    workers: int,
) -> list[int]:
    """Render in ``workers`` processes; this process audits and renames (the single writer).

    Returns the ids left to do in-process if the pool could not start or broke down (empty
    when every checklist was handled or the export was cancelled).
    """
    try:
        pool = ProcessPoolExecutor(
            workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=worker.start,
            initargs=(str(store.path), actor),
        )
    except (OSError, ImportError, NotImplementedError, ValueError):
        log.warning("bulk export: no worker processes, rendering in-process", exc_info=True)
        return ids
    pending: list[_Pending] = []
    queue = iter(ids)
    in_flight: deque[tuple[int, Future[tuple[str, Any, str]]]] = deque()
    done = 0

    def flush() -> None:
        try:
            _commit(store, actor, pending)
            summary.written.extend(item.path for item in pending)
        except (VPError, OSError) as error:
            summary.failed.extend((item.checklist_id or 0, str(error)) for item in pending)
        pending.clear()

    def refill() -> None:
        while len(in_flight) < workers * AHEAD and not summary.cancelled:
            if cancel_check is not None and cancel_check():
                summary.cancelled = True
                return
            checklist_id = next(queue, None)
            if checklist_id is None:
                return
            target = str(folder / pdf_name(checklist_id))
            in_flight.append(
                (checklist_id, pool.submit(worker.render, checklist_id, target, paper))
            )

    try:
        refill()
        while in_flight:
            checklist_id, future = in_flight[0]
            if summary.cancelled and future.cancel():
                in_flight.popleft()
                continue
            outcome, payload, text = future.result()
            in_flight.popleft()
            done += 1
            if outcome == worker.OK:
                pending.append(payload)
            elif outcome == worker.REFUSED:
                error = VPError(text)
                audit.record_refusal(store, actor.username, "export", checklist_id, error)
                summary.failed.append((checklist_id, text))
            else:
                log.error("export of checklist %s failed in a worker:\n%s", checklist_id, text)
                summary.failed.append((checklist_id, "the PDF could not be produced (see the log)"))
            if len(pending) >= BATCH:
                flush()
            if progress_cb is not None:
                progress_cb(done, len(ids))
            refill()
    except BrokenProcessPool:
        log.warning("bulk export: a worker process died; rendering the rest in-process")
        flush()
        left = [cid for cid, _ in in_flight] + list(queue)
        pool.shutdown(wait=True, cancel_futures=True)
        return left
    except BaseException:
        for _, future in in_flight:
            future.cancel()
        pool.shutdown(wait=True, cancel_futures=True)
        for _, future in in_flight:  # finished but not collected: drop their hidden files
            if future.done() and not future.cancelled() and future.exception() is None:
                outcome, payload, _ = future.result()
                if outcome == worker.OK:
                    with contextlib.suppress(OSError):
                        payload.partial.unlink()
        raise
    finally:
        flush()
    pool.shutdown(wait=True)
    return []


def _summaries_of(store: Store, actor: Actor, ids: list[int]) -> list[dict[str, Any]]:
    wanted = set(ids)
    return [
        s for s in checklists.search(store, actor, None, newest_first=False) if s["id"] in wanted
    ]


def _bulk_csv(
    store: Store,
    actor: Actor,
    filters: Filters | None,
    folder: Path,
    summaries: list[dict[str, Any]],
    summary: BulkSummary,
    progress_cb: ProgressCallback | None,
) -> None:
    with store.reading():
        hashes = csv_export.record_hashes([s["id"] for s in summaries])
    data = csv_export.render(summaries, hashes)
    path = folder / f"checklists-{utc_now()[:19].replace(':', '').replace('-', '')}Z.csv"
    described = {k: v for k, v in vars(filters or Filters()).items() if v not in (None, False)}

    try:
        pending = _write_partial(
            path, data, None, format="csv", rows=len(summaries), filters=described
        )
        _commit(store, actor, [pending])
    except VPError as error:
        audit.record_refusal(store, actor.username, "export", None, error)
        raise
    summary.written.append(path)
    if progress_cb is not None:
        progress_cb(len(summaries), len(summaries))


# ---------------------------------------------------------------------------------------------
# verify


def _embedded(data: bytes) -> tuple[int | None, str | None]:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        info = reader.metadata
        keywords = str(info.get("/Keywords") or "") if info is not None else ""
    except (PyPdfError, ValueError, KeyError, TypeError) as exc:
        raise ValidationError(None, f"the file is not a readable PDF ({exc})") from exc
    if pdf.KEYWORD_ID not in keywords:
        raise ValidationError(None, "the file is not a VP Checklist export (no record binding)")
    return pdf.read_binding(keywords)


def _exports_of(checklist_id: int) -> dict[str, dict[str, Any]]:
    """Every exported file's SHA-256 for one checklist, with who exported it and when."""
    out: dict[str, dict[str, Any]] = {}
    events = AuditEvent.select().where(
        AuditEvent.action == "export",
        AuditEvent.outcome == "ok",
        AuditEvent.checklist_id == checklist_id,
    )
    for event in events:
        detail = json.loads(event.detail) if event.detail else {}
        digest = detail.get("file_sha256")
        if digest:
            out[digest] = {"user": event.username, "at": event.at, **detail}
    return out


def verify_pdf(store: Store, pdf_path: Path | str, check_chain: bool = True) -> tuple[bool, str]:
    """(ok, sentence): is this file an unaltered copy of the record as it stands now?"""
    path = Path(pdf_path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        return False, f"The file {path} cannot be read: {exc.strerror or exc}."
    try:
        checklist_id, embedded_hash = _embedded(data)
    except ValidationError as error:
        return False, f"Not verified: {error}."
    if checklist_id is None:
        return False, "Not verified: the file names no checklist."
    file_hash = hashlib.sha256(data).hexdigest()
    try:
        with store.reading():
            checklist = Checklist.get_or_none(Checklist.id == checklist_id)
            if checklist is None:
                raise NotFound(f"there is no checklist {checklist_id} in this database")
            exports = _exports_of(checklist_id)
        current = signing.record_hash(store, checklist_id)
        problems = (
            [p for p in signing.verify_chain(store) if p["checklist_id"] == checklist_id]
            if check_chain
            else []
        )
    except (NotFound, StorageError) as error:
        return False, f"Not verified: {error}."
    if embedded_hash is None or current is None:
        return False, (
            f"Not verified: this is a copy of an unsigned draft of checklist {checklist_id}, "
            "not a signed record."
        )
    if embedded_hash != current:
        return False, (
            f"Not verified: checklist {checklist_id} has changed since this copy was made "
            f"(an addendum was signed). The copy shows record hash {embedded_hash}; the "
            f"record's current hash is {current}. Export a new copy."
        )
    if file_hash not in exports:
        return False, (
            f"Not verified: the file's content is not that of any copy of checklist "
            f"{checklist_id} exported from this database (file SHA-256 {file_hash}); it may "
            "have been edited."
        )
    if problems:
        return False, (
            f"Not verified: the database record of checklist {checklist_id} fails its "
            f"integrity check: {problems[0]['message']}."
        )
    made = exports[file_hash]
    return True, (
        f"Verified: an unaltered copy of checklist {checklist_id} (record hash {current}), "
        f"exported by {made['user']} on {local_time_with_zone(made['at'])}."
    )
