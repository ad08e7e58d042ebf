"""Export verbs: one PDF copy, a bulk export (PDFs or one CSV), and ``verify`` of a copy.

Each is a service call like every other verb: the role is checked, each copy is one
``export`` audit event committed together with the file's name (``export_copies``), refusals
are audited. ``vpchecklist.export`` only turns a record into bytes.

``verify_pdf`` (in ``copy_check``) checks a copy against the record as it stands.
"""

from __future__ import annotations

import logging
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from peewee import fn

from vpchecklist.clock import utc_now
from vpchecklist.errors import ValidationError, VPError
from vpchecklist.export import csv as csv_export
from vpchecklist.export import fhir, pdf
from vpchecklist.services import audit, checklists
from vpchecklist.services.actors import Actor
from vpchecklist.services.checklists import Filters
from vpchecklist.services.copy_check import verify_pdf
from vpchecklist.services.export_copies import (
    Batch,
    BulkSummary,
    CopyExists,
    ExportError,
    Staged,
    check_target,
    commit,
    pdf_name,
    read_record,
    render_copy,
    stage,
)
from vpchecklist.services.export_pool import export_in_pool, worker_count
from vpchecklist.services.verbs import performing
from vpchecklist.store import Store
from vpchecklist.store.models import Signature
from vpchecklist.templates import Template

__all__ = [
    "FORMATS",
    "BulkSummary",
    "CopyExists",
    "ExportError",
    "ExportResult",
    "export_bulk",
    "export_fhir",
    "export_one",
    "fhir_name",
    "existing_copies",
    "load_record",
    "pdf_name",
    "verify_pdf",
]

log = logging.getLogger(__name__)

FORMATS = ("pdf", "csv", "fhir")
ProgressCallback = Callable[[int, int], None]
CancelCheck = Callable[[], bool]


@dataclass(frozen=True)
class ExportResult:
    """What one export wrote: the file, its SHA-256 and the record state it shows."""

    checklist_id: int
    path: Path
    file_sha256: str
    record_hash: str | None
    status: str


def _paper(paper: str) -> str:
    if paper.upper() not in pdf.PAPERS:
        raise ValidationError("paper", "the paper size must be A4 or Letter")
    return paper.upper()


def load_record(store: Store, actor: Actor, checklist_id: int) -> tuple[dict[str, Any], Template]:
    """The record an export of ``checklist_id`` shows and its template; nothing written."""
    return read_record(store, actor, checklist_id)


def export_one(
    store: Store,
    actor: Actor,
    checklist_id: int,
    out_path: Path | str,
    paper: str = "A4",
    replace: bool = False,
) -> ExportResult:
    """Write the PDF copy of one checklist (drafts carry a DRAFT watermark); one audit event.

    An existing file at ``out_path`` is refused (``CopyExists``) unless ``replace``.
    """
    with performing(store, actor, "export", checklist_id):
        staged, record = render_copy(
            store, actor, checklist_id, Path(out_path), _paper(paper), replace, checked=True
        )
        refused = commit(store, actor, [staged])
    if refused:
        raise refused[0][1]  # audited in the commit's transaction
    return _result(checklist_id, staged, record)


def _result(checklist_id: int, staged: Staged, record: dict[str, Any]) -> ExportResult:
    return ExportResult(
        checklist_id,
        staged.path,
        staged.detail["file_sha256"],
        record["record_hash"],
        record["status"],
    )


def fhir_name(checklist_id: int, day: date | None = None) -> str:
    """``VP-<id>-<yyyymmdd>.fhir.json``: beside the PDF of the same day, told apart by suffix."""
    return pdf_name(checklist_id, day).removesuffix(".pdf") + ".fhir.json"


def _stage_fhir(
    store: Store, actor: Actor, checklist_id: int, target: Path, replace: bool
) -> tuple[Staged, dict[str, Any]]:
    check_target(target, replace)
    record, template = read_record(store, actor, checklist_id)
    staged = stage(
        target,
        fhir.render(record, template),
        checklist_id,
        replace,
        format="fhir",
        record_hash=record["record_hash"],
        status=record["status"],
    )
    return staged, record


