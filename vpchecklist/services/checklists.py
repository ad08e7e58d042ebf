"""Checklist verbs before sign-off: start, answer, mark N/A, acknowledge; reading and search."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from peewee import SQL, Field, fn

from vpchecklist.clock import local_to_utc, local_zone_label, utc_now
from vpchecklist.errors import ValidationError
from vpchecklist.metrics import pattern_sentence
from vpchecklist.name_search import like_escaped, name_key
from vpchecklist.rules import Evaluation, evaluate, normalize_answer, parse_levels
from vpchecklist.rules.values import clean_text, normalize_header, parse_date
from vpchecklist.services import audit
from vpchecklist.services.actors import Actor
from vpchecklist.services.draft_rows import (
    answer_provenance,
    saved_request,
    update_summary,
    withdraw_acknowledgement,
    write_answer,
)
from vpchecklist.services.metrics import completion_of_rows
from vpchecklist.services.records import (
    document,
    document_from,
    draft_checklist,
    evaluate_stored,
    get_checklist,
    header_of,
    template_of,
)
from vpchecklist.services.retries import RetryNotice, new_request_id, with_retries
from vpchecklist.services.signed_content import content_sha256
from vpchecklist.services.signing import signatures_of
from vpchecklist.services.templates import active_template, ensure_stored, template_for_document
from vpchecklist.services.verbs import performing
from vpchecklist.store import Store
from vpchecklist.store.models import (
    Acknowledgement,
    Answer,
    AnswerHistory,
    Checklist,
    User,
)
from vpchecklist.templates import Template
from vpchecklist.wristband import BY_HAND, WRISTBAND_ITEM

STATUSES = ("draft", "signed", "postponed")


@dataclass(frozen=True)
class Header:
    patient_name: str
    date_of_birth: str
    mrn: str
    levels: list[str]
    planned_start: str
    physician: str


def parse_header(raw: dict[str, Any], template: Template) -> Header:
    """Validate the checklist header (spec §3) from the evaluate-file shape."""
    fields = normalize_header(raw)
    levels = parse_levels(raw.get("levels"), template)
    return Header(
        fields["patient.name"],
        fields["patient.date_of_birth"],
        fields["patient.mrn"],
        levels,
        fields["planned_start"],
        fields["physician"],
    )


def new_draft(
    actor: Actor, template: Template, header: Header, now: str, is_demo: bool, **summary: int
) -> Checklist:
    """The draft's row, inside the caller's transaction (with the template text it needs).
    Public for verbs that start a draft together with more writes (a scheduled visit)."""
    ensure_stored(template)
    return Checklist.create(
        template_hash=template.content_hash,
        template_id=template.id,
        template_version=template.version,
        patient_name=header.patient_name,
        search_name=name_key(header.patient_name),
        date_of_birth=header.date_of_birth,
        mrn=header.mrn,
        levels=json.dumps(header.levels),
        planned_start=header.planned_start,
        physician=header.physician,
        timezone=local_zone_label(),
        status="draft",
        created_by=actor.id,
        created_at=now,
        updated_at=now,
        is_demo=is_demo,
        **summary,
    )


def start_checklist(store: Store, actor: Actor, header: Header, is_demo: bool = False) -> int:
    with performing(store, actor, "create"):
        template = active_template()
        with store.transaction():
            checklist = new_draft(actor, template, header, utc_now(), is_demo)
            record_created(actor, checklist, template)
        return int(checklist.id)


def record_created(actor: Actor, checklist: Checklist, template: Template, **detail: Any) -> None:
    """The audit event of a new draft (inside the transaction that made it)."""
    audit.record(
        actor.username,
        "create",
        checklist_id=checklist.id,
        template=f"{template.id} v{template.version}",
        **detail,
    )


def progress_of(template: Template, ev: Evaluation) -> int:
    """Percent of required items answered (what the worklist shows)."""
    required = [i.id for i in template.items if i.required]
    if not required:
        return 100
    missing = set(ev.missing) & set(required)
    return round(100 * (len(required) - len(missing)) / len(required))


def _refresh_summary(
    checklist: Checklist, template: Template, ev: Evaluation | None = None
) -> Evaluation:
    """Keep the list columns (progress, warning count) in step; ``ev`` when already computed."""
    ev = ev or evaluate_stored(checklist)
    update_summary(checklist.id, utc_now(), progress_of(template, ev), len(ev.warnings))
    return ev


def _stored_text(value: Any) -> str:
    """The canonical JSON text an answer is stored as (and compared by)."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _store_answer(
    store: Store,
    actor: Actor,
    checklist_id: int,
    item_id: str,
    raw: Any,
    action: str,
    provenance: str | None,
    request_id: str,
) -> Evaluation:
    if provenance is None and item_id == WRISTBAND_ITEM:
        provenance = BY_HAND  # the scan verb says "scanned"; anything else was typed or clicked
    with performing(store, actor, "answer", checklist_id, action), store.transaction():
        if saved_request(request_id):  # an earlier attempt committed; its answer got lost
            return evaluate_stored(get_checklist(checklist_id))
        checklist = draft_checklist(checklist_id)
        template = template_of(checklist)
        item = template.item(item_id)
        if item is None:
            raise ValidationError(item_id, "unknown item id")
        value = normalize_answer(item, raw)
        doc = document(checklist)
        previous = doc["answers"].get(item_id)
        old = None if previous is None else _stored_text(previous)
        new = _stored_text(value)
        if old == new and answer_provenance(checklist_id, item_id) == provenance:
            return evaluate(template, doc)
        doc["answers"][item_id] = value
        # A changed value withdraws the item's acknowledgement (below), so judge without it.
        had_ack = doc["acknowledgements"].pop(item_id, None) is not None
        ev = evaluate(template, doc)
        errors = [f for f in ev.errors if f.item == item_id]
        if errors:
            raise ValidationError(item_id, errors[0].message)
        now = utc_now()
        value_utc = local_to_utc(value) if item.kind == "datetime" else None
        write_answer(
            checklist_id, item_id, old, new, value_utc, actor.id, now, provenance, request_id
        )
        # An acknowledgement covers the warning as it was; a changed value needs a new one.
        withdrawn = had_ack and withdraw_acknowledgement(checklist_id, item_id)
        _refresh_summary(checklist, template, ev)
        audit.record(
            actor.username,
            action,
            checklist_id=checklist_id,
            item=item_id,
            acknowledgement_withdrawn=bool(withdrawn),
            **({"provenance": provenance} if provenance else {}),
        )
        return ev


