"""Completion metrics read from the audit trail, for auditors (dashboard, ``metrics``, ``report``)
and for the one line on a record view or PDF.

The arithmetic lives in ``vpchecklist.metrics`` (pure); this module reads answer times from
``answer_history`` and the record rows, checks the role and audits range reads.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from vpchecklist.clock import local_zone_label, now, parse_utc
from vpchecklist.compliance import Figures, RecordMetrics, summarise
from vpchecklist.errors import NotFound, StorageError, ValidationError
from vpchecklist.metrics import (
    AnswerEvent,
    Completion,
    RecordTimes,
    completion,
    planned_start_utc,
    thresholds_of,
)
from vpchecklist.presentation import local_moment
from vpchecklist.services import audit
from vpchecklist.services.actors import Actor
from vpchecklist.services.records import evaluate_stored
from vpchecklist.services.templates import template_by_hash
from vpchecklist.services.verbs import performing
from vpchecklist.store import Store
from vpchecklist.store.models import (
    Acknowledgement,
    AnswerHistory,
    AuditEvent,
    Checklist,
    Signature,
    User,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RangeQuery:
    """Planned start from ``date_from`` to ``date_to`` (YYYY-MM-DD, both inclusive)."""

    date_from: str
    date_to: str
    nurse: str | None = None  # username who started the record
    physician: str | None = None  # the header's physician, exactly

    def checked(self) -> RangeQuery:
        for name, value in (("from", self.date_from), ("to", self.date_to)):
            try:
                date.fromisoformat(value)
            except (TypeError, ValueError):
                raise ValidationError(
                    name, f"--{name} must be a date as YYYY-MM-DD, not {value!r}"
                ) from None
        if self.date_from > self.date_to:
            raise ValidationError("from", "the period starts after it ends (--from is after --to)")
        return self


def _tuples(query: Any) -> list[tuple[Any, ...]]:
    """Rows as plain tuples (cheaper than models over thousands of rows)."""
    return list(query.tuples())


def _history(ids: Iterable[int]) -> dict[int, list[tuple[str, str | None, str]]]:
    rows: dict[int, list[tuple[str, str | None, str]]] = defaultdict(list)
    id_list = list(ids)
    for start in range(0, len(id_list), 900):  # SQLite's bound-parameter limit
        chunk = id_list[start : start + 900]
        query = (
            AnswerHistory.select(
                AnswerHistory.checklist,
                AnswerHistory.item_id,
                AnswerHistory.new_value,
                AnswerHistory.changed_at,
            )
            .where(AnswerHistory.checklist.in_(chunk))
            .order_by(AnswerHistory.id)
        )
        for checklist_id, item_id, new_value, changed_at in _tuples(query):
            rows[checklist_id].append((item_id, new_value, changed_at))
    return rows


def _completion(row: _Row, history: list[tuple[str, str | None, str]]) -> Completion:
    """Answers written in the record's creating transaction carry its creation time: those were
    imported (``checklist create --from``), not answered in the checklist."""
    template = template_by_hash(row.template_hash)
    events = [
        AnswerEvent(item_id, parse_utc(at), value, imported=at <= row.created_at)
        for item_id, value, at in history
    ]
    record = RecordTimes(
        checklist_id=row.id,
        status=row.status,
        started_at=parse_utc(row.created_at),
        planned_start=planned_start_utc(row.planned_start, row.timezone),
        events=events,
    )
    return completion(record, thresholds_of(template))


@dataclass(frozen=True)
class _Row:
    """The checklist columns the metrics read (plain values: cheaper than models at 10k rows)."""

    id: int
    status: str
    created_at: str
    created_by: int
    planned_start: str
    timezone: str
    template_hash: str
    physician: str
    patient_name: str
    mrn: str


_ROW_FIELDS = (
    Checklist.id,
    Checklist.status,
    Checklist.created_at,
    Checklist.created_by,
    Checklist.planned_start,
    Checklist.timezone,
    Checklist.template_hash,
    Checklist.physician,
    Checklist.patient_name,
    Checklist.mrn,
)


def _row(checklist_id: int) -> _Row | None:
    rows = _tuples(Checklist.select(*_ROW_FIELDS).where(Checklist.id == checklist_id))
    return _Row(*rows[0]) if rows else None


def completion_of(checklist_id: int) -> Completion:
    """One record's completion pattern, inside the caller's read (export, record view)."""
    row = _row(checklist_id)
    if row is None:
        raise NotFound(f"There is no checklist {checklist_id}.")
    return _completion(row, _history([checklist_id]).get(checklist_id, []))


#: Bump when the arithmetic changes: summaries written by an older method are recomputed.
SUMMARY_METHOD = 1


def signing_summary(checklist_id: int, stops: list[str]) -> dict[str, Any]:
    """What the ``sign`` audit event keeps of the completion pattern, so a range of thousands
    of closed records is summed without re-reading every answer time (signed records never
    change). Never stops a signature: a failure here is logged and the pattern is computed
    from the answer times when read."""
    try:
        done = completion_of(checklist_id)
    except Exception:  # noqa: BLE001 - flags never block signing
        log.exception("completion pattern of checklist %s not summarised", checklist_id)
        return {}
    data = done.to_json()
    for key in ("checklist_id", "status", "sections"):
        del data[key]
    return {"completion": {**data, "method": SUMMARY_METHOD, "stops": list(dict.fromkeys(stops))}}


def record_completion(store: Store, actor: Actor, checklist_id: int) -> Completion:
    """The completion pattern of one record for anyone who may read it (not audited: the
    record view that shows it audits the view itself)."""
    audit.require(store, actor, "read", checklist_id)
    with store.reading():
        if not Checklist.select().where(Checklist.id == checklist_id).exists():
            raise NotFound(f"There is no checklist {checklist_id}.")
        return completion_of(checklist_id)


def _summaries(ids: list[int]) -> dict[int, dict[str, Any]]:
    """Completion summaries recorded at signing, by checklist id (current method only)."""
    found: dict[int, dict[str, Any]] = {}
    for start in range(0, len(ids), 900):
        query = AuditEvent.select(AuditEvent.checklist_id, AuditEvent.detail).where(
            AuditEvent.checklist_id.in_(ids[start : start + 900]),
            AuditEvent.action == "sign",
            AuditEvent.outcome == "ok",
        )
        for checklist_id, detail in _tuples(query):
            summary = json.loads(detail).get("completion") if detail else None
            if summary and summary.get("method") == SUMMARY_METHOD:
                found[checklist_id] = summary
    return found


def records_in_range(store: Store, actor: Actor, query: RangeQuery) -> list[RecordMetrics]:
    """Every checklist planned in the period (filters applied), with its metrics, oldest first.
    Auditors only; the read is audited with its period and filters."""
    with performing(store, actor, "metrics"):
        query = query.checked()
        with store.reading():
            records = _read_range(query)
        with store.transaction():
            audit.record(actor.username, "metrics", **_described(query), records=len(records))
    return records


def write_compliance_report(
    store: Store, actor: Actor, query: RangeQuery, out: Path, replace: bool = False
) -> Figures:
    """Write the compliance report PDF for a period (the figures of ``records_in_range``, with
    the site name) to ``out``; auditors only. The file appears whole under its name or not at
    all, private (0600), and an existing file is replaced only when asked. Audited as one
    ``report`` event naming the period, the file and its SHA-256."""
    from vpchecklist.export.report import render_report
    from vpchecklist.services.settings import get_all

    with performing(store, actor, "metrics", action="report"):
        query = query.checked()
        _check_target(out, replace)
        with store.reading():
            records = _read_range(query)
        figures = summarise(records, query.date_from, query.date_to)
        generated = f"{local_moment(now())} ({local_zone_label()})"
        pdf = render_report(figures, records, get_all(store)["site_name"], generated)
        _write_private(out, pdf, replace)
        with store.transaction():
            audit.record(
                actor.username,
                "report",
                **_described(query),
                records=len(records),
                file=out.name,
                file_sha256=hashlib.sha256(pdf).hexdigest(),
            )
    return figures


def _check_target(out: Path, replace: bool) -> None:
    if out.suffix.lower() != ".pdf":
        raise ValidationError("out", f"the report file {out} must end in .pdf")
    if not out.parent.is_dir():
        raise ValidationError("out", f"the folder {out.parent} does not exist")
    if out.exists() and not replace:
        raise ValidationError("out", f"{out} exists; choose another name or pass --force")


def _write_private(out: Path, data: bytes, replace: bool) -> None:
    """A private temporary file beside ``out`` (never through a link), then its name."""
    temp = out.with_name(f".{out.name}.{os.getpid()}.part")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(temp, flags, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if replace:
            os.replace(temp, out)
        else:
            os.link(temp, out)  # fails on a name taken meanwhile: never a silent overwrite
            os.unlink(temp)
    except FileExistsError:
        temp.unlink(missing_ok=True)
        raise ValidationError("out", f"{out} exists; choose another name or pass --force") from None
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise StorageError(f"Could not write the report {out}: {exc.strerror or exc}.") from None


def _described(query: RangeQuery) -> dict[str, Any]:
    return {
        "date_from": query.date_from,
        "date_to": query.date_to,
        "nurse": query.nurse,
        "physician": query.physician,
    }


def _read_range(query: RangeQuery) -> list[RecordMetrics]:
    select = Checklist.select(*_ROW_FIELDS).where(
        Checklist.planned_start >= query.date_from,
        Checklist.planned_start < query.date_to + "T99",
    )
    if query.nurse:
        user = User.get_or_none(User.username == query.nurse)
        select = select.where(Checklist.created_by == (user.id if user else -1))
    if query.physician:
        select = select.where(Checklist.physician == query.physician)
    rows = [_Row(*t) for t in _tuples(select.order_by(Checklist.planned_start, Checklist.id))]
    closed = [r.id for r in rows if r.status != "draft"]
    summaries = _summaries(closed)
    history = _history([r.id for r in rows if r.id not in summaries])
    names = {uid: name for uid, name in _tuples(User.select(User.id, User.username))}
    reasons = _postponed_reasons([r.id for r in rows if r.status == "postponed"])
    acknowledged = _acknowledged([r.id for r in rows])
    result = []
    for row in rows:
        summary = summaries.get(row.id)
        if summary is not None:
            done = _from_summary(row, summary)
            stops = tuple(summary["stops"])
        else:
            done = _completion(row, history.get(row.id, []))
            stops = _stops_of(row.id) if row.status == "postponed" else ()
        acks = tuple(acknowledged.get(row.id, ()))
        template = template_by_hash(row.template_hash)
        labels = {}
        for item_id in (*stops, *acks):
            item = template.item(item_id)
            labels[item_id] = item.label if item else _HEADER_LABELS.get(item_id, item_id)
        result.append(
            RecordMetrics(
                completion=done,
                planned_start=row.planned_start,
                patient_name=row.patient_name,
                mrn=row.mrn,
                started_by=names.get(row.created_by, ""),
                physician=row.physician,
                postponed_reason=reasons.get(row.id, ""),
                stops=stops,
                acknowledged=acks,
                labels=labels,
            )
        )
    return result


_HEADER_LABELS = {"levels": "Treated levels"}  # warnings on the header, not on an item


def _from_summary(row: _Row, summary: dict[str, Any]) -> Completion:
    fields = {k: v for k, v in summary.items() if k not in ("method", "stops")}
    return Completion(checklist_id=row.id, status=row.status, **fields)


def _stops_of(checklist_id: int) -> tuple[str, ...]:
    """The hard stops of a record closed before summaries were kept (re-evaluated)."""
    ev = evaluate_stored(Checklist.get_by_id(checklist_id))
    return tuple(dict.fromkeys(f.item for f in ev.stops))


def _postponed_reasons(ids: list[int]) -> dict[int, str]:
    reasons: dict[int, str] = {}
    for start in range(0, len(ids), 900):
        query = Signature.select(Signature.checklist, Signature.reason).where(
            Signature.checklist.in_(ids[start : start + 900]), Signature.meaning == "postponed"
        )
        for checklist_id, reason in _tuples(query):
            reasons[checklist_id] = reason or ""
    return reasons


def _acknowledged(ids: list[int]) -> dict[int, list[str]]:
    acks: dict[int, list[str]] = defaultdict(list)
    for start in range(0, len(ids), 900):
        query = (
            Acknowledgement.select(Acknowledgement.checklist, Acknowledgement.item_id)
            .where(Acknowledgement.checklist.in_(ids[start : start + 900]))
            .order_by(Acknowledgement.item_id)
        )
        for checklist_id, item_id in _tuples(query):
            acks[checklist_id].append(item_id)
    return acks
