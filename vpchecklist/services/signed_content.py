"""What a signature covers, built in one place for signing and for verification.

Signing stores the canonical JSON of this content; ``verify_chain`` rebuilds it from the live
rows with the same functions. Two builders would drift (a field added to one makes every
record look tampered), so there is exactly one of each.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from vpchecklist.canonical import canonical_json
from vpchecklist.services.records import header_of
from vpchecklist.store.models import Acknowledgement, Addendum, Answer, Checklist, User

MEANINGS = {
    "ready": "Pre-procedure checks completed — ready for procedure",
    "postponed": "Not ready — procedure postponed",
    "addendum": "Addendum to the signed record",
}


def signature_block(
    signer: str,
    printed_name: str,
    role: str,
    meaning: str,
    reason: str | None,
    signed_at: str,
) -> dict[str, Any]:
    """The signature manifestation (21 CFR Part 11 §11.50): who, in which role, meaning what,
    when — the part of the signed content that describes the signature itself."""
    return {
        "signer": signer,
        "printed_name": printed_name,
        "role": role,
        "meaning": meaning,
        "meaning_text": MEANINGS.get(meaning, meaning),
        "reason": reason,
        "signed_at": signed_at,
    }


class UserNames:
    """Usernames by id, read once per content build (a record names the same few users)."""

    def __init__(self) -> None:
        self._names: dict[int, str] = {}

    def __call__(self, user_id: int) -> str:
        if user_id not in self._names:
            user = User.get_or_none(User.id == user_id)
            self._names[user_id] = user.username if user else f"<missing user {user_id}>"
        return self._names[user_id]


def record_content(checklist: Checklist, signature: dict[str, Any]) -> dict[str, Any]:
    """What a record signature covers: header, template, every answer and acknowledgement."""
    name = UserNames()
    answers = [
        {
            "item": a.item_id,
            "value": json.loads(a.value),
            "answered_by": name(a.answered_by_id),
            "answered_at": a.answered_at,
            # Only where recorded (the wristband check), so records without one hash as before.
            **({"provenance": a.provenance} if a.provenance else {}),
        }
        for a in Answer.select().where(Answer.checklist == checklist.id).order_by(Answer.item_id)
    ]
    acks = [
        {
            "item": a.item_id,
            "warning": a.warning,
            "reason": a.reason,
            "physician_informed": a.physician_informed,
            "acknowledged_by": name(a.acknowledged_by_id),
            "acknowledged_at": a.acknowledged_at,
        }
        for a in Acknowledgement.select()
        .where(Acknowledgement.checklist == checklist.id)
        .order_by(Acknowledgement.item_id)
    ]
    return {
        "type": "record",
        "checklist_id": checklist.id,
        "template": {
            "id": checklist.template_id,
            "version": checklist.template_version,
            "hash": checklist.template_hash,
        },
        "header": header_of(checklist),
        "created_by": name(checklist.created_by_id),
        "created_at": checklist.created_at,
        "answers": answers,
        "acknowledgements": acks,
        "signature": signature,
    }


def addendum_content(
    addendum: Addendum, references: str, signature: dict[str, Any]
) -> dict[str, Any]:
    """What an addendum signature covers: its text, author, time and the record hash it amends."""
    return {
        "type": "addendum",
        "checklist_id": addendum.checklist_id,
        "addendum_id": addendum.id,
        "text": addendum.text,
        "author": UserNames()(addendum.author_id),
        "created_at": addendum.created_at,
        "references": references,
        "signature": signature,
    }


def reviewed_sha256(content: dict[str, Any]) -> str:
    """The SHA-256 of a record's content without its signature block: what the signer saw."""
    unsigned = {key: value for key, value in content.items() if key != "signature"}
    return hashlib.sha256(canonical_json(unsigned).encode()).hexdigest()


def content_sha256(checklist: Checklist) -> str:
    """The hash of the record as it reads now (``checklist show``, the review page), which a
    signature compares with the live rows so it never covers answers the signer did not see."""
    return reviewed_sha256(record_content(checklist, {}))
