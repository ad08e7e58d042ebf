"""Completion patterns: signals that a checklist was ticked rather than done.

The main failure of checklists is not a missing box but a box ticked without the check being
done. The answer times already kept in the field-level audit trail (``answer_history``) show
it: answers given faster than anyone can check a wristband, a section clicked through, a
time-out recorded long before the patient was on the table. These are pure functions over
those times (no store, no Qt) so every threshold can be tested at its boundary with
controlled times; the service in ``vpchecklist.services.metrics`` reads the times.

Definitions (thresholds are template values, ``[completion]``):
- the clock starts when the record is created; each answer's *gap* is the time since the
  previous answer (or since creation for the first);
- answers imported with the record (``checklist create --from``) are *imported*: they carry
  the import time, are left out of every timing and are counted apart;
- *total time* runs from creation to the last answer given in the record (not imported);
- a *fast answer* has a gap under ``fast_answer_seconds``;
- a *changed answer* is an item whose answer was replaced after it was first given;
- an item's time is the gap of its first answer; a section's time is the sum of the gaps of
  every answer given in it;
- **rushed**: a section with at least ``rushed_section_min_items`` timed items whose median
  item time is under ``rushed_section_median_seconds``, or — when nothing was imported and every
  required item is answered — a total under ``rushed_total_seconds``;
- *time-out timing*: ``missing`` unless the time-out item's latest answer is "yes"; ``late`` when
  it was recorded after the planned start; ``early`` when more than ``timeout_early_minutes``
  before it; else ``ok``.
Flags inform the auditor; they never block signing.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from vpchecklist.templates import Template

TIMEOUT_TIMINGS = ("ok", "early", "late", "missing")
_YES = '"yes"'


@dataclass(frozen=True)
class AnswerEvent:
    """One answer as the audit trail recorded it; ``value`` is the canonical JSON text, ``None``
    when the answer was withdrawn."""

    item_id: str
    at: datetime
    value: str | None
    imported: bool = False


@dataclass(frozen=True)
class RecordTimes:
    """What the metrics need of one checklist."""

    checklist_id: int
    status: str
    started_at: datetime
    planned_start: datetime | None  # UTC
    events: Sequence[AnswerEvent]


@dataclass(frozen=True)
class Thresholds:
    """The template's ``[completion]`` values plus the item→section map they apply to."""

    fast_answer_seconds: float
    rushed_section_min_items: int
    rushed_section_median_seconds: float
    rushed_total_seconds: float
    timeout_item: str
    timeout_early_minutes: float
    section_of: dict[str, str] = field(default_factory=dict)
    section_titles: dict[str, str] = field(default_factory=dict)
    required: frozenset[str] = frozenset()


def thresholds_of(template: Template) -> Thresholds:
    rules = template.completion
    return Thresholds(
        fast_answer_seconds=rules.fast_answer_seconds,
        rushed_section_min_items=rules.rushed_section_min_items,
        rushed_section_median_seconds=rules.rushed_section_median_seconds,
        rushed_total_seconds=rules.rushed_total_seconds,
        timeout_item=rules.timeout_item,
        timeout_early_minutes=rules.timeout_early_minutes,
        section_of={i.id: s.id for s in template.sections for i in s.items},
        section_titles={s.id: s.title for s in template.sections},
        required=frozenset(i.id for i in template.items if i.required),
    )


@dataclass(frozen=True)
class SectionTiming:
    section_id: str
    title: str
    items: int  # items first answered in this record (not imported)
    seconds: float  # sum of the gaps of every answer given in the section
    median_seconds: float | None  # median item time; None without timed items


@dataclass(frozen=True, slots=True)
class Completion:
    checklist_id: int
    status: str
    answered: int  # items answered at least once (imported or not)
    timed_items: int  # items first answered in the record, not imported
    imported_answers: int
    total_seconds: float | None  # None when nothing was answered in the record
    fast_answers: int
    changed_answers: int
    timeout_timing: str
    rushed: bool
    rushed_because: str  # "" when not rushed
    sections: tuple[SectionTiming, ...] = ()

    @property
    def imported(self) -> bool:
        return self.imported_answers > 0

    def row(self) -> dict[str, Any]:
        """The ``vpchecklist metrics`` row (a contract: keep the names)."""
        return {
            "id": self.checklist_id,
            "status": self.status,
            "total_seconds": None if self.total_seconds is None else round(self.total_seconds, 1),
            "rushed": self.rushed,
            "imported": self.imported,
            "fast_answers": self.fast_answers,
            "changed_answers": self.changed_answers,
            "timeout_timing": self.timeout_timing,
            "answered": self.answered,
            "imported_answers": self.imported_answers,
            "rushed_because": self.rushed_because,
        }