def answer(
    store: Store,
    actor: Actor,
    checklist_id: int,
    item_id: str,
    value: Any,
    provenance: str | None = None,
    request_id: str | None = None,
    notice: RetryNotice | None = None,
) -> Evaluation:
    """Save one answer (validated, history kept) and return the checklist's new evaluation.
    ``provenance`` says how a confirmation was made ("scanned" from the wristband scan verb).

    ``request_id`` (``retries.new_request_id()``, made by the caller once per save; one is made
    here when None) is stored with the save: the save is retried after a lost connection
    (``notice`` hears the sentence before each retry) and is never written twice."""
    rid = request_id or new_request_id()
    return with_retries(
        lambda: _store_answer(
            store, actor, checklist_id, item_id, value, "answer", provenance, rid
        ),
        "answer",
        notice,
    )


def mark_na(
    store: Store,
    actor: Actor,
    checklist_id: int,
    item_id: str,
    reason: str,
    request_id: str | None = None,
    notice: RetryNotice | None = None,
) -> Evaluation:
    """Mark an item not applicable with a reason (saved, retried and kept like ``answer``)."""
    rid = request_id or new_request_id()
    return with_retries(
        lambda: _store_answer(
            store, actor, checklist_id, item_id, {"na": reason}, "mark_na", None, rid
        ),
        "answer",
        notice,
    )


