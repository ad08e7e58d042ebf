"""The event chain: every audit event is hashed together with the one before it.

One place appends a link (``append``) and one reads the head (``head``), so the services, the
schema migration that chains older events, and ``audit verify`` agree byte for byte.
Appending runs inside the caller's write transaction (``Store.transaction`` or a migration:
SQLite's ``BEGIN IMMEDIATE``, or on PostgreSQL the transaction-level advisory write lock both
take first): writers are serialised, so the chain never forks or reorders, and the unique
``seq`` refuses a second link with the same number.
"""

from __future__ import annotations

from dataclasses import dataclass

from vpchecklist.canonical import GENESIS_HASH, chain_hash, event_text
from vpchecklist.clock import utc_now
from vpchecklist.store.models import AuditEvent


@dataclass(frozen=True)
class Head:
    """The newest link of the event chain (seq 0 and the genesis hash when there is none)."""

    seq: int
    hash: str
    at: str


def head() -> Head:
    last = (
        AuditEvent.select(AuditEvent.seq, AuditEvent.event_hash, AuditEvent.at)
        .where(AuditEvent.seq.is_null(False))
        .order_by(AuditEvent.seq.desc())
        .first()
    )
    if last is None:
        return Head(0, GENESIS_HASH, "")
    return Head(last.seq, last.event_hash, last.at)


def append(
    username: str | None,
    action: str,
    outcome: str,
    checklist_id: int | None,
    detail: str,
    subject: str | None = None,
    at: str | None = None,
) -> Head:
    """Append one event as the next link; returns the new head."""
    previous = head()
    seq = previous.seq + 1
    when = at or utc_now()
    digest = chain_hash(
        previous.hash,
        event_text(seq, when, username, action, outcome, checklist_id, subject, detail),
    )
    AuditEvent.insert(
        seq=seq,
        at=when,
        username=username,
        action=action,
        outcome=outcome,
        checklist_id=checklist_id,
        detail=detail,
        subject=subject,
        prev_hash=previous.hash,
        event_hash=digest,
    ).execute()
    return Head(seq, digest, when)


def link_hash(event: AuditEvent, prev_hash: str) -> str:
    """What ``event_hash`` must be for ``event`` chained after ``prev_hash``."""
    return chain_hash(
        prev_hash,
        event_text(
            event.seq or 0,
            event.at,
            event.username,
            event.action,
            event.outcome,
            event.checklist_id,
            event.subject,
            event.detail,
        ),
    )
