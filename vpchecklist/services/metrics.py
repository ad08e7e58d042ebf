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
    AnswerHistory,
    Checklist,
    CompletionSummary,
    User,
    database,
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


_ROW_FIELDS = (
    Checklist.id,
    Checklist.status,
    Checklist.created_at,
    Checklist.created_by,
    Checklist.planned_start,
    Checklist.timezone,
    Checklist.template_hash,
    Checklist.physician,
)


def _row(checklist_id: int) -> _Row | None:
    rows = _tuples(Checklist.select(*_ROW_FIELDS).where(Checklist.id == checklist_id))
    return _Row(*rows[0]) if rows else None


def completion_of_rows(
    checklist: Checklist, history: list[tuple[str, str | None, str]]
) -> Completion:
    """One record's completion pattern from rows its caller already read (the record read of
    a view or an export: its checklist row and its ``answer_history`` rows, oldest first, as
    (item, new value, changed at)), so showing the pattern costs no second read."""
    row = _Row(
        checklist.id,
        checklist.status,
        checklist.created_at,
        checklist.created_by_id,
        checklist.planned_start,
        checklist.timezone,
        checklist.template_hash,
        checklist.physician,
    )
    return _completion(row, history)


def completion_of(checklist_id: int) -> Completion:
    """One record's completion pattern, inside the caller's read (export, record view)."""
    row = _row(checklist_id)
    if row is None:
        raise NotFound(f"There is no checklist {checklist_id}.")
    return _completion(row, _history([checklist_id]).get(checklist_id, []))


#: Bump when the arithmetic changes: summaries written by an older method are recomputed.
SUMMARY_METHOD = 1


def keep_summary(checklist_id: int, stops: list[str]) -> dict[str, Any]:
    """At signing, inside its transaction: keep the record's completion pattern as one
    ``completion_summary`` row (a period of thousands of closed records is then summed without
    re-reading every answer time; signed records never change). Returns what the sign event
    notes of it. Never stops a signature: a failure to compute is logged, and the pattern is
    computed from the answer times when read."""
    try:
        done = completion_of(checklist_id)
    except Exception:  # noqa: BLE001 - flags never block signing
        log.exception("completion pattern of checklist %s not summarised", checklist_id)
        return {}
    CompletionSummary.insert(
        checklist=checklist_id,
        method=SUMMARY_METHOD,
        answered=done.answered,
        timed_items=done.timed_items,
        imported_answers=done.imported_answers,
        total_seconds=done.total_seconds,
        fast_answers=done.fast_answers,
        changed_answers=done.changed_answers,
        timeout_timing=done.timeout_timing,
        rushed=done.rushed,
        rushed_because=done.rushed_because,
        stops=json.dumps(list(dict.fromkeys(stops))),
    ).execute()
    return {"completion_rushed": done.rushed}


def record_completion(store: Store, actor: Actor, checklist_id: int) -> Completion:
    """The completion pattern of one record for anyone who may read it (not audited: the
    record view that shows it audits the view itself)."""
    audit.require(store, actor, "read", checklist_id)
    with store.reading():
        if not Checklist.select().where(Checklist.id == checklist_id).exists():
            raise NotFound(f"There is no checklist {checklist_id}.")
        return completion_of(checklist_id)


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
    from vpchecklist.services.settings import site_name

    with performing(store, actor, "metrics", action="report"):
        query = query.checked()
        _check_target(out, replace)
        with store.reading():
            records = _read_range(query)
        figures = summarise(records, query.date_from, query.date_to)
        generated = f"{local_moment(now())} {local_zone_label()}"
        pdf = render_report(figures, records, site_name(store), generated)
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


def _range_sql(query: RangeQuery) -> tuple[str, list[Any]]:
    """The period's checklists as a WHERE clause on ``c`` (portable SQL: one statement per
    table joined on it is ~10× cheaper than peewee queries with 10,000 ids)."""
    where = "c.planned_start >= ? AND c.planned_start < ?"
    params: list[Any] = [query.date_from, query.date_to + "T99"]
    if query.nurse:
        user = User.get_or_none(User.username == query.nurse)
        where += " AND c.created_by_id = ?"
        params.append(user.id if user else -1)
    if query.physician:
        where += " AND c.physician = ?"
        params.append(query.physician)
    return where, params


def _rows_of(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    return list(database.execute_sql(sql, params).fetchall())


def _read_range(query: RangeQuery) -> list[RecordMetrics]:
    where, params = _range_sql(query)
    # One row per checklist with its summary when it has one (s.answered is then not NULL).
    joined = _rows_of(
        "SELECT c.id, c.status, c.created_by_id, c.planned_start, c.physician, c.template_hash,"
        " s.answered, s.timed_items, s.imported_answers, s.total_seconds, s.fast_answers,"
        " s.changed_answers, s.timeout_timing, s.rushed, s.rushed_because, s.stops"
        " FROM checklist c LEFT JOIN completion_summary s"
        f" ON s.checklist_id = c.id AND s.method = {SUMMARY_METHOD:d}"
        f" WHERE {where} ORDER BY c.planned_start, c.id",
        params,
    )
    unsummarised = [t[0] for t in joined if t[6] is None]
    live = {r.id: r for r in (_row(cid) for cid in unsummarised) if r is not None}
    reasons = {
        checklist_id: reason or ""
        for checklist_id, reason in _rows_of(
            "SELECT s.checklist_id, s.reason FROM signature s JOIN checklist c"
            f" ON c.id = s.checklist_id WHERE {where} AND s.meaning = 'postponed'",
            params,
        )
    }
    acknowledged: dict[int, list[str]] = defaultdict(list)
    for checklist_id, item_id in _rows_of(
        "SELECT a.checklist_id, a.item_id FROM acknowledgement a JOIN checklist c"
        f" ON c.id = a.checklist_id WHERE {where} ORDER BY a.checklist_id, a.item_id",
        params,
    ):
        acknowledged[checklist_id].append(item_id)
    history = _history(unsummarised)
    names = {uid: name for uid, name in _rows_of('SELECT id, username FROM "user"', [])}
    labels_of: dict[str, dict[str, str]] = {}
    result = []
    for t in joined:
        cid, status, created_by, planned, physician, template_hash = t[:6]
        if t[6] is not None:
            done = Completion(
                cid, status, t[6], t[7], t[8], t[9], t[10], t[11], t[12], bool(t[13]), t[14]
            )
            stops = tuple(json.loads(t[15])) if t[15] != "[]" else ()
        else:
            done = _completion(live[cid], history.get(cid, []))
            stops = _stops_of(cid) if status == "postponed" else ()
        acks = tuple(acknowledged.get(cid, ()))
        labels: dict[str, str] = {}
        if stops or acks:
            known = labels_of.get(template_hash)
            if known is None:
                template = template_by_hash(template_hash)
                known = labels_of[template_hash] = {i.id: i.label for i in template.items}
            labels = {i: known.get(i) or _HEADER_LABELS.get(i, i) for i in (*stops, *acks)}
        result.append(
            RecordMetrics(
                done,
                planned,
                names.get(created_by, ""),
                physician,
                reasons.get(cid, ""),
                stops,
                acks,
                labels,
            )
        )
    return result


_HEADER_LABELS = {"levels": "Treated levels"}  # warnings on the header, not on an item


def _stops_of(checklist_id: int) -> tuple[str, ...]:
    """The hard stops of a record closed before summaries were kept (re-evaluated)."""
    ev = evaluate_stored(Checklist.get_by_id(checklist_id))
    return tuple(dict.fromkeys(f.item for f in ev.stops))