def clear_answer(store: Store, actor: Actor, checklist_id: int, item_id: str) -> Evaluation:
    """Withdraw an answer from a draft (kept in the history as old → none)."""
    with performing(store, actor, "answer", checklist_id, "clear_answer"), store.transaction():
        checklist = draft_checklist(checklist_id)
        existing = Answer.get_or_none(Answer.checklist == checklist_id, Answer.item_id == item_id)
        if existing is None:
            return evaluate_stored(checklist)
        Answer.delete().where(Answer.id == existing.id).execute()
        Acknowledgement.delete().where(
            Acknowledgement.checklist == checklist_id, Acknowledgement.item_id == item_id
        ).execute()
        AnswerHistory.create(
            checklist=checklist_id,
            item_id=item_id,
            old_value=existing.value,
            new_value=None,
            changed_by=actor.id,
            changed_at=utc_now(),
        )
        ev = _refresh_summary(checklist, template_of(checklist))
        audit.record(actor.username, "clear_answer", checklist_id=checklist_id, item=item_id)
        return ev


def acknowledge(
    store: Store,
    actor: Actor,
    checklist_id: int,
    item_id: str,
    reason: str,
    physician_informed: str,
) -> Evaluation:
    """Acknowledge the current warning(s) on an item with a reason and the physician informed."""
    with performing(store, actor, "acknowledge", checklist_id), store.transaction():
        checklist = draft_checklist(checklist_id)
        reason_text = clean_text(item_id, reason, "the acknowledgement reason")
        physician = clean_text(item_id, physician_informed, "the physician informed", 200)
        ev = evaluate_stored(checklist)
        messages = [w.message for w in ev.warnings if w.item == item_id]
        if not messages:
            raise ValidationError(item_id, "there is no warning to acknowledge on this item")
        Acknowledgement.delete().where(
            Acknowledgement.checklist == checklist_id, Acknowledgement.item_id == item_id
        ).execute()
        Acknowledgement.create(
            checklist=checklist_id,
            item_id=item_id,
            warning=" ".join(messages),
            reason=reason_text,
            physician_informed=physician,
            acknowledged_by=actor.id,
            acknowledged_at=utc_now(),
        )
        ev = _refresh_summary(checklist, template_of(checklist))
        audit.record(actor.username, "acknowledge", checklist_id=checklist_id, item=item_id)
        return ev


def evaluation(store: Store, actor: Actor, checklist_id: int) -> Evaluation:
    audit.require(store, actor, "read", checklist_id)
    with store.reading():
        return evaluate_stored(get_checklist(checklist_id))


def _user_names() -> dict[int, tuple[str, str]]:
    return {
        u.id: (u.username, u.full_name) for u in User.select(User.id, User.username, User.full_name)
    }


def template_for(store: Store, actor: Actor, checklist_id: int) -> Template:
    """The template a checklist was made with (not necessarily today's active one)."""
    audit.require(store, actor, "read", checklist_id)
    with store.reading():
        return template_of(get_checklist(checklist_id))


def detail(store: Store, actor: Actor, checklist_id: int, audited: bool = True) -> dict[str, Any]:
    """Everything about one checklist: header, answers, acknowledgements, signatures, addenda,
    history, the current evaluation and the record hash. Reading is audited."""
    audit.require(store, actor, "read", checklist_id)
    record = stored_detail(store, checklist_id)
    if audited:  # a person opening the record; internal re-reads (refresh, export) are not
        with store.transaction():
            audit.record(actor.username, "view", checklist_id=checklist_id)
    return record


_ANSWERS_SQL = (
    "SELECT item_id, value, answered_by_id, answered_at, value_utc, provenance "
    "FROM answer WHERE checklist_id = ?"
)
_ACKNOWLEDGEMENTS_SQL = (
    "SELECT item_id, warning, reason, physician_informed, acknowledged_by_id, acknowledged_at "
    "FROM acknowledgement WHERE checklist_id = ?"
)
_HISTORY_SQL = (
    "SELECT item_id, old_value, new_value, changed_by_id, changed_at "
    "FROM answer_history WHERE checklist_id = ? ORDER BY id"
)


