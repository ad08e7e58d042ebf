"""Spec §6.6: fasting and hold intervals are elapsed real time in the workstation's zone, with
``TZ=Europe/Berlin`` (spring-forward 2026-03-29 02:00→03:00, fall-back 2026-10-25 03:00→02:00)."""

from __future__ import annotations

import time

import pytest


@pytest.fixture
def berlin(monkeypatch):
    monkeypatch.setenv("TZ", "Europe/Berlin")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def night(vp, planned: str, **answers):
    doc = vp.doc(["L2"], **answers)
    doc["planned_start"] = planned
    return doc


def test_spring_forward_solids_at_0100_and_a_0700_start_are_5_hours_apart(vp, berlin):
    doc = night(
        vp,
        "2026-03-29T07:00",
        sedation__last_solids="2026-03-29T01:00",
        sedation__last_clear_liquids="2026-03-29T04:00",
    )
    result = vp.run(doc)
    message = vp.only(result, "warnings", "sedation.last_solids")
    assert "6 h" in message


def test_spring_forward_liquids_at_0115_and_a_0330_start_are_75_minutes_apart(vp, berlin):
    doc = night(
        vp,
        "2026-03-29T03:30",
        sedation__last_solids="2026-03-28T18:00",
        sedation__last_clear_liquids="2026-03-29T01:15",
    )
    # 2 h 15 min on the wall clock, 1 h 15 min of real time: short of the 2 h rule.
    vp.only(vp.run(doc), "warnings", "sedation.last_clear_liquids")


def test_fall_back_solids_at_0100_and_a_0600_start_are_6_hours_apart(vp, berlin):
    doc = night(
        vp,
        "2026-10-25T06:00",
        sedation__last_solids="2026-10-25T01:00",
        sedation__last_clear_liquids="2026-10-25T03:00",
    )
    # 5 h on the wall clock, 6 h of real time: enough for a light meal.
    vp.clean(vp.run(doc))


def test_without_dst_the_same_wall_times_are_what_they_say(vp, berlin):
    doc = night(
        vp,
        "2026-03-22T06:00",
        sedation__last_solids="2026-03-22T01:00",
        sedation__last_clear_liquids="2026-03-22T03:00",
    )
    vp.only(vp.run(doc), "warnings", "sedation.last_solids")


def test_spring_forward_counts_for_the_hold(vp, berlin):
    doc = night(
        vp,
        "2026-03-29T08:00",
        history__anticoagulants=[{"drug": "heparin_iv", "last_dose": "2026-03-29T01:30"}],
        sedation__last_solids="2026-03-28T20:00",
        sedation__last_clear_liquids="2026-03-29T05:00",
    )
    # 6.5 h on the wall clock, 5.5 h of real time: short of the 6 h hold.
    message = vp.only(vp.run(doc), "warnings", "history.anticoagulants")
    assert "last dose 5.5 h" in message


def test_fall_back_counts_for_the_hold(vp, berlin):
    doc = night(
        vp,
        "2026-10-25T06:30",
        history__anticoagulants=[{"drug": "heparin_iv", "last_dose": "2026-10-25T01:30"}],
        sedation__last_solids="2026-10-24T20:00",
        sedation__last_clear_liquids="2026-10-25T03:00",
    )
    # 5 h on the wall clock, 6 h of real time: the 6 h hold is met.
    result = vp.run(doc)
    vp.clean(result)
    assert result["anticoagulant_holds"][0]["hours_before_start"] == 6
