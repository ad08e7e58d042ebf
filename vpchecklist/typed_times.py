"""Times as a nurse types them: "06:00", "yesterday 20:00" or a full "2026-11-30 06:00".

Fasting and last-dose times are asked many times a day and are nearly always "this morning" or
"last night": typing the date each time cost 32 characters per checklist and invited slips.
A bare "HH:MM" means today, or for a time *before* something (last meal, last dose) the latest
such wall time not after that moment, so "20:00" before an 08:00 start is last night.

Values are local wall times ``YYYY-MM-DDTHH:MM`` in the workstation's zone (the core's format).
Durations go through the zone, so a daylight-saving night counts its real hours, and a wall
time that does not exist in the zone (the hour skipped in spring) is refused in words.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, tzinfo

from vpchecklist.rules.values import DATETIME_FORMAT

_CLOCK = r"(\d{1,2})[:.h](\d{2})"
_ONLY_CLOCK = re.compile(rf"^{_CLOCK}$")
_YESTERDAY = re.compile(rf"^(?:yesterday|yday)\s+{_CLOCK}$", re.IGNORECASE)
_TODAY = re.compile(rf"^today\s+{_CLOCK}$", re.IGNORECASE)
_FULL = re.compile(rf"^(\d{{4}})-(\d{{1,2}})-(\d{{1,2}})(?:\s+|T){_CLOCK}$")

#: What the field accepts, for its placeholder and its refusal.
ACCEPTED = '"HH:MM", "yesterday HH:MM" or "YYYY-MM-DD HH:MM"'


class TypedTimeError(ValueError):
    """The text is not a time the field understands; the message is one plain sentence."""


def _wall(day: date, hour: str, minute: str, text: str) -> datetime:
    h, m = int(hour), int(minute)
    if not (0 <= h <= 23 and 0 <= m <= 59):
        raise TypedTimeError(f'"{text}" is not a time of day (hours 0-23, minutes 0-59).')
    return datetime(day.year, day.month, day.day, h, m)


def parse_typed_time(
    text: str,
    now: datetime,
    *,
    not_after: datetime | None = None,
    zone: tzinfo | None = None,
) -> datetime:
    """The local wall time ``text`` means, typed at ``now`` (a local wall time).

    ``not_after`` (e.g. the planned start, for a last meal): a bare "HH:MM" is the latest such
    time not after it; without it, "HH:MM" is today. ``zone`` is the workstation's unless given
    (tests). Raises :class:`TypedTimeError` with a sentence a nurse can act on.
    """
    cleaned = " ".join(text.strip().split())
    if not cleaned:
        raise TypedTimeError(f"Type a time: {ACCEPTED}.")
    if match := _ONLY_CLOCK.match(cleaned):
        if not_after is not None:
            wall = _wall(not_after.date(), match[1], match[2], cleaned)
            if wall > not_after:
                wall = _wall(not_after.date() - timedelta(days=1), match[1], match[2], cleaned)
        else:
            wall = _wall(now.date(), match[1], match[2], cleaned)
    elif match := _YESTERDAY.match(cleaned):
        wall = _wall(now.date() - timedelta(days=1), match[1], match[2], cleaned)
    elif match := _TODAY.match(cleaned):
        wall = _wall(now.date(), match[1], match[2], cleaned)
    elif match := _FULL.match(cleaned):
        year, month, day, hour, minute = match.groups()
        try:
            day_of = date(int(year), int(month), int(day))
        except ValueError:
            raise TypedTimeError(f'"{cleaned}" is not a date of the calendar.') from None
        wall = _wall(day_of, hour, minute, cleaned)
    else:
        raise TypedTimeError(f'"{cleaned}" is not a time this field understands: {ACCEPTED}.')
    if not _exists(wall, zone):
        raise TypedTimeError(
            f"{wall:%d %b %Y, %H:%M} does not exist here: the clocks skip that hour "
            "(daylight saving). Type the time the clock showed."
        )
    return wall


def _aware(wall: datetime, zone: tzinfo | None) -> datetime:
    return wall.replace(tzinfo=zone) if zone is not None else wall.astimezone()


def _exists(wall: datetime, zone: tzinfo | None) -> bool:
    """A wall time exists when going to UTC and back gives it again."""
    aware = _aware(wall, zone)
    utc = aware.astimezone(UTC)
    back = utc.astimezone(zone) if zone is not None else utc.astimezone()
    return back.replace(tzinfo=None) == wall


def minutes_between(earlier: datetime, later: datetime, zone: tzinfo | None = None) -> int:
    """Real minutes from one local wall time to another, through the zone (DST counts)."""
    start = _aware(earlier, zone).astimezone(UTC)
    end = _aware(later, zone).astimezone(UTC)
    return int((end - start).total_seconds() // 60)


def before_start_words(minutes: int) -> str:
    """``870`` → "14 h 30 min before start"; a time after the start says so."""
    if minutes < 0:
        return "after the planned start"
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return f"{hours} h {rest} min before start"
    if hours:
        return f"{hours} h before start"
    return f"{rest} min before start"


def as_stored(wall: datetime) -> str:
    """The core's ``YYYY-MM-DDTHH:MM``."""
    return wall.strftime(DATETIME_FORMAT)


def understood_words(wall: datetime) -> str:
    """How the field says what it understood: "Sun 29 Nov 2026, 20:00"."""
    return wall.strftime("%a %d %b %Y, %H:%M")