def stored_detail(store: Store, checklist_id: int) -> dict[str, Any]:
    """``detail`` without a user: the record as stored, for checks made on nobody's behalf
    (``verify`` of an exported copy re-derives the copy from it). Writes nothing."""
    with store.reading():
        checklist = get_checklist(checklist_id)
        template = template_of(checklist)
        names = _user_names()
        who = lambda uid: names.get(uid, (f"user {uid}", ""))[0]  # noqa: E731
        # Fixed SQL, rows as tuples: building peewee queries and model objects was ~40 % of
        # an export's record read (issue 10: one PDF export ≤ 20 ms).
        answers = {
            item: {
                "value": json.loads(value),
                "answered_by": who(by),
                "answered_by_name": names.get(by, ("", ""))[1],
                "answered_at": at,
                "value_utc": value_utc,
                "provenance": provenance,
            }
            for item, value, by, at, value_utc, provenance in store.db.execute_sql(
                _ANSWERS_SQL, (checklist_id,)
            )
        }
        acks = {
            item: {
                "warning": warning,
                "reason": reason,
                "physician_informed": informed,
                "acknowledged_by": who(by),
                "acknowledged_by_name": names.get(by, ("", ""))[1],
                "acknowledged_at": at,
            }
            for item, warning, reason, informed, by, at in store.db.execute_sql(
                _ACKNOWLEDGEMENTS_SQL, (checklist_id,)
            )
        }
        history_rows: list[tuple[str, str | None, str | None, int, str]] = list(
            store.db.execute_sql(_HISTORY_SQL, (checklist_id,))
        )
        history = [
            {
                "item": item,
                "old": json.loads(old) if old else None,
                "new": json.loads(new) if new else None,
                "changed_by": who(changed_by),
                "changed_at": changed_at,
            }
            for item, old, new, changed_by, changed_at in history_rows
        ]
        signatures, addenda = signatures_of(checklist_id)
        ev = evaluate(
            template,
            document_from(
                checklist,
                {item: a["value"] for item, a in answers.items()},
                {
                    item: {"reason": a["reason"], "physician_informed": a["physician_informed"]}
                    for item, a in acks.items()
                },
            ),
        )
        # From the rows just read (the pattern is printed on the PDF and shown in the view).
        completion = completion_of_rows(
            checklist, [(item, new, at) for item, _, new, _, at in history_rows]
        )
        # Only a draft can still be signed (and a closed record's export stays one read lighter).
        shown = content_sha256(checklist) if checklist.status == "draft" else None
    return {
        "id": checklist.id,
        "status": checklist.status,
        "template": {
            "id": template.id,
            "version": template.version,
            "hash": template.content_hash,
            "title": template.title,
        },
        "header": header_of(checklist),
        "created_by": who(checklist.created_by_id),
        "created_at": checklist.created_at,
        "answers": answers,
        "acknowledgements": acks,
        "history": history,
        "signatures": signatures,
        "addenda": addenda,
        "evaluation": ev.to_json(),
        "record_hash": signatures[-1]["record_hash"] if signatures else None,
        # What a signer reviews: pass it back to sign(expect=…) to sign exactly this content.
        # None once closed.
        "content_sha256": shown,
        "is_demo": checklist.is_demo,
        # What the record view and the PDF print of how it was completed (never blocks signing).
        "completion_pattern": pattern_sentence(completion),
        "completion_rushed": completion.rushed,
    }


@dataclass
class Filters:
    status: str | None = None
    mrn: str | None = None
    text: str | None = None  # substring of patient name or MRN
    # Start of the patient's name or of any word of it, ignoring case and accents.
    name: str | None = None
    date_from: str | None = None  # planned start, YYYY-MM-DD inclusive
    date_to: str | None = None
    signer: str | None = None
    has_warnings: bool | None = None
    created_by: int | None = None
    open_only: bool = False


