"""Audit events: every write, sign-in, refusal and export leaves one row (append-only)."""

from __future__ import annotations

import json
import logging
from typing import Any

from vpchecklist.clock import utc_now
from vpchecklist.errors import PermissionDenied, StorageError, VPError
from vpchecklist.services.actors import Actor, refusal
from vpchecklist.services.roles import VERB_WORDS, allowed
from vpchecklist.store import Store
from vpchecklist.store.models import AuditEvent

log = logging.getLogger(__name__)


def record(
    username: str | None,
    action: str,
    outcome: str = "ok",
    checklist_id: int | None = None,
    **detail: object,
) -> None:
    """Append an audit event inside the caller's transaction."""
    AuditEvent.insert(
        at=utc_now(),
        username=username,
        action=action,
        outcome=outcome,
        checklist_id=checklist_id,
        detail=json.dumps(detail, sort_keys=True, ensure_ascii=False) if detail else "",
    ).execute()


def record_refusal(
    store: Store, username: str | None, action: str, checklist_id: int | None, error: VPError
) -> None:
    """Audit a refused action in its own transaction (the action's own was rolled back)."""
    try:
        with store.transaction():
            record(username, action, "refused", checklist_id, reason=str(error))
    except StorageError:
        log.warning("could not audit a refusal of %s", action)


def require(store: Store, actor: Actor, verb: str, checklist_id: int | None = None) -> None:
    """Refuse (and audit) a verb the actor's role does not allow, or any verb once the account
    was disabled or its role changed since the session began."""
    with store.reading():
        error: VPError | None = refusal(actor)
    if error is None and not allowed(actor.role, verb):
        error = PermissionDenied(f"Your role ({actor.role}) cannot {VERB_WORDS[verb]}.")
    if error is not None:
        record_refusal(store, actor.username, verb, checklist_id, error)
        raise error


def events(
    store: Store, actor: Actor, checklist_id: int | None = None, limit: int = 0
) -> list[dict[str, Any]]:
    if checklist_id is None:
        require(store, actor, "audit_log")
    elif not (allowed(actor.role, "audit_log") or allowed(actor.role, "read")):
        require(store, actor, "audit_log", checklist_id)
    with store.reading():
        query = AuditEvent.select().order_by(AuditEvent.id)
        if checklist_id is not None:
            query = query.where(AuditEvent.checklist_id == checklist_id)
        if limit:
            query = query.limit(limit)
        return [
            {
                "id": e.id,
                "at": e.at,
                "user": e.username,
                "action": e.action,
                "outcome": e.outcome,
                "checklist_id": e.checklist_id,
                "detail": json.loads(e.detail) if e.detail else {},
            }
            for e in query
        ]
