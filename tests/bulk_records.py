"""Many complete records fast, for UI tests and benchmarks: a few real signed demo checklists
(``demo.generate``, ~0.2 s each: answered item by item) cloned with ``insert_many`` (answers, acknowledgements and
signatures included), so each clone exports to a complete PDF; answer history and the
completion summary are cloned too, so each clone has the completion pattern of its original.

The clones' signature hashes are unique but not a valid chain: use them for lists and exports,
never for ``verify_chain``.
"""

from __future__ import annotations

import hashlib
import itertools
from typing import Any

from peewee import fn

from vpchecklist import demo
from vpchecklist.name_search import name_key
from vpchecklist.store import Store
from vpchecklist.store.models import (
    Acknowledgement,
    Answer,
    AnswerHistory,
    Checklist,
    CompletionSummary,
    Signature,
)

_NAMES = ["Łucja Nowak-Żółć", "Nguyễn Thị Hạnh", "Ingrid Müller", "José García", "Siobhán O'Brien"]


def _rows(model: Any, checklist_id: int) -> list[dict[str, Any]]:
    rows = list(model.select().where(model.checklist == checklist_id).dicts())
    for row in rows:
        row.pop("id", None)
        row.pop("request_id", None)  # one write per request id: a clone is no retry
    return rows


def make_records(
    store: Store, count: int, seed: int = 7, real: int = 3, header_only: bool = False
) -> list[int]:
    """``count`` closed checklists: ``real`` generated and signed, the rest cloned from them.

    ``header_only`` clones only the checklist rows (enough for the table, ~100k in seconds).
    """
    originals = list(demo.generate(store, min(real, count), seed=seed))
    ids = list(originals)
    remaining = count - len(ids)
    if remaining <= 0:
        return ids
    sources = []
    for cid in originals:
        checklist = Checklist.select().where(Checklist.id == cid).dicts().get()
        sources.append(
            {
                "checklist": checklist,
                "answers": _rows(Answer, cid),
                "acks": _rows(Acknowledgement, cid),
                "signatures": _rows(Signature, cid),
                "history": _rows(AnswerHistory, cid),
                "summaries": list(
                    CompletionSummary.select().where(CompletionSummary.checklist == cid).dicts()
                ),
            }
        )
    batch = 500
    with store.transaction():
        next_id = (Checklist.select(fn.MAX(Checklist.id)).scalar() or 0) + 1
        next_seq = (Signature.select(fn.MAX(Signature.seq)).scalar() or 0) + 1
        cycle = itertools.cycle(sources)
        made: list[int] = []
        for start in range(0, remaining, batch):
            chunk = range(start, min(start + batch, remaining))
            checklists, answers, acks, signatures, closed = [], [], [], [], []
            history: list[dict[str, Any]] = []
            summaries: list[dict[str, Any]] = []
            for n in chunk:
                source = next(cycle)
                cid = next_id + n
                row = dict(source["checklist"])
                name = f"{_NAMES[n % len(_NAMES)]} {n}"
                row.update(
                    id=cid,
                    patient_name=name,
                    search_name=name_key(name),
                    mrn=f"MRN{500000 + n}",
                    planned_start=f"{2020 + n % 6}-{1 + n % 12:02d}-{1 + n % 28:02d}T"
                    f"{7 + n % 10:02d}:00",
                )
                closed.append((cid, row["status"]))
                row["status"] = "draft"  # answers may only be inserted into drafts
                checklists.append(row)
                if header_only:
                    continue
                answers += [dict(a, checklist=cid) for a in source["answers"]]
                acks += [dict(a, checklist=cid) for a in source["acks"]]
                history += [dict(h, checklist=cid) for h in source["history"]]
                summaries += [dict(e, checklist=cid) for e in source["summaries"]]
                for signature in source["signatures"]:
                    digest = hashlib.sha256(f"{signature['record_hash']}{cid}".encode()).hexdigest()
                    signatures.append(
                        dict(signature, checklist=cid, seq=next_seq, record_hash=digest)
                    )
                    next_seq += 1
            Checklist.insert_many(checklists).execute()
            for model, rows in (
                (Answer, answers),
                (Acknowledgement, acks),
                (Signature, signatures),
                (AnswerHistory, history),
                (CompletionSummary, summaries),
            ):
                for part in range(0, len(rows), 2000):
                    model.insert_many(rows[part : part + 2000]).execute()
            for status in ("signed", "postponed"):
                wanted = [cid for cid, s in closed if s == status]
                if wanted:
                    Checklist.update(status=status).where(Checklist.id.in_(wanted)).execute()
            made += [cid for cid, _ in closed]
    return ids + made