def _query(filters: Filters):  # type: ignore[no-untyped-def]
    query = Checklist.select()
    if filters.status:
        if filters.status not in STATUSES:
            raise ValidationError("status", f"status must be one of {', '.join(STATUSES)}")
        query = query.where(Checklist.status == filters.status)
    if filters.open_only:
        query = query.where(Checklist.status == "draft")
    if filters.mrn:
        query = query.where(Checklist.mrn == filters.mrn.strip())
    if filters.text:
        like = f"%{filters.text.strip()}%"
        query = query.where(Checklist.patient_name**like | Checklist.mrn**like)
    if filters.name and name_key(filters.name):
        key = like_escaped(name_key(filters.name))
        # One pattern for the start of the name or of any later word: one pass over the keys.
        query = query.where(SQL("(' ' || search_name) LIKE ? ESCAPE '\\'", (f"% {key}%",)))
    if filters.date_from:
        query = query.where(Checklist.planned_start >= filters.date_from)
    if filters.date_to:
        query = query.where(Checklist.planned_start < filters.date_to + "T99")
    if filters.signer:
        query = query.where(Checklist.signed_by_name ** f"%{filters.signer.strip()}%")
    if filters.has_warnings is not None:
        query = query.where((Checklist.warning_count > 0) == filters.has_warnings)
    if filters.created_by is not None:
        query = query.where(Checklist.created_by == filters.created_by)
    return query


def _check_filter_dates(filters: Filters) -> None:
    for name in ("date_from", "date_to"):
        value = getattr(filters, name)
        if value:
            parse_date(name.replace("_", " "), value, today=date.max)


SUMMARY_FIELDS = (
    Checklist.id,
    Checklist.mrn,
    Checklist.patient_name,
    Checklist.date_of_birth,
    Checklist.levels,
    Checklist.planned_start,
    Checklist.physician,
    Checklist.status,
    Checklist.progress,
    Checklist.warning_count,
    Checklist.signed_by_name,
    Checklist.signed_at,
    Checklist.template_version,
    Checklist.created_at,
)


def summary_of(row: tuple[Any, ...]) -> dict[str, Any]:
    (
        cid,
        mrn,
        name,
        dob,
        levels,
        planned,
        physician,
        status,
        progress,
        warnings,
        signer,
        signed_at,
        template_version,
        created_at,
    ) = row
    return {
        "id": cid,
        "mrn": mrn,
        "patient_name": name,
        "date_of_birth": dob,
        "levels": json.loads(levels),
        "planned_start": planned,
        "physician": physician,
        "status": status,
        "progress": progress,
        "warning_count": warnings,
        "signed_by": signer,
        "signed_at": signed_at,
        "template_version": template_version,
        "created_at": created_at,
    }


def count(store: Store, actor: Actor, filters: Filters | None = None) -> int:
    audit.require(store, actor, "read")
    filters = filters or Filters()
    _check_filter_dates(filters)
    with store.reading():
        # COUNT(*) on the table itself, not peewee's count() of a wrapped sub-select: without
        # filters SQLite then counts index pages (~0.05 ms at 100,000 records instead of ~2 ms).
        return int(_query(filters).select(fn.COUNT(SQL("*"))).scalar() or 0)


#: What a records table may sort on (summary key -> column); each has an index (schema v5).
SORTABLE: dict[str, Field] = {
    "id": Checklist.id,
    "patient_name": Checklist.search_name,
    "date_of_birth": Checklist.date_of_birth,
    "mrn": Checklist.mrn,
    "levels": Checklist.levels,
    "planned_start": Checklist.planned_start,
    "status": Checklist.status,
    "warning_count": Checklist.warning_count,
    "signed_by": Checklist.signed_by_name,
    "signed_at": Checklist.signed_at,
}


def search(
    store: Store,
    actor: Actor,
    filters: Filters | None = None,
    limit: int = 0,
    offset: int = 0,
    newest_first: bool = True,
    sort: str = "planned_start",
) -> list[dict[str, Any]]:
    """Checklist summaries ordered by ``sort`` (a ``SORTABLE`` key; newest or largest first
    unless ``newest_first`` is false), in the database; ``limit`` 0 means all."""
    audit.require(store, actor, "read")
    filters = filters or Filters()
    _check_filter_dates(filters)
    if sort not in SORTABLE:
        raise ValidationError("sort", f"sort must be one of {', '.join(SORTABLE)}")
    column = SORTABLE[sort]
    with store.reading():
        order = column.desc() if newest_first else column.asc()
        tie = Checklist.id.desc() if newest_first else Checklist.id.asc()
        query = _query(filters).select(*SUMMARY_FIELDS).order_by(order, tie)
        if limit:
            query = query.limit(limit).offset(offset)
        return [summary_of(row) for row in query.tuples()]


