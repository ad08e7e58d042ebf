"""Completion metrics read from the audit trail, for auditors (dashboard, ``metrics``, ``report``)
and for the one line on a record view or PDF.

The arithmetic lives in ``vpchecklist.metrics`` (pure); this module reads answer times from
``answer_history`` and the record rows, checks the role and audits range reads.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from vpchecklist.clock import parse_utc
from vpchecklist.compliance import RecordMetrics
from vpchecklist.errors import NotFound, ValidationError
from vpchecklist.metrics import (
    AnswerEvent,
    Completion,
    RecordTimes,
    completion,
    planned_start_utc,
    thresholds_of,
)
from vpchecklist.services import audit
from vpchecklist.services.actors import Actor
from vpchecklist.services.checklists import template_of
from vpchecklist.services.templates import template_by_hash
from vpchecklist.store import Store
from vpchecklist.store.models import Acknowledgement, AnswerHistory, Checklist, Signature, User


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


def _completion(checklist: Checklist, history: list[tuple[str, str | None, str]]) -> Completion:
    """Answers written in the record's creating transaction carry its creation time: those were
    imported (``checklist create --from``), not answered in the checklist."""
    template = template_by_hash(checklist.template_hash)
    created = checklist.created_at
    events = [
        AnswerEvent(item_id, parse_utc(at), value, imported=at <= created)
        for item_id, value, at in history
    ]
    record = RecordTimes(
        checklist_id=checklist.id,
        status=checklist.status,
        started_at=parse_utc(created),
        planned_start=planned_start_utc(checklist.planned_start, checklist.timezone),
        events=events,
    )
    return completion(record, thresholds_of(template))


def completion_of(checklist_id: int) -> Completion:
    """One record's completion pattern, inside the caller's read (export, record view)."""
    checklist = Checklist.get_by_id(checklist_id)
    return _completion(checklist, _history([checklist_id]).get(checklist_id, []))


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
    audit.require(store, actor, "metrics")
    try:
        query = query.checked()
    except ValidationError as error:
        audit.record_refusal(store, actor.username, "metrics", None, error)
        raise
    with store.reading():
        result = _read_range(query)
    with store.transaction():
        audit.record(
            actor.username,
            "metrics",
            date_from=query.date_from,
            date_to=query.date_to,
            nurse=query.nurse,
            physician=query.physician,
            records=len(result),
        )
    return result


def _read_range(query: RangeQuery) -> list[RecordMetrics]:
    select = Checklist.select().where(
        Checklist.planned_start >= query.date_from,
        Checklist.planned_start < query.date_to + "T99",
    )
    if query.nurse:
        user = User.get_or_none(User.username == query.nurse)
        select = select.where(Checklist.created_by == (user.id if user else -1))
    if query.physician:
        select = select.where(Checklist.physician == query.physician)
    checklists = list(select.order_by(Checklist.planned_start, Checklist.id))
    ids = [c.id for c in checklists]
    history = _history(ids)
    names = {u.id: u.username for u in User.select(User.id, User.username)}
    reasons = _postponed_reasons(ids)
    acknowledged = _acknowledged(ids)
    result = []
    for checklist in checklists:
        template = template_by_hash(checklist.template_hash)
        stops: tuple[str, ...] = ()
        if checklist.status == "postponed":
            stops = _stops_of(checklist)
        acks = tuple(acknowledged.get(checklist.id, ()))
        labels = {}
        for item_id in (*stops, *acks):
            item = template.item(item_id)
            labels[item_id] = item.label if item else item_id
        result.append(
            RecordMetrics(
                completion=_completion(checklist, history.get(checklist.id, [])),
                planned_start=checklist.planned_start,
                patient_name=checklist.patient_name,
                mrn=checklist.mrn,
                started_by=names.get(checklist.created_by_id, ""),
                physician=checklist.physician,
                postponed_reason=reasons.get(checklist.id, ""),
                stops=stops,
                acknowledged=acks,
                labels=labels,
            )
        )
    return result


def _stops_of(checklist: Checklist) -> tuple[str, ...]:
    from vpchecklist.rules import evaluate
    from vpchecklist.services.checklists import document

    ev = evaluate(template_of(checklist), document(checklist))
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
