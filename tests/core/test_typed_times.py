"""Typed times (issue 13): "HH:MM", "yesterday HH:MM" or a full date-time, the latest "HH:MM"
not after the planned start for fasting and last dose, and DST nights counted in real hours."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from vpchecklist.typed_times import (
    TypedTimeError,
    before_start_words,
    minutes_between,
    parse_typed_time,
)

NOW = datetime(2026, 11, 30, 7, 40)
START = datetime(2026, 11, 30, 10, 0)
BERLIN = ZoneInfo("Europe/Berlin")


def test_a_bare_time_is_today() -> None:
    assert parse_typed_time("06:00", NOW) == datetime(2026, 11, 30, 6, 0)
    assert parse_typed_time("6.05", NOW) == datetime(2026, 11, 30, 6, 5)


def test_a_bare_time_before_the_start_is_the_latest_such_time_not_after_it() -> None:
    assert parse_typed_time("20:00", NOW, not_after=START) == datetime(2026, 11, 29, 20, 0)
    assert parse_typed_time("06:00", NOW, not_after=START) == datetime(2026, 11, 30, 6, 0)
    assert parse_typed_time("10:00", NOW, not_after=START) == datetime(2026, 11, 30, 10, 0)


def test_yesterday_and_full_date_times() -> None:
    assert parse_typed_time("yesterday 20:00", NOW) == datetime(2026, 11, 29, 20, 0)
    assert parse_typed_time("Yesterday  8:15", NOW) == datetime(2026, 11, 29, 8, 15)
    assert parse_typed_time("2026-11-28 21:30", NOW) == datetime(2026, 11, 28, 21, 30)
    assert parse_typed_time("2026-11-28T21:30", NOW) == datetime(2026, 11, 28, 21, 30)
    # yesterday across a month end
    assert parse_typed_time("yesterday 23:00", datetime(2026, 12, 1, 1, 0)) == datetime(
        2026, 11, 30, 23, 0
    )


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("25:00", "not a time of day"),
        ("2026-02-30 10:00", "not a date of the calendar"),
        ("soon", "not a time this field understands"),
        ("", "Type a time"),
    ],
)
def test_what_is_not_a_time_is_refused_in_one_sentence(text: str, words: str) -> None:
    with pytest.raises(TypedTimeError, match=words):
        parse_typed_time(text, NOW)


def test_a_wall_time_skipped_by_daylight_saving_is_refused() -> None:
    spring = datetime(2026, 3, 29, 9, 0)  # Europe: clocks go 02:00 -> 03:00 that night
    with pytest.raises(TypedTimeError, match="does not exist"):
        parse_typed_time("02:30", spring, zone=BERLIN)
    assert parse_typed_time("01:30", spring, zone=BERLIN) == datetime(2026, 3, 29, 1, 30)


def test_hours_before_start_count_real_time_across_daylight_saving() -> None:
    start = datetime(2026, 3, 29, 8, 0)
    solids = parse_typed_time("20:00", start, not_after=start, zone=BERLIN)
    assert solids == datetime(2026, 3, 28, 20, 0)
    assert minutes_between(solids, start, BERLIN) == 11 * 60  # 12 h on the wall, 11 h real
    autumn_start = datetime(2026, 10, 25, 8, 0)
    assert minutes_between(datetime(2026, 10, 24, 20, 0), autumn_start, BERLIN) == 13 * 60
    assert before_start_words(14 * 60 + 30) == "14 h 30 min before start"
    assert before_start_words(120) == "2 h before start"
    assert before_start_words(-5) == "after the planned start"