def export_fhir(
    store: Store, actor: Actor, checklist_id: int, out_path: Path | str, replace: bool = False
) -> ExportResult:
    """Write one record as a FHIR R4 Bundle (JSON); audited like a PDF copy (one ``export``
    event with the file's SHA-256 and ``format: fhir``)."""
    with performing(store, actor, "export", checklist_id):
        staged, record = _stage_fhir(store, actor, checklist_id, Path(out_path), replace)
        refused = commit(store, actor, [staged])
    if refused:
        raise refused[0][1]
    return _result(checklist_id, staged, record)


def existing_copies(
    folder: Path, checklist_ids: list[int] | None = None, day: date | None = None
) -> list[Path]:
    """The files a PDF export into ``folder`` today would find already there: those of
    ``checklist_ids``, or (``None``: ids not known yet) every copy made that day. The app asks
    before replacing them."""
    if checklist_ids is not None:
        targets = [folder / pdf_name(cid, day) for cid in checklist_ids]
        return [path for path in targets if os.path.lexists(path)]
    pattern = re.compile(rf"VP-\d+-{(day or date.today()):%Y%m%d}\.pdf")
    try:
        return sorted(path for path in folder.iterdir() if pattern.fullmatch(path.name))
    except OSError:
        return []


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
    replace: bool = False,
) -> BulkSummary:
    """Export every checklist matching ``filters`` (or exactly ``checklist_ids``) into ``out_dir``.

    PDF: one file per checklist (``pdf_name``), each with its own ``export`` audit event,
    committed in batches; a cancel stops before the next file and commits what is rendered, so
    every file present is complete and audited. A name already taken in the folder is a
    failure of that one copy unless ``replace``. ``workers`` processes render in parallel
    (default: one per CPU for ``export_pool.POOL_MIN`` or more checklists; 0 or 1 renders in
    this process). CSV: one file, one audit event.
    """
    audit.require(store, actor, "export")
    started = time.perf_counter()
    folder = Path(out_dir)
    if fmt not in FORMATS:
        raise ValidationError("format", "the format must be pdf, csv or fhir")
    paper = _paper(paper)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExportError(f"The folder {folder} cannot be created: {exc.strerror}.") from exc
    summaries = None
    if checklist_ids is None:
        summaries = checklists.search(store, actor, filters, newest_first=False)
        ids = [s["id"] for s in summaries]
    else:
        ids = list(dict.fromkeys(checklist_ids))  # each checklist once, in the order given
    summary = BulkSummary(folder, fmt, len(ids))
    if fmt == "csv":
        if summaries is None:
            summaries = _summaries_of(store, actor, ids)
        _bulk_csv(store, actor, filters, folder, summaries, summary, replace)
        if progress_cb is not None:
            progress_cb(len(summaries), len(summaries))
    elif fmt == "fhir":
        _bulk_fhir(store, actor, ids, folder, replace, summary, progress_cb, cancel_check)
    else:
        _bulk_pdf(
            store, actor, ids, folder, paper, replace, summary, progress_cb, cancel_check, workers
        )
    summary.seconds = time.perf_counter() - started
    return summary


def _bulk_pdf(
    store: Store,
    actor: Actor,
    ids: list[int],
    folder: Path,
    paper: str,
    replace: bool,
    summary: BulkSummary,
    progress_cb: ProgressCallback | None,
    cancel_check: CancelCheck | None,
    workers: int | None,
) -> None:
    day = date.today()  # one date for the whole export, even across midnight
    jobs = [(cid, folder / pdf_name(cid, day)) for cid in ids]
    batch = Batch(store, actor, summary)
    progress = _counter(progress_cb, len(ids))
    count = worker_count(workers, len(ids), store)
    if count > 1:
        jobs = export_in_pool(
            store, actor, batch, jobs, paper, replace, count, progress, cancel_check
        )

    def stage_one(checklist_id: int, target: Path) -> Staged:
        return render_copy(store, actor, checklist_id, target, paper, replace)[0]

    _stage_each(batch, jobs, stage_one, progress, cancel_check)


