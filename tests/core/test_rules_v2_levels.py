"""Spec §6.5: level count and adjacency warnings on ``levels`` (v2), through ``evaluate``'s JSON."""

from __future__ import annotations

import pytest

COUNT = "levels — confirm each one against the imaging"
GAP = "Levels are not adjacent — confirm each one against the imaging."


def level_messages(result):
    return [w["message"] for w in result["warnings"] if w["item"] == "levels"]


@pytest.mark.parametrize(
    "levels",
    [
        ["L2"],
        ["L1", "L2", "L3"],
        ["T11", "T12", "L1"],
        ["T12", "L1"],
        ["L5", "S1"],
        ["L4", "L5", "S1"],
        ["S1", "S2", "S3"],
    ],
)
def test_up_to_three_adjacent_levels_are_quiet(vp, levels):
    vp.clean(vp.run(vp.doc(levels)))


@pytest.mark.parametrize(
    ("levels", "count"), [(["L1", "L2", "L3", "L4"], 4), (["T10", "T11", "T12", "L1", "L2"], 5)]
)
def test_more_than_three_levels_warn_with_the_count(vp, levels, count):
    result = vp.run(vp.doc(levels))
    assert level_messages(result) == [f"{count} {COUNT}."]
    assert result["ready_to_sign"] is False


@pytest.mark.parametrize(
    "levels",
    [["L2", "L4"], ["T12", "L2"], ["L5", "S2"], ["T11", "L1"], ["T8", "T10"], ["L2", "L3", "L5"]],
)
def test_a_gap_warns(vp, levels):
    result = vp.run(vp.doc(levels))
    assert level_messages(result) == [GAP]
    assert result["ready_to_sign"] is False


def test_seven_non_adjacent_levels_raise_both_warnings_and_one_acknowledgement_covers_them(vp):
    levels = ["T8", "T10", "T12", "L2", "L4", "S1", "S3"]
    doc = vp.doc(levels)
    result = vp.run(doc)
    assert level_messages(result) == [f"7 {COUNT}.", GAP]
    doc["acknowledgements"] = {
        "levels": {"reason": "multi-level plan", "physician_informed": "Dr B"}
    }
    assert vp.run(doc)["ready_to_sign"] is True


def test_input_order_does_not_make_a_gap(vp):
    vp.clean(vp.run(vp.doc(["L1", "T12", "L2"])))


def test_v1_pinned_does_not_warn_on_count_or_gap(vp1):
    vp1.clean(vp1.run(vp1.doc(["L1", "L2", "L4", "L5"])))
