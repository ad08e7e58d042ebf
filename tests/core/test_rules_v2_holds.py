"""Spec §6.2: anticoagulants and antiplatelets as a list of {drug, last_dose} against the hold
table in hours, through ``evaluate``'s JSON (planned start 2026-03-10T10:00)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from vpchecklist.templates import bundled_template

ITEM = "history.anticoagulants"
PLANNED = datetime(2026, 3, 10, 10, 0)

#: Spec §6.2's table, written out by hand (hours).
SPEC_HOLDS = {
    "warfarin": 120,
    "heparin_iv": 6,
    "enoxaparin_therapeutic": 24,
    "enoxaparin_prophylactic": 12,
    "fondaparinux": 72,
    "clopidogrel": 120,
    "prasugrel": 168,
    "apixaban": 72,
    "rivaroxaban": 72,
    "edoxaban": 72,
    "dabigatran": 96,
    "aspirin": 120,
    "ticagrelor": 120,
}


def dose(drug: str, hours_before: float, **extra: str) -> dict[str, str]:
    moment = PLANNED - timedelta(hours=hours_before)
    return {"drug": drug, "last_dose": moment.strftime("%Y-%m-%dT%H:%M"), **extra}


def test_the_template_holds_are_the_spec_table():
    item = bundled_template("2").item(ITEM)
    assert {d.id: d.hold_hours for d in item.drugs if d.id != "other"} == SPEC_HOLDS
    other = item.drug("other")
    assert other is not None and other.hold_hours is None and other.asks_name


@pytest.mark.parametrize(("drug", "hold"), SPEC_HOLDS.items())
def test_a_last_dose_one_minute_short_of_the_hold_warns_naming_drug_and_hours(vp, drug, hold):
    result = vp.answer(ITEM, [dose(drug, hold - 1 / 60)])
    message = vp.only(result, "warnings", ITEM)
    label = bundled_template("2").item(ITEM).drug(drug).label
    assert message.startswith(f"{label}: last dose {hold - 0.1:g} h")
    assert f"hold {hold} h" in message
    assert result["ready_to_sign"] is False
    assert result["anticoagulant_holds"] == [
        {
            "drug": drug,
            "name": label,
            "last_dose": dose(drug, hold - 1 / 60)["last_dose"],
            "hours_before_start": round(hold - 1 / 60, 2),
            "hold_hours": hold,
        }
    ]


@pytest.mark.parametrize(("drug", "hold"), SPEC_HOLDS.items())
def test_a_last_dose_exactly_the_hold_before_is_quiet(vp, drug, hold):
    result = vp.answer(ITEM, [dose(drug, hold)])
    vp.clean(result)
    assert result["anticoagulant_holds"][0]["hours_before_start"] == hold


def test_clopidogrel_taken_yesterday_warns_whatever_else_is_said(vp):
    message = vp.only(vp.answer(ITEM, [dose("clopidogrel", 26)]), "warnings", ITEM)
    assert message == (
        "Clopidogrel: last dose 26 h before the planned start; hold 120 h "
        "(SIR 2019, high bleeding risk)."
    )


def test_each_drug_of_several_is_judged_on_its_own(vp):
    result = vp.answer(ITEM, [dose("aspirin", 200), dose("apixaban", 48), dose("heparin_iv", 5.5)])
    messages = [w["message"] for w in result["warnings"]]
    assert [w["item"] for w in result["warnings"]] == [ITEM, ITEM]
    assert messages[0].startswith("Apixaban: last dose 48 h") and "hold 72 h" in messages[0]
    assert messages[1].startswith("Heparin") and "5.5 h" in messages[1]
    assert [h["drug"] for h in result["anticoagulant_holds"]] == [
        "aspirin",
        "apixaban",
        "heparin_iv",
    ]


def test_one_acknowledgement_covers_the_item(vp):
    doc = vp.doc(["L2"], history__anticoagulants=[dose("apixaban", 48), dose("aspirin", 24)])
    doc["acknowledgements"] = {ITEM: {"reason": "IR accepts", "physician_informed": "Dr. B"}}
    assert vp.run(doc)["ready_to_sign"] is True


def test_other_warns_that_the_physician_confirms_the_hold(vp):
    result = vp.answer(ITEM, [dose("other", 500, name="Cilostazol")])
    assert vp.only(result, "warnings", ITEM) == (
        "Cilostazol: agent not in the hold table — the physician confirms the hold."
    )
    assert result["anticoagulant_holds"][0]["hold_hours"] is None
    assert result["anticoagulant_holds"][0]["name"] == "Cilostazol"


def test_a_last_dose_after_the_planned_start_is_an_input_error(vp):
    result = vp.answer(ITEM, [dose("apixaban", -1)])
    assert "after the planned start" in vp.only(result, "errors", ITEM)


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ([{"drug": "coumadin", "last_dose": "2026-03-01T08:00"}], "not a known drug"),
        ([{"drug": "Apixaban", "last_dose": "2026-03-01T08:00"}], "not a known drug"),
        ([{"drug": "apixaban"}], "last_dose"),
        ([{"drug": "apixaban", "last_dose": "yesterday"}], "date and time"),
        ([{"drug": "other", "last_dose": "2026-03-01T08:00"}], "name"),
        ([{"drug": "other", "name": " ", "last_dose": "2026-03-01T08:00"}], "name"),
        ([{"drug": "apixaban", "name": "Eliquis", "last_dose": "2026-03-01T08:00"}], "only"),
        ([{"drug": "apixaban", "last_dose": "2026-03-01T08:00", "held": "yes"}], "unknown field"),
        ({"drug": "apixaban", "last_dose": "2026-03-01T08:00", "held": "yes"}, "list"),
        (["apixaban"], "object"),
        ([], "list"),
        ("apixaban", "list"),
    ],
)
def test_malformed_anticoagulants_are_input_errors(vp, value, words):
    result = vp.answer(ITEM, value)
    assert words in vp.only(result, "errors", ITEM)


@pytest.mark.parametrize("value", ["none", "None"])
def test_none_is_quiet(vp, value):
    result = vp.answer(ITEM, value)
    vp.clean(result)
    assert result["anticoagulant_holds"] == []