def _bulk_fhir(
    store: Store,
    actor: Actor,
    ids: list[int],
    folder: Path,
    replace: bool,
    summary: BulkSummary,
    progress_cb: ProgressCallback | None,
    cancel_check: CancelCheck | None,
) -> None:
    """One Bundle per record, each its own audited copy, committed in batches like PDFs (a
    Bundle renders in about a millisecond: no worker processes)."""
    day = date.today()
    jobs = [(cid, folder / fhir_name(cid, day)) for cid in ids]

    def stage_one(checklist_id: int, target: Path) -> Staged:
        return _stage_fhir(store, actor, checklist_id, target, replace)[0]

    batch = Batch(store, actor, summary)
    _stage_each(batch, jobs, stage_one, _counter(progress_cb, len(ids)), cancel_check)


def _counter(progress_cb: ProgressCallback | None, total: int) -> Callable[[], None]:
    """A callback to call once per checklist handled: reports (done, total)."""
    done = 0

    def step() -> None:
        nonlocal done
        done += 1
        if progress_cb is not None:
            progress_cb(done, total)

    return step


def _stage_each(
    batch: Batch,
    jobs: list[tuple[int, Path]],
    stage_one: Callable[[int, Path], Staged],
    progress: Callable[[], None],
    cancel_check: CancelCheck | None,
) -> None:
    """Stage each (checklist id, target) in this process into ``batch``; a cancel stops
    before the next one, and what is staged is committed."""
    try:
        for checklist_id, target in jobs:
            if cancel_check is not None and cancel_check():
                batch.summary.cancelled = True
                break
            try:
                staged = stage_one(checklist_id, target)
            except VPError as error:
                batch.refused(checklist_id, error, target)
            except Exception:  # one unrenderable record must not stop a bulk export
                log.exception("export of checklist %s failed", checklist_id)
                batch.crashed(checklist_id)
            else:
                batch.add(staged)
            progress()
    finally:
        batch.flush()


def _summaries_of(store: Store, actor: Actor, ids: list[int]) -> list[dict[str, Any]]:
    wanted = set(ids)
    return [
        s for s in checklists.search(store, actor, None, newest_first=False) if s["id"] in wanted
    ]


def _record_hashes(checklist_ids: list[int]) -> dict[int, str]:
    """The newest signature hash of each checklist, in one query per 500 ids."""
    out: dict[int, str] = {}
    for start in range(0, len(checklist_ids), 500):
        chunk = checklist_ids[start : start + 500]
        newest = (
            Signature.select(Signature.checklist, fn.MAX(Signature.seq).alias("seq"))
            .where(Signature.checklist.in_(chunk))
            .group_by(Signature.checklist)
        )
        seqs = [row.seq for row in newest]
        rows = Signature.select(Signature.checklist, Signature.record_hash).where(
            Signature.seq.in_(seqs)
        )
        out.update({row.checklist_id: row.record_hash for row in rows})
    return out


def _bulk_csv(
    store: Store,
    actor: Actor,
    filters: Filters | None,
    folder: Path,
    summaries: list[dict[str, Any]],
    summary: BulkSummary,
    replace: bool,
) -> None:
    with store.reading():
        hashes = _record_hashes([s["id"] for s in summaries])
    data = csv_export.render(summaries, hashes, demo=store.is_demo)
    path = folder / f"checklists-{utc_now()[:19].replace(':', '').replace('-', '')}Z.csv"
    described = {k: v for k, v in vars(filters or Filters()).items() if v not in (None, False)}
    with performing(store, actor, "export"):
        staged = stage(
            path, data, None, replace, format="csv", rows=len(summaries), filters=described
        )
        refused = commit(store, actor, [staged])
    if refused:
        raise refused[0][1]
    summary.written.append(path)
