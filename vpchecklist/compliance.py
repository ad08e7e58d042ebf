"""Compliance figures over a period: what the auditor dashboard shows and the monthly report
prints, computed once here so the two (and ``vpchecklist metrics``) can never disagree.

Every figure keeps the ids of the records behind it, so a click on a bar lists exactly those.
Pure: records in, figures out (no store, no Qt).
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from vpchecklist.metrics import TIMEOUT_TIMINGS, Completion

NO_STOP = "No hard stop recorded"


@dataclass(frozen=True, slots=True)
class RecordMetrics:
    """One checklist in a period: its completion pattern and what the figures group it by."""

    completion: Completion
    planned_start: str  # local YYYY-MM-DDTHH:MM
    started_by: str  # username of the user who created the record
    physician: str
    postponed_reason: str = ""
    stops: tuple[str, ...] = ()  # item ids of the hard stops when postponed
    acknowledged: tuple[str, ...] = ()  # item ids whose warning was acknowledged
    labels: dict[str, str] = field(default_factory=dict)  # item id → label

    @property
    def checklist_id(self) -> int:
        return self.completion.checklist_id

    @property
    def status(self) -> str:
        return self.completion.status

    def row(self) -> dict[str, Any]:
        """The ``vpchecklist metrics`` row (``id`` … ``timeout_timing`` are a contract)."""
        return {**self.completion.row(), "planned_start": self.planned_start}


@dataclass(frozen=True)
class Figure:
    """A labelled count and the records behind it."""

    label: str
    ids: tuple[int, ...]

    @property
    def count(self) -> int:
        return len(self.ids)


@dataclass(frozen=True)
class Week:
    start: date
    started: tuple[int, ...]
    rushed: tuple[int, ...]


@dataclass(frozen=True)
class Figures:
    date_from: str
    date_to: str
    started: Figure
    signed_ready: Figure
    postponed: Figure
    drafts: Figure
    postponed_by_stop: tuple[Figure, ...]
    warnings_by_type: tuple[Figure, ...]
    timed: Figure  # records with answer times (not wholly imported)
    completed: Figure  # closed records timed throughout: what the median is taken over
    imported: Figure  # records with imported answers
    rushed: Figure
    timeout_timing: tuple[Figure, ...]  # ok, early, late, missing
    weeks: tuple[Week, ...]
    median_seconds: float | None  # median total time of closed, timed records

    @property
    def rushed_rate(self) -> float | None:
        """Share of timed records flagged rushed (None without timed records)."""
        return self.rushed.count / self.timed.count if self.timed.count else None

    def figure(self, key: str) -> Figure:
        """A headline figure by its key (``started``, ``rushed``, …): one lookup for the UI."""
        value = getattr(self, key)
        if not isinstance(value, Figure):
            raise KeyError(key)
        return value


def _grouped(pairs: list[tuple[str, int]]) -> tuple[Figure, ...]:
    groups: dict[str, list[int]] = {}
    for label, checklist_id in pairs:
        ids = groups.setdefault(label, [])
        if checklist_id not in ids:
            ids.append(checklist_id)
    ordered = sorted(groups.items(), key=lambda pair: (-len(pair[1]), pair[0]))
    return tuple(Figure(label, tuple(ids)) for label, ids in ordered)


def week_start(planned_start: str) -> date:
    """The Monday of the planned start's week (weeks as ISO 8601 counts them)."""
    day = date.fromisoformat(planned_start[:10])
    return day - timedelta(days=day.weekday())


def summarise(records: Sequence[RecordMetrics], date_from: str, date_to: str) -> Figures:
    """One pass over the records (10,000 of them on the dashboard's widest period)."""
    groups: dict[str, list[int]] = {
        key: []
        for key in (
            "started",
            "signed",
            "postponed",
            "draft",
            "timed",
            "completed",
            "imported",
            "rushed",
        )
    }
    timings: dict[str, list[int]] = {timing: [] for timing in TIMEOUT_TIMINGS}
    stop_pairs: list[tuple[str, int]] = []
    warning_pairs: list[tuple[str, int]] = []
    totals: list[float] = []
    weeks: dict[date, tuple[list[int], list[int]]] = {}
    week_of: dict[str, date] = {}
    for r in records:
        cid = r.checklist_id
        done = r.completion
        status = done.status
        groups["started"].append(cid)
        groups[status if status in groups else "draft"].append(cid)
        total = done.total_seconds
        if total is not None:
            groups["timed"].append(cid)
            if status != "draft" and not done.imported_answers:
                groups["completed"].append(cid)
                totals.append(total)
        if done.imported_answers:
            groups["imported"].append(cid)
        if done.rushed:
            groups["rushed"].append(cid)
        timings[done.timeout_timing].append(cid)
        if status == "postponed":
            if r.stops:
                stop_pairs += [(r.labels.get(stop, stop), cid) for stop in r.stops]
            else:
                stop_pairs.append((NO_STOP, cid))
        if r.acknowledged:
            warning_pairs += [(r.labels.get(i, i), cid) for i in r.acknowledged]
        day = r.planned_start[:10]
        start = week_of.get(day)
        if start is None:
            start = week_of[day] = week_start(day)
        started, rushed = weeks.setdefault(start, ([], []))
        started.append(cid)
        if done.rushed:
            rushed.append(cid)

    def figure(label: str, key: str) -> Figure:
        return Figure(label, tuple(groups[key]))

    return Figures(
        date_from=date_from,
        date_to=date_to,
        started=figure("Started", "started"),
        signed_ready=figure("Signed ready", "signed"),
        postponed=figure("Postponed", "postponed"),
        drafts=figure("Still draft", "draft"),
        postponed_by_stop=_grouped(stop_pairs),
        warnings_by_type=_grouped(warning_pairs),
        timed=figure("Timed", "timed"),
        completed=figure("Completed, timed throughout", "completed"),
        imported=figure("Imported", "imported"),
        rushed=figure("Flagged rushed", "rushed"),
        timeout_timing=tuple(Figure(t, tuple(timings[t])) for t in TIMEOUT_TIMINGS),
        weeks=tuple(
            Week(start, tuple(started), tuple(rushed))
            for start, (started, rushed) in sorted(weeks.items())
        ),
        median_seconds=statistics.median(totals) if totals else None,
    )


TIMEOUT_WORDS = {
    "ok": "On time",
    "early": "Recorded early",
    "late": "Recorded after the planned start",
    "missing": "Missing",
}


def percent(rate: float | None) -> str:
    return "—" if rate is None else f"{100 * rate:.0f} %"


#: Okabe–Ito colours (distinguishable with every common colour-vision deficiency), one meaning
#: each, shared by the dashboard and the report.
PALETTE = {
    "started": "#0072B2",  # blue
    "signed": "#009E73",  # bluish green
    "postponed": "#E69F00",  # orange
    "rushed": "#D55E00",  # vermillion
    "warning": "#CC79A7",  # reddish purple
    "ok": "#009E73",
    "early": "#56B4E9",  # sky blue
    "late": "#D55E00",
    "missing": "#000000",
    "neutral": "#999999",
}
