"""Completion metrics at every boundary, on records with controlled answer times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from vpchecklist.compliance import RecordMetrics, summarise, week_start
from vpchecklist.metrics import (
    AnswerEvent,
    RecordTimes,
    Thresholds,
    completion,
    duration_text,
    pattern_sentence,
    planned_start_utc,
    thresholds_of,
)
from vpchecklist.templates import default_template

T0 = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)
PLANNED = datetime(2026, 3, 10, 10, 0, tzinfo=UTC)

RULES = Thresholds(
    fast_answer_seconds=1.5,
    rushed_section_min_items=4,
    rushed_section_median_seconds=1.5,
    rushed_total_seconds=90,
    timeout_item="timeout.performed",
    timeout_early_minutes=60,
    section_of={
        **{f"a.i{n}": "a" for n in range(6)},
        **{f"b.i{n}": "b" for n in range(6)},
        "timeout.performed": "timeout",
    },
    section_titles={"a": "Section A", "b": "Section B", "timeout": "Time-out"},
    required=frozenset({"a.i0", "a.i1"}),
)


def record(
    gaps: list[tuple[str, float]],
    *,
    imported: tuple[str, ...] = (),
    planned: datetime | None = PLANNED,
    values: dict[int, str | None] | None = None,
) -> RecordTimes:
    """Answers given ``gap`` seconds after the previous one (the first after creation);
    ``imported`` items carry the creation time; ``values`` overrides the n-th answer's value."""
    events = [AnswerEvent(item, T0, '"yes"', imported=True) for item in imported]
    at = T0
    for n, (item, gap) in enumerate(gaps):
        at = at + timedelta(seconds=gap)
        value = (values or {}).get(n, '"yes"')
        events.append(AnswerEvent(item, at, value))
    return RecordTimes(1, "signed", T0, planned, events)


def steady(items: list[str], gap: float) -> list[tuple[str, float]]:
    return [(item, gap) for item in items]


def test_total_time_runs_from_creation_to_the_last_answer() -> None:
    result = completion(record([("a.i0", 10), ("a.i1", 20), ("b.i0", 5)]), RULES)
    assert result.total_seconds == 35
    assert result.answered == 3 and result.timed_items == 3


def test_time_per_section_sums_the_gaps_of_its_answers() -> None:
    result = completion(record([("a.i0", 10), ("a.i1", 20), ("b.i0", 5), ("a.i2", 7)]), RULES)
    sections = {s.section_id: s for s in result.sections}
    assert sections["a"].seconds == 37 and sections["a"].items == 3
    assert sections["a"].median_seconds == 10
    assert sections["b"].seconds == 5
    assert [s.section_id for s in result.sections] == ["a", "b"]  # template order


@pytest.mark.parametrize(("gap", "fast"), [(1.49, 1), (1.5, 0), (1.51, 0)])
def test_fast_answer_is_under_the_threshold(gap: float, fast: int) -> None:
    result = completion(record([("a.i0", 30), ("a.i1", gap)]), RULES)
    assert result.fast_answers == fast


def test_first_answer_gap_counts_from_creation() -> None:
    assert completion(record([("a.i0", 1.0)]), RULES).fast_answers == 1


def test_changed_answers_count_items_replaced_after_first_given() -> None:
    gaps = [("a.i0", 5), ("a.i1", 5), ("a.i0", 5), ("a.i0", 5), ("b.i0", 5)]
    result = completion(record(gaps, values={2: '"no"'}), RULES)
    assert result.changed_answers == 1  # a.i0 changed twice: one item
    assert result.answered == 3


def test_withdrawn_answer_is_not_an_answer_but_its_reanswer_is_a_change() -> None:
    gaps = [("a.i0", 5), ("a.i0", 5), ("a.i0", 5)]
    result = completion(record(gaps, values={1: None}), RULES)
    assert result.changed_answers == 1
    assert result.answered == 1


@pytest.mark.parametrize(
    ("items", "gap", "rushed"), [(4, 1.49, True), (4, 1.5, False), (3, 0.5, False)]
)
def test_rushed_section_needs_min_items_under_the_median(
    items: int, gap: float, rushed: bool
) -> None:
    gaps = [("b.i0", 200), *steady([f"a.i{n}" for n in range(items)], gap)]
    result = completion(record(gaps), RULES)
    assert result.rushed is rushed
    if rushed:
        assert result.rushed_because.startswith("Section A: 4 items at a median of 1.5 s")


