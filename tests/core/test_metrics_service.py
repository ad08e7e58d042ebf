"""Completion metrics read from real records whose answers were saved at controlled times
(an injected clock), and the auditor-only range read."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.conftest import PASSWORDS
from tests.documents import LUMBAR_ANSWERS
from tests.walkthrough import HEADER, walk
from vpchecklist.clock import ManualClock, using_clock
from vpchecklist.errors import PermissionDenied, StorageError, ValidationError
from vpchecklist.metrics import planned_start_utc
from vpchecklist.services import Actor, checklists, signing
from vpchecklist.services import metrics as metrics_service
from vpchecklist.services.metrics import (
    SUMMARY_METHOD,
    RangeQuery,
    record_completion,
    records_in_range,
)
from vpchecklist.store import Store
from vpchecklist.store.models import AuditEvent, CompletionSummary


def planned_utc() -> datetime:
    planned = planned_start_utc(HEADER["planned_start"], "UTC (+00:00)")
    assert planned is not None
    return planned


def test_careful_walk_through_is_not_flagged(store: Store, actors: dict[str, Actor]) -> None:
    start = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
    cid = walk(store, actors["nurse"], 4.0, start=start)
    result = record_completion(store, actors["auditor"], cid)
    assert result.total_seconds == pytest.approx(4.0 * len(LUMBAR_ANSWERS))
    assert result.fast_answers == 0 and result.changed_answers == 0
    assert not result.rushed and not result.imported
    assert result.timed_items == len(LUMBAR_ANSWERS)
    assert result.timeout_timing == "ok"  # recorded ~57 min before the 10:00 start


def test_fast_walk_through_is_flagged_rushed(store: Store, actors: dict[str, Actor]) -> None:
    cid = walk(store, actors["nurse"], 1.0, start=datetime(2026, 3, 10, 9, 30, tzinfo=UTC))
    result = record_completion(store, actors["nurse"], cid)
    assert result.rushed and result.fast_answers == len(LUMBAR_ANSWERS)
    assert result.rushed_because.startswith("whole checklist in ")


def test_change_after_first_answer_is_counted(store: Store, actors: dict[str, Actor]) -> None:
    nurse = actors["nurse"]
    clock = ManualClock(datetime(2026, 3, 10, 9, 0, tzinfo=UTC))
    with using_clock(clock):
        cid = checklists.create_from_document(store, nurse, {**HEADER, "answers": {}})
        clock.advance(10)
        checklists.answer(store, nurse, cid, "history.inr", 1.1)
        clock.advance(10)
        checklists.answer(store, nurse, cid, "history.inr", 1.2)
        clock.advance(10)
        checklists.clear_answer(store, nurse, cid, "consent.signed")  # nothing to clear
    result = record_completion(store, nurse, cid)
    assert result.changed_answers == 1 and result.answered == 1
    assert result.total_seconds == 20


def test_timeout_recorded_after_the_planned_start_is_late(
    store: Store, actors: dict[str, Actor]
) -> None:
    cid = walk(store, actors["nurse"], 5.0, start=datetime(2026, 3, 10, 9, 58, tzinfo=UTC))
    assert record_completion(store, actors["auditor"], cid).timeout_timing == "late"
    cid = walk(store, actors["nurse"], 5.0, start=datetime(2026, 3, 10, 8, 0, tzinfo=UTC))
    assert record_completion(store, actors["auditor"], cid).timeout_timing == "early"


def test_created_from_a_file_counts_as_imported(store: Store, actors: dict[str, Actor]) -> None:
    nurse = actors["nurse"]
    cid = checklists.create_from_document(
        store, nurse, {**HEADER, "answers": dict(LUMBAR_ANSWERS), "acknowledgements": {}}
    )
    result = record_completion(store, nurse, cid)
    assert result.imported and result.imported_answers == len(LUMBAR_ANSWERS)
    assert result.total_seconds is None and not result.rushed
    assert result.timed_items == 0


def test_range_read_is_for_auditors_and_audited(store: Store, actors: dict[str, Actor]) -> None:
    nurse, auditor = actors["nurse"], actors["auditor"]
    careful = walk(store, nurse, 4.0, start=datetime(2026, 3, 10, 9, 0, tzinfo=UTC))
    signing.sign(store, nurse, careful, PASSWORDS["nurse"], "ready")
    other_day = walk(
        store,
        actors["physician"],
        1.0,
        start=datetime(2026, 3, 12, 9, 0, tzinfo=UTC),
        header={**HEADER, "planned_start": "2026-03-12T10:00", "physician": "Dr Other"},
        answers={**LUMBAR_ANSWERS, "consent.signed": "no"},
    )
    signing.sign(store, actors["physician"], other_day, PASSWORDS["physician"], "postponed", "no")
    for refused in (nurse, actors["admin"]):
        with pytest.raises(PermissionDenied):
            records_in_range(store, refused, RangeQuery("2026-03-01", "2026-03-31"))
    assert (
        AuditEvent.select()
        .where(AuditEvent.action == "metrics", AuditEvent.outcome == "refused")
        .count()
        == 2
    )

    rows = records_in_range(store, auditor, RangeQuery("2026-03-01", "2026-03-31"))
    assert [(r.checklist_id, r.status, r.completion.rushed) for r in rows] == [
        (careful, "signed", False),
        (other_day, "postponed", True),
    ]
    assert rows[1].stops == ("consent.signed",) and rows[1].postponed_reason == "no"
    assert rows[1].started_by == "physician"
    event = AuditEvent.select().where(AuditEvent.action == "metrics", AuditEvent.outcome == "ok")
    assert event.count() == 1

    def ids(**kw: Any) -> list[int]:
        query = RangeQuery(kw.pop("f", "2026-03-01"), kw.pop("t", "2026-03-31"), **kw)
        return [r.checklist_id for r in records_in_range(store, auditor, query)]

    assert ids(t="2026-03-10") == [careful]  # both ends inclusive
    assert ids(f="2026-03-12", t="2026-03-12") == [other_day]
    assert ids(nurse="nurse") == [careful]
    assert ids(physician="Dr Other") == [other_day]
    assert ids(nurse="nobody") == []


@pytest.mark.parametrize(
    ("date_from", "date_to", "words"),
    [("2026-13-01", "2026-03-31", "--from must be a date"), ("2026-03-31", "2026-03-01", "after")],
)
def test_bad_period_is_refused(
    store: Store, actors: dict[str, Actor], date_from: str, date_to: str, words: str
) -> None:
    with pytest.raises(ValidationError, match=words):
        records_in_range(store, actors["auditor"], RangeQuery(date_from, date_to))


def test_signing_keeps_the_pattern_as_a_summary_row(store: Store, actors: dict[str, Actor]) -> None:
    """A period of closed records is summed from their summary rows, not every answer time:
    the summary must equal the pattern computed from the answer times."""
    nurse = actors["nurse"]
    cid = walk(store, nurse, 1.0, start=datetime(2026, 3, 10, 9, 0, tzinfo=UTC))
    live = record_completion(store, nurse, cid)
    signing.sign(store, nurse, cid, PASSWORDS["nurse"], "ready")
    kept = CompletionSummary.get(CompletionSummary.checklist == cid)
    assert kept.rushed is True and kept.method == SUMMARY_METHOD and kept.stops == "[]"
    event = AuditEvent.get(AuditEvent.action == "sign", AuditEvent.checklist_id == cid)
    assert json.loads(event.detail)["completion_rushed"] is True
    (row,) = records_in_range(store, actors["auditor"], RangeQuery("2026-03-10", "2026-03-10"))
    assert row.completion == replace(live, status="signed", sections=())
    # derived from signed content: never rewritten
    with pytest.raises(StorageError), store.transaction():
        CompletionSummary.update(rushed=False).execute()


def test_records_summarised_by_an_older_method_are_recomputed(
    store: Store, actors: dict[str, Actor], monkeypatch: pytest.MonkeyPatch
) -> None:
    nurse = actors["nurse"]
    cid = walk(
        store,
        nurse,
        1.0,
        start=datetime(2026, 3, 10, 9, 0, tzinfo=UTC),
        answers={**LUMBAR_ANSWERS, "skin.site_intact": "no"},
    )
    signing.sign(store, nurse, cid, PASSWORDS["nurse"], "postponed", "rash at the site")
    query = RangeQuery("2026-03-10", "2026-03-10")
    (kept,) = records_in_range(store, actors["auditor"], query)
    monkeypatch.setattr(metrics_service, "SUMMARY_METHOD", SUMMARY_METHOD + 1)
    (recomputed,) = records_in_range(store, actors["auditor"], query)
    assert recomputed.stops == kept.stops == ("skin.site_intact",)
    assert recomputed.completion == replace(
        kept.completion, sections=recomputed.completion.sections
    )
    assert recomputed.completion.sections and recomputed.completion.rushed
