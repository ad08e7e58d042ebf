"""Fuzzing the schedule import (issue 16): whatever bytes arrive, every message becomes a visit
or a refusal with a reason — never an exception, never a half-read visit."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from vpchecklist.schedule.messages import (
    ReadingRules,
    Refusal,
    ScheduledVisit,
    decode,
    read_message,
    split_messages,
)
from vpchecklist.templates import default_template

DAY = (Path(__file__).parents[1] / "core" / "data" / "schedule-day.hl7").read_bytes()
TEMPLATE = default_template()
RULES = ReadingRules(levels_field="NTE")
ALPHABET = st.sampled_from(list("|^~\\&\r\n\x0b\x1cMSHPIDSCHAISOBRNTE0123456789 -:T+ée"))


def _check(text: str) -> None:
    for message in split_messages(text):
        result = read_message(message, RULES, TEMPLATE)
        assert isinstance(result, ScheduledVisit | Refusal)
        if isinstance(result, Refusal):
            assert result.reason and result.control_id
        elif result.action == "book":
            assert result.mrn and result.name and result.date_of_birth and result.planned_start


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(ALPHABET, max_size=400))
def test_random_text_is_read_or_refused(text: str) -> None:
    _check(text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.tuples(st.integers(0, len(DAY) - 1), st.binary(max_size=6)), min_size=1, max_size=8)
)
@example(edits=[(1612, b"\x00P")])  # a damaged MSH-2 once hid PID from python-hl7's lookup
def test_a_real_day_file_with_bytes_changed_is_read_or_refused(edits: list) -> None:  # type: ignore[type-arg]
    data = bytearray(DAY)
    for position, replacement in edits:
        data[position : position + len(replacement)] = replacement
    _check(decode(bytes(data)))
