"""Human-readable renderings of stored answers and time stamps, shared by PDF, CSV and the UI."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any

from vpchecklist.clock import parse_utc
from vpchecklist.rules.values import is_na
from vpchecklist.templates import Item

NOT_ANSWERED = "Not answered"


def _number(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _local_entry(text: str) -> str:
    """A local ``YYYY-MM-DDTHH:MM`` as entered, shown with a space instead of the ``T``."""
    return text.replace("T", " ", 1)


def answer_lines(item: Item | None, value: Any) -> list[str]:
    """The answer as one or more lines of plain text (allergies: one line each)."""
    if value is None:
        return [NOT_ANSWERED]
    if is_na(value):
        return [f"N/A — {value['na']}"]
    kind = item.kind if item is not None else "text"
    if kind == "confirm":
        return ["Yes" if value == "yes" else "No" if value == "no" else str(value)]
    if kind == "choice" and item is not None:
        return [item.option_label(str(value))]
    if kind == "number":
        unit = f" {item.unit}" if item is not None and item.unit else ""
        return [f"{_number(value)}{unit}"]
    if kind == "datetime":
        return [_local_entry(str(value))]
    if kind == "blood_pressure":
        unit = f" {item.unit}" if item is not None and item.unit else " mmHg"
        return [f"{value}{unit}"]
    if kind == "allergies":
        if value == "none":
            return ["None known"]
        return [str(a) for a in value] if isinstance(value, list) else [str(value)]
    if kind == "anticoagulants":
        if value == "none":
            return ["None"]
        if isinstance(value, dict):
            held = {"yes": "Yes", "no": "No"}.get(str(value.get("held")), str(value.get("held")))
            return [
                f"Drug: {value.get('drug', '')}",
                f"Last dose: {_local_entry(str(value.get('last_dose', '')))}",
                f"Held: {held}",
            ]
    if isinstance(value, list):
        return [str(v) for v in value]
    return [str(value)]


def answer_text(item: Item | None, value: Any, sep: str = "; ") -> str:
    return sep.join(answer_lines(item, value))


@lru_cache(maxsize=4096)
def utc_text(stamp: str | None) -> str:
    """A stored UTC stamp to the second, e.g. ``2026-11-25 15:36:37 UTC``."""
    if not stamp:
        return ""
    return parse_utc(stamp).strftime("%Y-%m-%d %H:%M:%S UTC")


@lru_cache(maxsize=4096)
def local_text(stamp: str | None) -> str:
    """A stored UTC stamp in the workstation's zone, with the UTC offset."""
    if not stamp:
        return ""
    moment: datetime = parse_utc(stamp).astimezone()
    offset = moment.strftime("%z")
    return f"{moment:%Y-%m-%d %H:%M} {moment.tzname()} ({offset[:3]}:{offset[3:]})"


@lru_cache(maxsize=4096)
def local_short(stamp: str | None) -> str:
    """A stored UTC stamp in the workstation's zone, to the minute, with the zone's name."""
    if not stamp:
        return ""
    moment = parse_utc(stamp).astimezone()
    return f"{moment:%Y-%m-%d %H:%M} {moment.tzname()}"
