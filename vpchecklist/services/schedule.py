"""The schedule verbs: import HL7 messages, list the coming visits, start a checklist from one.

An import is one transaction and one audit event for the whole file: every message is read and
checked first (``schedule.messages``), so a refused message changes nothing and the others are
stored whole. The audit event holds counts and the refused messages' control ids and reasons,
never a name or an MRN.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from vpchecklist.clock import utc_now
from vpchecklist.errors import NotFound, ValidationError
from vpchecklist.schedule.messages import (
    Refusal,
    ScheduledVisit,
    decode,
    read_message,
    split_messages,
)
from vpchecklist.services import audit
from vpchecklist.services.actors import Actor
from vpchecklist.services.checklists import Header, new_draft, record_created
from vpchecklist.services.settings import schedule_rules
from vpchecklist.services.templates import active_template
from vpchecklist.services.verbs import performing
from vpchecklist.store import Store
from vpchecklist.store.models import Appointment

# The header fields a scheduled visit fixes: changing one needs a reason (and is audited).
IDENTITY_FIELDS = ("patient_name", "date_of_birth", "mrn")
IDENTITY_WORDS = {"patient_name": "name", "date_of_birth": "date of birth", "mrn": "MRN"}


@dataclass
class ImportSummary:
    added: int = 0
    updated: int = 0
    cancelled: int = 0
    refused: list[Refusal] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)  # (control id, note)

    def counts(self) -> dict[str, int]:
        return {
            "added": self.added,
            "updated": self.updated,
            "cancelled": self.cancelled,
            "refused": len(self.refused),
        }


def _store_visit(visit: ScheduledVisit, summary: ImportSummary, now: str) -> None:
    """Apply one checked message inside the import's transaction."""
    existing = Appointment.get_or_none(Appointment.key == visit.key)
    if existing is not None and existing.mrn.casefold() != visit.mrn.casefold():
        summary.refused.append(
            Refusal(visit.control_id, "it names another patient than the visit it changes")
        )
        return
    if visit.action == "cancel":
        if existing is None:
            summary.refused.append(Refusal(visit.control_id, "it cancels a visit never imported"))
            return
        Appointment.update(
            status="cancelled", message_control_id=visit.control_id, updated_at=now
        ).where(Appointment.id == existing.id).execute()
        summary.cancelled += 1
        return
    row = {
        "mrn": visit.mrn,
        "patient_name": visit.name,
        "date_of_birth": visit.date_of_birth,
        "planned_start": visit.planned_start,
        "physician": visit.physician,
        "levels": json.dumps(visit.levels),
        "message_control_id": visit.control_id,
        "updated_at": now,
    }
    if visit.note:
        summary.notes.append((visit.control_id, visit.note))
    if existing is None:
        Appointment.create(key=visit.key, status="scheduled", created_at=now, **row)
        summary.added += 1
        return
    if existing.status == "cancelled":  # booked again
        row["status"] = "started" if existing.checklist_id else "scheduled"
    Appointment.update(**row).where(Appointment.id == existing.id).execute()
    summary.updated += 1


def import_messages(store: Store, actor: Actor, text: str, source: str = "") -> ImportSummary:
    """Read every message of ``text`` (one file) and store the visits; ``source`` is the file
    name the audit event names."""
    with performing(store, actor, "create", action="schedule_import"):
        with store.reading():
            template = active_template()
        rules = schedule_rules(store)
        read = [read_message(message, rules, template) for message in split_messages(text)]
        summary = ImportSummary()
        summary.refused = [entry for entry in read if isinstance(entry, Refusal)]
        with store.transaction():
            now = utc_now()
            for entry in read:
                if isinstance(entry, ScheduledVisit):
                    _store_visit(entry, summary, now)
            audit.record(
                actor.username,
                "schedule_import",
                source=source,
                added=summary.added,
                updated=summary.updated,
                cancelled=summary.cancelled,
                refusals=[
                    {"control_id": r.control_id, "reason": r.reason} for r in summary.refused
                ],
            )
    return summary


