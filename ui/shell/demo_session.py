"""``--demo``: fill a throw-away database with the core's demo checklists, plus a few drafts
planned for today so the worklist has something to resume. Runs on a worker thread."""

from __future__ import annotations

import random
import threading
from datetime import datetime, timedelta

from vpchecklist import demo
from vpchecklist.services import checklists
from vpchecklist.store import Store

DEMO_COUNT = 20
_TODAY_LEVELS = (["L2"], ["T12", "L1"], ["T8"], ["L4"])


def seed_demo(
    store: Store,
    count: int = DEMO_COUNT,
    seed: int | None = 7,
    cancel: threading.Event | None = None,
) -> int:
    """Returns how many checklists were created; stops early when ``cancel`` is set."""
    created = 0
    for _ in demo.generate(store, count, seed):
        created += 1
        if cancel is not None and cancel.is_set():
            return created
    nurse = demo.ensure_demo_users(store)["demo.nurse"]
    rng = random.Random(seed)
    start = datetime.now().replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    for n, levels in enumerate(_TODAY_LEVELS):
        planned = min(start + timedelta(hours=n), start.replace(hour=23))
        document = demo.demo_document(rng, planned, levels, "clean")
        answers = list(document["answers"].items())
        document["answers"] = dict(answers[: rng.randint(0, len(answers) // 2)])
        document["acknowledgements"] = {}
        checklists.create_from_document(store, nurse, document, is_demo=True)
        created += 1
    return created
