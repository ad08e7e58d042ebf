"""The shape every audited verb shares: role check, the work, a refusal audited.

A verb is written as::

    with performing(store, actor, "answer", checklist_id):
        with store.transaction():
            ...  # validate and write
            audit.record(actor.username, "answer", checklist_id=checklist_id, ...)

``performing`` refuses (and audits) an actor who may not perform the verb before any work, and
audits any ``VPError`` the work raises as a refusal of the action, in its own transaction
(the work's was rolled back). The work's own success event stays in its transaction so the
write and its audit row commit together.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from vpchecklist.errors import ConnectionLost, VPError
from vpchecklist.services import audit
from vpchecklist.services.actors import Actor
from vpchecklist.store import Store


@contextlib.contextmanager
def performing(
    store: Store,
    actor: Actor,
    verb: str,
    checklist_id: int | None = None,
    action: str | None = None,
) -> Iterator[None]:
    """Run one audited verb: ``verb`` names the permission, ``action`` (default ``verb``) the
    audit event a refusal is recorded under (``mark_na`` is permitted as ``answer``)."""
    audit.require(store, actor, verb, checklist_id)
    try:
        yield
    except ConnectionLost:
        raise  # not a refusal: the server went away; the caller retries (``services.retries``)
    except VPError as error:
        audit.record_refusal(store, actor.username, action or verb, checklist_id, error)
        raise