MAX_FILE_BYTES = 20 * 1024 * 1024


def import_file(store: Store, actor: Actor, path: Path) -> ImportSummary:
    """``import_messages`` over a file; an unreadable or oversized file is one refusal sentence."""
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise ValidationError(None, f"{path.name} is larger than 20 MB; not a schedule file.")
        data = path.read_bytes()
    except OSError as exc:
        raise ValidationError(None, f"{path} cannot be read: {exc.strerror or exc}.") from None
    return import_messages(store, actor, decode(data), path.name)


def _as_dict(row: Appointment) -> dict[str, Any]:
    return {
        "id": row.id,
        "mrn": row.mrn,
        "name": row.patient_name,
        "date_of_birth": row.date_of_birth,
        "planned_start": row.planned_start,
        "physician": row.physician,
        "levels": json.loads(row.levels),
        "status": row.status,
        "checklist_id": row.checklist_id,
    }


def upcoming(
    store: Store, actor: Actor, day: date | None = None, only_day: bool = False
) -> list[dict[str, Any]]:
    """Visits planned from ``day`` (today) on, soonest first; ``only_day`` for that day alone
    (the worklist's "scheduled today")."""
    audit.require(store, actor, "read")
    first = (day or date.today()).isoformat()
    with store.reading():
        query = Appointment.select().where(Appointment.planned_start >= first)
        if only_day:
            query = query.where(Appointment.planned_start < first + "T99")
        return [_as_dict(row) for row in query.order_by(Appointment.planned_start, Appointment.id)]


def appointment(store: Store, actor: Actor, appointment_id: int) -> dict[str, Any]:
    audit.require(store, actor, "read")
    with store.reading():
        row = Appointment.get_or_none(Appointment.id == appointment_id)
    if row is None:
        raise NotFound(f"There is no scheduled visit {appointment_id}.")
    return _as_dict(row)


def changed_identity(visit: dict[str, Any], header: Header) -> list[str]:
    """The identity fields ``header`` changes from the scheduled visit's."""
    given = {
        "patient_name": header.patient_name,
        "date_of_birth": header.date_of_birth,
        "mrn": header.mrn,
    }
    scheduled = {
        "patient_name": visit["name"],
        "date_of_birth": visit["date_of_birth"],
        "mrn": visit["mrn"],
    }
    return [f for f in IDENTITY_FIELDS if given[f].strip() != str(scheduled[f]).strip()]


def start_from_appointment(
    store: Store,
    actor: Actor,
    appointment_id: int,
    header: Header,
    identity_reason: str = "",
) -> int:
    """Start the visit's checklist: the header as the nurse confirmed it; an identity field
    that differs from the schedule needs ``identity_reason`` and is named in the audit event."""
    with performing(store, actor, "create"):
        template = active_template()
        with store.transaction():
            row = Appointment.get_or_none(Appointment.id == appointment_id)
            if row is None:
                raise NotFound(f"There is no scheduled visit {appointment_id}.")
            if row.status != "scheduled":
                raise ValidationError(
                    None, f"The scheduled visit {appointment_id} is {row.status}, not waiting."
                )
            changed = changed_identity(_as_dict(row), header)
            reason = identity_reason.strip()
            if changed and not reason:
                words = ", ".join(IDENTITY_WORDS[f] for f in changed)
                raise ValidationError(
                    "identity", f"The {words} differs from the schedule: give a reason."
                )
            checklist = new_draft(actor, template, header, utc_now(), False)
            Appointment.update(
                status="started", checklist_id=checklist.id, updated_at=utc_now()
            ).where(Appointment.id == appointment_id).execute()
            detail: dict[str, Any] = {"appointment": appointment_id}
            if changed:
                detail.update(identity_changed=changed, reason=reason[:1000])
            record_created(actor, checklist, template, **detail)
        return int(checklist.id)