def completion(record: RecordTimes, rules: Thresholds) -> Completion:
    """Every completion signal of one record."""
    events = sorted(record.events, key=lambda e: e.at)  # stable: equal times keep their order
    seen: set[str] = set()
    changed: set[str] = set()
    answered: set[str] = set()
    imported = 0
    fast = 0
    previous = record.started_at
    first_gaps: dict[str, list[float]] = {}
    section_seconds: dict[str, float] = {}
    last_timed: datetime | None = None
    for event in events:
        if event.item_id in seen and event.value is not None:
            changed.add(event.item_id)
        first = event.item_id not in seen
        seen.add(event.item_id)
        gap = (event.at - previous).total_seconds()
        previous = max(previous, event.at)
        if event.value is None:
            continue  # a withdrawn answer is not an answer
        answered.add(event.item_id)
        if event.imported:
            imported += 1
            continue
        last_timed = event.at
        fast += gap < rules.fast_answer_seconds
        section = rules.section_of.get(event.item_id, event.item_id.split(".")[0])
        section_seconds[section] = section_seconds.get(section, 0.0) + gap
        if first:
            first_gaps.setdefault(section, []).append(gap)
    total = None if last_timed is None else (last_timed - record.started_at).total_seconds()
    sections = tuple(
        SectionTiming(
            section_id=section,
            title=rules.section_titles.get(section, section),
            items=len(first_gaps.get(section, ())),
            seconds=round(seconds, 3),
            median_seconds=(
                round(statistics.median(first_gaps[section]), 3)
                if first_gaps.get(section)
                else None
            ),
        )
        for section, seconds in _in_template_order(section_seconds, rules)
    )
    because = _rushed_because(sections, total, imported, answered, rules)
    return Completion(
        checklist_id=record.checklist_id,
        status=record.status,
        answered=len(answered),
        timed_items=sum(s.items for s in sections),
        imported_answers=imported,
        total_seconds=None if total is None else round(total, 3),
        fast_answers=int(fast),
        changed_answers=len(changed),
        timeout_timing=timeout_timing(events, record.planned_start, rules),
        rushed=bool(because),
        rushed_because=because,
        sections=sections,
    )


def _in_template_order(seconds: dict[str, float], rules: Thresholds) -> list[tuple[str, float]]:
    order = {section: n for n, section in enumerate(rules.section_titles)}
    return sorted(seconds.items(), key=lambda pair: (order.get(pair[0], len(order)), pair[0]))


def _rushed_because(
    sections: Iterable[SectionTiming],
    total: float | None,
    imported: int,
    answered: set[str],
    rules: Thresholds,
) -> str:
    complete = rules.required <= answered and bool(answered)
    if total is not None and not imported and complete and total < rules.rushed_total_seconds:
        return f"whole checklist in {duration_text(total)}"
    for section in sections:
        if (
            section.items >= rules.rushed_section_min_items
            and section.median_seconds is not None
            and section.median_seconds < rules.rushed_section_median_seconds
        ):
            return (
                f"{section.title}: {section.items} items at a median of "
                f"{section.median_seconds:.1f} s each"
            )
    return ""


def timeout_timing(
    events: Sequence[AnswerEvent], planned_start: datetime | None, rules: Thresholds
) -> str:
    """``ok`` / ``early`` / ``late`` / ``missing`` for the latest answer of the time-out item."""
    latest = None
    for event in events:
        if event.item_id == rules.timeout_item:
            latest = event
    if latest is None or latest.value != _YES:
        return "missing"
    if planned_start is None:
        return "ok"
    if latest.at > planned_start:
        return "late"
    if planned_start - latest.at > timedelta(minutes=rules.timeout_early_minutes):
        return "early"
    return "ok"


_OFFSET = re.compile(r"\(([+-])(\d\d):(\d\d)\)\s*$")


def planned_start_utc(planned_local: str, zone_label: str) -> datetime | None:
    """The planned start (local ``YYYY-MM-DDTHH:MM``) as UTC, in the zone the record was made in
    (its label ends with the offset, e.g. ``CET (+01:00)``); the workstation's zone otherwise."""
    try:
        moment = datetime.strptime(planned_local, "%Y-%m-%dT%H:%M")
    except ValueError:
        return None
    match = _OFFSET.search(zone_label or "")
    if match is None:
        return moment.astimezone().astimezone(UTC)
    sign = -1 if match.group(1) == "-" else 1
    offset = timedelta(hours=int(match.group(2)), minutes=int(match.group(3))) * sign
    return moment.replace(tzinfo=timezone(offset)).astimezone(UTC)


def duration_text(seconds: float) -> str:
    """``38 s``, ``6 min 12 s``, ``2 h 05 min``: short enough for a table cell."""
    whole = int(seconds)  # floor: 89.9 s is under 90 s and must not read "1 min 30 s"
    if whole < 60:
        return f"{whole} s"
    if whole < 3600:
        return f"{whole // 60} min {whole % 60} s"
    return f"{whole // 3600} h {whole % 3600 // 60:02d} min"


def pattern_sentence(result: Completion) -> str:
    """The one line the record view and the PDF print, e.g.
    ``Completion pattern: 41 items in 38 s — flagged rushed``."""
    if result.total_seconds is None:
        if result.imported:
            return f"Completion pattern: {result.imported_answers} answers imported, not timed"
        return "Completion pattern: no answers yet"
    text = (
        f"Completion pattern: {result.timed_items} items in {duration_text(result.total_seconds)}"
    )
    if result.imported:
        text += f" ({result.imported_answers} imported answers not timed)"
    if result.rushed:
        text += f" — flagged rushed ({result.rushed_because})"
    return text
