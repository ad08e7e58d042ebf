"""Checklists answered item by item at chosen moments (an injected clock), for the metrics,
dashboard and report tests: the answer times are what the completion metrics read."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tests.documents import LUMBAR_ANSWERS
from vpchecklist.clock import ManualClock, using_clock
from vpchecklist.services import Actor, checklists, signing
from vpchecklist.store import Store

HEADER: dict[str, Any] = {
    "patient": {"name": "Jane Doe", "date_of_birth": "1948-03-02", "mrn": "MRN-0001"},
    "levels": ["L2"],
    "planned_start": "2026-03-10T10:00",
    "physician": "Dr Example",
}


def walk(
    store: Store,
    actor: Actor,
    gap: float,
    *,
    start: datetime,
    header: dict[str, Any] | None = None,
    answers: dict[str, Any] | None = None,
    sign: tuple[str, str | None] | None = None,
    password: str = "",
) -> int:
    """Start a checklist at ``start`` and answer every item ``gap`` seconds apart through the
    services; ``sign=(meaning, reason)`` signs it right after the last answer."""
    clock = ManualClock(start)
    with using_clock(clock):
        cid = checklists.create_from_document(store, actor, {**(header or HEADER), "answers": {}})
        for item, value in (answers or LUMBAR_ANSWERS).items():
            clock.advance(gap)
            checklists.answer(store, actor, cid, item, value)
        if sign is not None:
            clock.advance(30)
            signing.sign(store, actor, cid, password, sign[0], sign[1])
    return cid