def _creatable(template: Template, doc: Any) -> Evaluation:
    """The document's evaluation when it may become a draft: no errors, a complete header."""
    ev = evaluate(template, doc)
    if ev.errors:
        first = ev.errors[0]
        more = f" (and {len(ev.errors) - 1} more)" if len(ev.errors) > 1 else ""
        raise ValidationError(first.item, first.message + more)
    header_missing = [
        m
        for m in ev.missing
        if m.startswith("patient.") or m in ("levels", "planned_start", "physician")
    ]
    if header_missing:
        raise ValidationError(header_missing[0], "is missing from the checklist header")
    return ev


def _header_of_evaluation(ev: Evaluation) -> Header:
    return Header(
        ev.header["patient.name"],
        ev.header["patient.date_of_birth"],
        ev.header["patient.mrn"],
        ev.levels or [],  # present: _creatable refused a header without levels
        ev.header["planned_start"],
        ev.header["physician"],
    )


def _insert_answers(
    checklist_id: int, template: Template, ev: Evaluation, actor: Actor, now: str
) -> int:
    """Every answer of a new draft with its first history entry; returns how many."""
    kinds = {item.id: item.kind for item in template.items}
    rows = []
    history = []
    for item_id, value in ev.answers.items():
        text = _stored_text(value)
        utc = local_to_utc(value) if kinds[item_id] == "datetime" else None
        rows.append(
            {
                "checklist": checklist_id,
                "item_id": item_id,
                "value": text,
                "value_utc": utc,
                "answered_by": actor.id,
                "answered_at": now,
            }
        )
        history.append(
            {
                "checklist": checklist_id,
                "item_id": item_id,
                "old_value": None,
                "new_value": text,
                "changed_by": actor.id,
                "changed_at": now,
            }
        )
    if rows:
        Answer.insert_many(rows).execute()
        AnswerHistory.insert_many(history).execute()
    return len(rows)


def _insert_acknowledgements(
    checklist_id: int, ev: Evaluation, acks: dict[str, Any], actor: Actor, now: str
) -> int:
    """The document's acknowledgements of warnings the record really has; returns how many."""
    warned = {w.item: w.message for w in ev.warnings}
    rows = [
        {
            "checklist": checklist_id,
            "item_id": item_id,
            "warning": warned[item_id],
            "reason": ack["reason"].strip(),
            "physician_informed": ack["physician_informed"].strip(),
            "acknowledged_by": actor.id,
            "acknowledged_at": now,
        }
        for item_id, ack in acks.items()
        if item_id in warned
    ]
    if rows:
        Acknowledgement.insert_many(rows).execute()
    return len(rows)


def create_from_document(store: Store, actor: Actor, doc: Any, is_demo: bool = False) -> int:
    """Store a draft with its answers and acknowledgements from an ``evaluate``-shaped file.

    One transaction and one audit event. A document with errors is refused whole (nothing is
    written); missing items and warnings are fine in a draft.
    """
    with performing(store, actor, "create"):
        with store.reading():
            template = template_for_document(doc)
        ev = _creatable(template, doc)
        now = utc_now()
        with store.transaction():
            checklist = new_draft(
                actor,
                template,
                _header_of_evaluation(ev),
                now,
                is_demo,
                progress=progress_of(template, ev),
                warning_count=len(ev.warnings),
            )
            answers = _insert_answers(checklist.id, template, ev, actor, now)
            acks = doc.get("acknowledgements") or {}
            acknowledged = _insert_acknowledgements(checklist.id, ev, acks, actor, now)
            audit.record(
                actor.username,
                "create",
                checklist_id=checklist.id,
                answers=answers,
                acknowledgements=acknowledged,
                template=f"{template.id} v{template.version}",
            )
        return int(checklist.id)