def test_section_median_not_mean() -> None:
    # gaps 1, 1, 1, 100, 100: median 1 (rushed) although the mean is 40.6 s
    gaps = [("b.i0", 200), *zip([f"a.i{n}" for n in range(5)], [1, 1, 1, 100, 100], strict=True)]
    assert completion(record(gaps), RULES).rushed


def test_even_count_median_averages_the_middle_two() -> None:
    # 1, 1, 2, 2 → median 1.5: not under 1.5
    gaps = [("b.i0", 200), *zip([f"a.i{n}" for n in range(4)], [1, 1, 2, 2], strict=True)]
    result = completion(record(gaps), RULES)
    assert not result.rushed
    assert {s.section_id: s.median_seconds for s in result.sections}["a"] == 1.5


@pytest.mark.parametrize(("gap", "rushed"), [(44.99, True), (45, False)])
def test_whole_checklist_under_90_s_is_rushed(gap: float, rushed: bool) -> None:
    result = completion(record([("a.i0", gap), ("a.i1", gap)]), RULES)
    assert result.total_seconds == pytest.approx(2 * gap)
    assert result.rushed is rushed
    if rushed:
        assert result.rushed_because == "whole checklist in 1 min 29 s"


def test_whole_checklist_rule_waits_for_every_required_item() -> None:
    assert not completion(record([("a.i0", 10)]), RULES).rushed


def test_imported_answers_are_left_out_of_timing() -> None:
    result = completion(record([("a.i1", 20)], imported=("a.i0", "b.i0", "b.i1")), RULES)
    assert result.imported and result.imported_answers == 3
    assert result.timed_items == 1
    assert result.total_seconds == 20
    assert result.answered == 4
    assert not result.rushed  # 20 s total, but not the whole checklist was answered here
    assert "3 imported answers not timed" in pattern_sentence(result)


def test_wholly_imported_record_has_no_timing() -> None:
    result = completion(record([], imported=("a.i0", "a.i1")), RULES)
    assert result.total_seconds is None and result.fast_answers == 0 and not result.rushed
    assert pattern_sentence(result) == "Completion pattern: 2 answers imported, not timed"
    assert result.row()["imported"] is True


def test_changing_an_imported_answer_is_timed_and_counted_as_changed() -> None:
    result = completion(record([("a.i0", 4)], imported=("a.i0",)), RULES)
    assert result.changed_answers == 1 and result.total_seconds == 4


def timeout_at(minutes_before_start: float, value: str = '"yes"') -> str:
    before = (PLANNED - T0).total_seconds() - minutes_before_start * 60
    return completion(
        record([("timeout.performed", before)], values={0: value}), RULES
    ).timeout_timing


@pytest.mark.parametrize(
    ("minutes_before", "timing"),
    [
        (60.01, "early"),
        (60, "ok"),
        (0, "ok"),
        (-0.01, "late"),
        (30, "ok"),
    ],
)
def test_timeout_timing_boundaries(minutes_before: float, timing: str) -> None:
    assert timeout_at(minutes_before) == timing


def test_timeout_not_yes_or_absent_is_missing() -> None:
    assert timeout_at(10, '"no"') == "missing"
    assert timeout_at(10, '{"na": "x"}') == "missing"
    assert completion(record([("a.i0", 5)]), RULES).timeout_timing == "missing"


def test_timeout_latest_answer_counts() -> None:
    gaps = [("timeout.performed", 60 * 60), ("timeout.performed", 3600 + 120)]
    # yes at 09:00 (ok), then withdrawn → missing
    assert completion(record(gaps, values={1: None}), RULES).timeout_timing == "missing"


def test_planned_start_is_read_in_the_records_zone() -> None:
    assert planned_start_utc("2026-03-10T10:00", "CET (+01:00)") == datetime(
        2026, 3, 10, 9, 0, tzinfo=UTC
    )
    assert planned_start_utc("2026-03-10T10:00", "EST (-05:00)") == datetime(
        2026, 3, 10, 15, 0, tzinfo=UTC
    )
    assert planned_start_utc("not a time", "UTC (+00:00)") is None


