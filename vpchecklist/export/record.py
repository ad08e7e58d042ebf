"""The record an export shows, read in one go without a separate "view" audit event.

This is ``services.checklists.detail`` minus its audit write: an export is audited once, as
``export``, by the caller, and skipping the extra write transaction (and its fsync) matters in a
bulk export. The shape is exactly ``detail``'s, so the PDF and the record view agree; if the
core grows an unaudited ``detail`` this module should simply call it.
"""

from __future__ import annotations

import json
from typing import Any

from vpchecklist.services import audit
from vpchecklist.services.actors import Actor
from vpchecklist.services.checklists import _evaluate_stored, _get, _user_names, template_of
from vpchecklist.store import Store
from vpchecklist.store.models import Acknowledgement, Answer, AnswerHistory
from vpchecklist.templates import Template


def load(store: Store, actor: Actor, checklist_id: int) -> tuple[dict[str, Any], Template]:
    """``(detail-shaped record, its template)``; refuses (audited) a role that cannot export."""
    from vpchecklist.services.signing import signatures_of

    audit.require(store, actor, "export", checklist_id)
    with store.reading():
        checklist = _get(checklist_id)
        template = template_of(checklist)
        names = _user_names()

        def who(uid: int) -> str:
            return names.get(uid, (f"user {uid}", ""))[0]

        def full(uid: int) -> str:
            return names.get(uid, ("", ""))[1]

        answers = {
            a.item_id: {
                "value": json.loads(a.value),
                "answered_by": who(a.answered_by_id),
                "answered_by_name": full(a.answered_by_id),
                "answered_at": a.answered_at,
                "value_utc": a.value_utc,
            }
            for a in Answer.select().where(Answer.checklist == checklist_id)
        }
        acks = {
            a.item_id: {
                "warning": a.warning,
                "reason": a.reason,
                "physician_informed": a.physician_informed,
                "acknowledged_by": who(a.acknowledged_by_id),
                "acknowledged_by_name": full(a.acknowledged_by_id),
                "acknowledged_at": a.acknowledged_at,
            }
            for a in Acknowledgement.select().where(Acknowledgement.checklist == checklist_id)
        }
        history = [
            {
                "item": h.item_id,
                "old": json.loads(h.old_value) if h.old_value else None,
                "new": json.loads(h.new_value) if h.new_value else None,
                "changed_by": who(h.changed_by_id),
                "changed_at": h.changed_at,
            }
            for h in AnswerHistory.select()
            .where(AnswerHistory.checklist == checklist_id)
            .order_by(AnswerHistory.id)
        ]
        signatures, addenda = signatures_of(checklist_id)
        ev = _evaluate_stored(checklist)
    record = {
        "id": checklist.id,
        "status": checklist.status,
        "template": {
            "id": template.id,
            "version": template.version,
            "hash": template.content_hash,
            "title": template.title,
        },
        "header": {
            "patient": {
                "name": checklist.patient_name,
                "date_of_birth": checklist.date_of_birth,
                "mrn": checklist.mrn,
            },
            "levels": json.loads(checklist.levels),
            "planned_start": checklist.planned_start,
            "physician": checklist.physician,
            "timezone": checklist.timezone,
        },
        "created_by": who(checklist.created_by_id),
        "created_at": checklist.created_at,
        "answers": answers,
        "acknowledgements": acks,
        "history": history,
        "signatures": signatures,
        "addenda": addenda,
        "evaluation": ev.to_json(),
        "record_hash": signatures[-1]["record_hash"] if signatures else None,
        "is_demo": checklist.is_demo,
    }
    return record, template
