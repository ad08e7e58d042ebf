"""Audit events: every write, sign-in, refusal and export leaves one row (append-only), each a
link of one hash chain (``store.events``); signatures also anchor the chain head outside the
database (``store.anchor``) once their transaction commits."""

from __future__ import annotations

import json
import logging
from typing import Any

from vpchecklist.errors import PermissionDenied, StorageError, VPError
from vpchecklist.services.actors import Actor, refusal
from vpchecklist.services.roles import VERB_WORDS, allowed
from vpchecklist.store import Store, anchor
from vpchecklist.store import events as chain
from vpchecklist.store.connection import after_commit
from vpchecklist.store.models import AuditEvent, User

#: Events after which the chain head is written to the external anchor file.
ANCHORED_ACTIONS = frozenset({"sign", "addendum", "restore"})

log = logging.getLogger(__name__)


def record(
    username: str | None,
    action: str,
    outcome: str = "ok",
    checklist_id: int | None = None,
    **detail: object,
) -> None:
    """Append an audit event inside the caller's transaction."""
    _append(username, action, outcome, checklist_id, None, detail)


def record_change(username: str | None, action: str, subject: str, **detail: object) -> None:
    """Audit a change of a user (``user:NAME``), the settings (``settings``) or the active
    template (``template``) BEFORE making it: the triggers on those tables let the change in
    only right after its event, and ``audit verify`` replays these events against the rows."""
    _append(username, action, "ok", None, subject, detail)


def record_user_change(username: str | None, action: str, user: User, **detail: object) -> None:
    """``record_change`` for an account, carrying its state after the change."""
    record_change(username, action, f"user:{user.username}", state=user.audited_state(), **detail)


def _append(
    username: str | None,
    action: str,
    outcome: str,
    checklist_id: int | None,
    subject: str | None,
    detail: dict[str, object],
) -> None:
    text = json.dumps(detail, sort_keys=True, ensure_ascii=False) if detail else ""
    chain.append(username, action, outcome, checklist_id, text, subject)
    if outcome == "ok" and action in ANCHORED_ACTIONS:
        after_commit(lambda: _anchor(action))


def record_refusal(
    store: Store, username: str | None, action: str, checklist_id: int | None, error: VPError
) -> None:
    """Audit a refused action in its own transaction (the action's own was rolled back)."""
    try:
        with store.transaction():
            record(username, action, "refused", checklist_id, reason=str(error))
    except StorageError:
        log.warning("could not audit a refusal of %s", action)


def _anchor(action: str) -> None:
    anchor.append_current(action)


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
        query = AuditEvent.select().order_by(AuditEvent.seq)
        if checklist_id is not None:
            query = query.where(AuditEvent.checklist_id == checklist_id)
        if limit:
            query = query.limit(limit)
        return [
            {
                "id": e.id,
                "seq": e.seq,
                "at": e.at,
                "user": e.username,
                "action": e.action,
                "outcome": e.outcome,
                "checklist_id": e.checklist_id,
                "detail": json.loads(e.detail) if e.detail else {},
            }
            for e in query
        ]