def test_sentence_and_durations() -> None:
    gaps = [("a.i0", 19), ("a.i1", 19)]
    assert pattern_sentence(completion(record(gaps), RULES)) == (
        "Completion pattern: 2 items in 38 s — flagged rushed (whole checklist in 38 s)"
    )
    assert duration_text(372) == "6 min 12 s"
    assert duration_text(7500) == "2 h 05 min"


def test_thresholds_are_template_values() -> None:
    template = default_template()
    rules = thresholds_of(template)
    assert rules.fast_answer_seconds == template.completion.fast_answer_seconds == 1.5
    assert rules.rushed_total_seconds == 90 and rules.rushed_section_min_items == 4
    assert rules.section_of["timeout.performed"] == "timeout"
    relaxed = Thresholds(**{**RULES.__dict__, "rushed_total_seconds": 30})
    assert not completion(record([("a.i0", 19), ("a.i1", 19)]), relaxed).rushed


def metric(cid: int, status: str, planned: str, **kw: object) -> RecordMetrics:
    gaps = kw.pop("gaps", [("a.i0", 200), ("a.i1", 200)])
    done = completion(RecordTimes(cid, status, T0, PLANNED, record(gaps).events), RULES)  # type: ignore[arg-type]
    return RecordMetrics(done, planned, "nurse", "Dr X", **kw)  # type: ignore[arg-type]


def test_summary_keeps_the_records_behind_every_figure() -> None:
    records = [
        metric(1, "signed", "2026-03-02T09:00", acknowledged=("history.inr",)),
        metric(2, "signed", "2026-03-04T09:00", gaps=[("a.i0", 1), ("a.i1", 1)]),
        metric(3, "postponed", "2026-03-09T09:00", stops=("consent.signed",)),
        metric(4, "postponed", "2026-03-10T09:00"),
        metric(5, "draft", "2026-03-11T09:00", acknowledged=("history.inr",)),
    ]
    figures = summarise(records, "2026-03-01", "2026-03-31")
    assert figures.started.ids == (1, 2, 3, 4, 5)
    assert figures.signed_ready.ids == (1, 2) and figures.drafts.ids == (5,)
    assert {f.label: f.ids for f in figures.postponed_by_stop} == {
        "consent.signed": (3,),
        "No hard stop recorded": (4,),
    }
    assert figures.warnings_by_type[0].ids == (1, 5)
    assert figures.rushed.ids == (2,)
    assert figures.rushed_rate == pytest.approx(1 / 5)
    assert figures.median_seconds == 400  # closed: 400, 2, 400, 400
    assert [(w.start.isoformat(), w.started, w.rushed) for w in figures.weeks] == [
        ("2026-03-02", (1, 2), (2,)),
        ("2026-03-09", (3, 4, 5), ()),
    ]
    assert dict((f.label, f.ids) for f in figures.timeout_timing)["missing"] == (1, 2, 3, 4, 5)
    assert week_start("2026-03-08T23:00").isoformat() == "2026-03-02"  # Sunday → its Monday


def test_template_v2_states_the_thresholds_and_v1_reads_the_defaults() -> None:
    from vpchecklist.resources import templates_dir
    from vpchecklist.templates.loader import load_template

    v1 = load_template(templates_dir() / "vertebroplasty-v1.toml")
    v2 = load_template(templates_dir() / "vertebroplasty-v2.toml")
    assert "completion" in v2.model_fields_set and "completion" not in v1.model_fields_set
    assert v1.completion == v2.completion  # v1 (unchanged bytes) judged by the same defaults


def test_a_completion_table_naming_no_confirm_item_is_refused() -> None:
    from vpchecklist.errors import TemplateError
    from vpchecklist.resources import templates_dir
    from vpchecklist.templates import load_template_text

    text = (templates_dir() / "vertebroplasty-v2.toml").read_text(encoding="utf-8")
    broken = text.replace('timeout_item = "timeout.performed"', 'timeout_item = "timeout.done"')
    with pytest.raises(TemplateError, match="timeout.done"):
        load_template_text(broken, "broken.toml")
