"""Spec §6.4: the four new items of template v2 and their ranges, through ``evaluate``'s JSON."""

from __future__ import annotations

import pytest

from vpchecklist.templates import bundled_template


def test_the_new_items_are_required_in_v2_and_absent_from_v1():
    v1, v2 = bundled_template("1"), bundled_template("2")
    new = [
        "history.neuro_baseline",
        "sedation.weight_kg",
        "sedation.osa_risk",
        "timeout.antibiotic",
    ]
    for item_id in new:
        assert v2.item(item_id) is not None and v2.item(item_id).required, item_id
        assert v1.item(item_id) is None
    assert {i.id for i in v2.items} - {i.id for i in v1.items} == set(new)


@pytest.mark.parametrize(
    "item_id",
    ["history.neuro_baseline", "sedation.weight_kg", "sedation.osa_risk", "timeout.antibiotic"],
)
def test_each_new_item_unanswered_is_missing(vp, item_id):
    doc = vp.doc(["L2"])
    del doc["answers"][item_id]
    result = vp.run(doc)
    assert result["missing"] == [item_id]
    assert result["ready_to_sign"] is False


def test_neuro_baseline_deficit_warns_normal_is_quiet(vp):
    message = vp.only(
        vp.answer("history.neuro_baseline", "deficit"), "warnings", "history.neuro_baseline"
    )
    assert "baseline" in message
    vp.clean(vp.answer("history.neuro_baseline", "normal"))


@pytest.mark.parametrize("value", [40, 40.0, 70, 159.9, 160])
def test_weight_40_to_160_is_quiet(vp, value):
    vp.clean(vp.answer("sedation.weight_kg", value))


@pytest.mark.parametrize(
    ("value", "words"),
    [(20, "below 40"), (39.9, "below 40"), (160.1, "above 160"), (350, "above 160")],
)
def test_weight_below_40_or_above_160_warns(vp, value, words):
    assert words in vp.only(
        vp.answer("sedation.weight_kg", value), "warnings", "sedation.weight_kg"
    )


@pytest.mark.parametrize("value", [19.9, 0, -70, 350.1, 1000, "heavy", True])
def test_weight_outside_20_to_350_is_an_input_error(vp, value):
    vp.only(vp.answer("sedation.weight_kg", value), "errors", "sedation.weight_kg")


def test_osa_risk_high_warns_low_is_quiet(vp):
    message = vp.only(vp.answer("sedation.osa_risk", "high"), "warnings", "sedation.osa_risk")
    assert "capnography" in message
    vp.clean(vp.answer("sedation.osa_risk", "low"))


@pytest.mark.parametrize("value", ["given", "not_indicated"])
def test_antibiotic_either_answer_is_quiet(vp, value):
    vp.clean(vp.answer("timeout.antibiotic", value))


@pytest.mark.parametrize(
    ("item_id", "value"),
    [
        ("timeout.antibiotic", "no"),
        ("sedation.osa_risk", "medium"),
        ("history.neuro_baseline", "yes"),
    ],
)
def test_other_choices_are_input_errors(vp, item_id, value):
    vp.only(vp.answer(item_id, value), "errors", item_id)
