"""Elapsed real time between two local wall times, and each anticoagulant's hold (spec §6.2, §6.6).

Both times go through the workstation's time zone before subtracting, so a daylight-saving
change counts: solids at 01:00 and a 07:00 start on a spring-forward night are 5 h apart.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from vpchecklist.rules.values import DATETIME_FORMAT
from vpchecklist.templates.model import Item


def elapsed_hours(earlier: str, later: str) -> float:
    """Real hours from ``earlier`` to ``later`` (local ``YYYY-MM-DDTHH:MM``), negative when
    ``earlier`` is after ``later``."""
    start = datetime.strptime(earlier, DATETIME_FORMAT).astimezone()
    end = datetime.strptime(later, DATETIME_FORMAT).astimezone()
    return (end - start).total_seconds() / 3600


def hours_text(hours: float) -> str:
    """Hours for a sentence: whole hours plainly, otherwise to one decimal (``47.5``), rounded
    down so one minute short of a 120 h hold reads 119.9 h, never 120 h."""
    return f"{math.floor(hours * 10 + 1e-9) / 10:g}"


@dataclass(frozen=True)
class DoseInterval:
    """One recorded anticoagulant against its hold: what the review page and the PDF show."""

    drug: str
    name: str
    last_dose: str
    #: Real hours from the last dose to the planned start; None without a planned start.
    hours_before_start: float | None
    #: The table's hold; None for a drug not in the table (``other``).
    hold_hours: float | None

    @property
    def too_short(self) -> bool:
        return (
            self.hours_before_start is not None
            and self.hold_hours is not None
            and 0 <= self.hours_before_start < self.hold_hours
        )

    @property
    def after_start(self) -> bool:
        return self.hours_before_start is not None and self.hours_before_start < 0

    def to_json(self) -> dict[str, Any]:
        return {
            "drug": self.drug,
            "name": self.name,
            "last_dose": self.last_dose,
            "hours_before_start": (
                None if self.hours_before_start is None else round(self.hours_before_start, 2)
            ),
            "hold_hours": (
                None
                if self.hold_hours is None
                else int(self.hold_hours)
                if self.hold_hours.is_integer()
                else self.hold_hours
            ),
        }


def dose_intervals(item: Item, value: Any, planned_start: str | None) -> list[DoseInterval]:
    """The canonical coded anticoagulant list of ``item`` as intervals; [] for "none", N/A or
    a v1 answer."""
    if not item.drugs or not isinstance(value, list):
        return []
    out = []
    for entry in value:
        drug = item.drug(entry["drug"])
        if drug is None:  # pragma: no cover - refused by normalisation
            continue
        out.append(
            DoseInterval(
                drug=drug.id,
                name=entry.get("name") or drug.label,
                last_dose=entry["last_dose"],
                hours_before_start=(
                    elapsed_hours(entry["last_dose"], planned_start) if planned_start else None
                ),
                hold_hours=drug.hold_hours,
            )
        )
    return out
