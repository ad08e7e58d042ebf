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
from vpchecklist.store.models import Addendum, Checklist, database

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


_USERNAME = 'SELECT username FROM "user" WHERE id = ?'
# Fixed SQL, not peewee queries: signing and every ``audit verify`` build this content for each
# record, and peewee's statement building and row objects cost more than the reads themselves.
_ANSWERS = (
    "SELECT item_id, value, answered_by_id, answered_at, provenance FROM answer"
    " WHERE checklist_id = ? ORDER BY item_id"
)
_ACKNOWLEDGEMENTS = (
    "SELECT item_id, warning, reason, physician_informed, acknowledged_by_id, acknowledged_at"
    " FROM acknowledgement WHERE checklist_id = ? ORDER BY item_id"
)


class UserNames:
    """Usernames by id, read once per content build (a record names the same few users)."""

    def __init__(self) -> None:
        self._names: dict[int, str] = {}

    def __call__(self, user_id: int) -> str:
        if user_id not in self._names:
            row = database.execute_sql(_USERNAME, (user_id,)).fetchone()
            self._names[user_id] = row[0] if row else f"<missing user {user_id}>"
        return self._names[user_id]


def record_content(checklist: Checklist, signature: dict[str, Any]) -> dict[str, Any]:
    """What a record signature covers: header, template, every answer and acknowledgement."""
    name = UserNames()
    answers = [
        {
            "item": item_id,
            "value": json.loads(value),
            "answered_by": name(by),
            "answered_at": at,
            # Only where recorded (the wristband check), so records without one hash as before.
            **({"provenance": provenance} if provenance else {}),
        }
        for item_id, value, by, at, provenance in database.execute_sql(_ANSWERS, (checklist.id,))
    ]
    acks = [
        {
            "item": item_id,
            "warning": warning,
            "reason": reason,
            "physician_informed": physician,
            "acknowledged_by": name(by),
            "acknowledged_at": at,
        }
        for item_id, warning, reason, physician, by, at in database.execute_sql(
            _ACKNOWLEDGEMENTS, (checklist.id,)
        )
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
