"""Canonical JSON and hashing of signed content (spec §5): one byte-exact form everywhere."""

from __future__ import annotations

import hashlib
import json
from typing import Any

GENESIS_HASH = "0" * 64


def canonical_json(value: Any) -> str:
    """Sorted keys, no whitespace, UTF-8 as is: the form that is hashed and stored."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def chain_hash(prev_hash: str, content: str) -> str:
    """SHA-256 binding a signature's content to the previous signature's hash."""
    return hashlib.sha256(f"{prev_hash}\n{content}".encode()).hexdigest()


def event_text(
    seq: int,
    at: str,
    username: str | None,
    action: str,
    outcome: str,
    checklist_id: int | None,
    subject: str | None,
    detail: str,
) -> str:
    """The canonical form of one audit event, as hashed into the event chain."""
    return canonical_json(
        {
            "seq": seq,
            "at": at,
            "user": username,
            "action": action,
            "outcome": outcome,
            "checklist_id": checklist_id,
            "subject": subject,
            "detail": detail,
        }
    )


def digest(text: str) -> str:
    """A short SHA-256 of a secret-bearing value (a password hash) for the audit trail: it
    shows that the value changed without handing its salt and hash to the auditors."""
    return hashlib.sha256(text.encode()).hexdigest()[:32]
