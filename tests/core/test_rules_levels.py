"""Spec §2: levels, regions, upper-thoracic warning, attire and pillow derivations."""

from __future__ import annotations

import pytest

ALL_LEVELS = (
    [f"T{n}" for n in range(1, 13)]
    + [f"L{n}" for n in range(1, 6)]
    + [f"S{n}" for n in range(1, 6)]
)
UPPER_THORACIC = [f"T{n}" for n in range(1, 7)]
LOWER_LEVELS = [lvl for lvl in ALL_LEVELS if lvl not in UPPER_THORACIC]


def test_to_json_has_the_documented_keys(vp):
    result = vp.run(vp.doc(["L2"]))
    assert {
        "regions",
        "requirements",
        "warnings",
        "stops",
        "errors",
        "missing",
        "allergy_flags",
        "ready_to_sign",
    } <= set(result)


@pytest.mark.parametrize("level", LOWER_LEVELS)
def test_complete_document_for_a_lower_level_is_ready(vp, level):
    vp.clean(vp.run(vp.doc([level])))


@pytest.mark.parametrize("level", UPPER_THORACIC)
def test_upper_thoracic_level_warns_on_levels(vp, level):
    result = vp.run(vp.doc([level]))
    message = vp.only(result, "warnings", "levels")
    assert level in message
    assert "confirm with the interventional radiologist" in message
    assert result["warnings"][0]["acknowledged"] is False
    assert result["ready_to_sign"] is False


def test_t7_is_the_first_level_without_the_upper_thoracic_warning(vp):
    vp.clean(vp.run(vp.doc(["T7"])))


def test_upper_thoracic_warning_names_every_upper_level_once(vp):
    result = vp.run(vp.doc(["T5", "T6", "T7"]))
    message = vp.only(result, "warnings", "levels")
    assert "T5" in message and "T6" in message and "T7" not in message


def test_upper_thoracic_warning_acknowledged_unblocks(vp):
    doc = vp.doc(["T6"])
    doc["acknowledgements"] = {
        "levels": {"reason": "IR confirmed T6 on MRI", "physician_informed": "Dr. B"}
    }
    result = vp.run(doc)
    assert [w["item"] for w in result["warnings"]] == ["levels"]
    assert result["warnings"][0]["acknowledged"] is True
    assert result["ready_to_sign"] is True


@pytest.mark.parametrize(
    ("levels", "regions", "attire", "pillow"),
    [
        (["T8"], ["thoracic"], "gown", "chest"),
        (["T12"], ["thoracic"], "gown", "chest"),
        (["L2"], ["lumbar"], "own_clothes", "abdomen"),
        (["L1"], ["lumbar"], "own_clothes", "abdomen"),
        (["S1"], ["sacral"], "own_clothes", "abdomen"),
        (["S5"], ["sacral"], "own_clothes", "abdomen"),
        (["T12", "L1"], ["thoracic", "lumbar"], "gown", "chest"),
        (["L1", "T12"], ["thoracic", "lumbar"], "gown", "chest"),
        (["L5", "S1"], ["lumbar", "sacral"], "own_clothes", "abdomen"),
        (["T11", "S2"], ["thoracic", "sacral"], "gown", "chest"),
        (["L3", "L4", "L5"], ["lumbar"], "own_clothes", "abdomen"),
    ],
)
def test_regions_and_requirements(vp1, levels, regions, attire, pillow):
    """Template v1 (pinned): v2 also warns on T11 + S2's gap, see test_rules_v2_levels.py."""
    vp = vp1
    result = vp.run(vp.doc(levels))
    assert result["regions"] == regions
    assert result["requirements"] == {
        "clothing.attire": attire,
        "positioning.pillow_torso": pillow,
    }
    vp.clean(result)


def test_levels_are_returned_cranial_to_caudal_and_upper_case(vp):
    result = vp.run(vp.doc(["s1", "l5"]))
    assert result["levels"] == ["L5", "S1"]
    assert result["regions"] == ["lumbar", "sacral"]
    vp.clean(result)


@pytest.mark.parametrize("levels", [["l2"], ["t12", "l1"], [" L2 "], ["s1"]])
def test_lowercase_and_padded_levels_are_accepted(vp, levels):
    result = vp.run(vp.doc(levels))
    assert result["levels"] == [lvl.strip().upper() for lvl in levels]
    vp.clean(result)


@pytest.mark.parametrize(
    "levels",
    [
        ["C5"],
        ["L6"],
        ["T13"],
        ["T0"],
        ["S6"],
        ["L2", "L2"],
        ["L2", "l2"],
        ["T12", "L1", "T12"],
        [],
        "L2",
        [2],
        [""],
        ["L2", None],
    ],
)
def test_invalid_levels_are_an_error_on_levels(vp, levels):
    result = vp.run(vp.doc(["L2"]) | {"levels": levels})
    assert vp.items(result, "errors") == ["levels"]
    assert result["ready_to_sign"] is False
    assert result["regions"] == []
    assert result["requirements"] == {"clothing.attire": None, "positioning.pillow_torso": None}


@pytest.mark.parametrize("level", ["C5", "L6"])
def test_level_outside_the_list_message_names_the_level_and_the_choices(vp, level):
    result = vp.run(vp.doc(["L2"]) | {"levels": [level]})
    message = result["errors"][0]["message"]
    assert level in message
    assert "T1" in message and "L5" in message and "S5" in message


def test_duplicate_level_message_says_twice(vp):
    result = vp.run(vp.doc(["L2"]) | {"levels": ["L2", "l2"]})
    assert "L2" in result["errors"][0]["message"]
    assert "twice" in result["errors"][0]["message"]


def test_missing_levels_is_listed_as_missing(vp):
    doc = vp.doc(["L2"])
    del doc["levels"]
    result = vp.run(doc)
    assert result["missing"] == ["levels"]
    assert result["ready_to_sign"] is False


# --- clothing.attire (§2, §3 clothing) ---------------------------------------------------------


@pytest.mark.parametrize("levels", [["T8"], ["T12", "L1"], ["T7"], ["T11", "S2"]])
def test_own_clothes_with_a_thoracic_level_is_a_hard_stop(vp, vp1, levels):
    """Both versions; v2's gap warning on T11 + S2 is on levels, not attire."""
    if levels == ["T11", "S2"]:
        vp = vp1
    doc = vp.doc(levels, clothing__attire="own_clothes")
    result = vp.run(doc)
    message = vp.only(result, "stops", "clothing.attire")
    assert "gown" in message
    assert result["ready_to_sign"] is False


def test_attire_stop_is_not_lifted_by_an_acknowledgement(vp):
    doc = vp.doc(["T8"], clothing__attire="own_clothes")
    doc["acknowledgements"] = {
        "clothing.attire": {"reason": "patient refuses", "physician_informed": "Dr. B"}
    }
    result = vp.run(doc)
    assert vp.items(result, "stops") == ["clothing.attire"]
    assert result["ready_to_sign"] is False


@pytest.mark.parametrize("levels", [["L2"], ["S1"], ["L5", "S1"], ["L1"]])
def test_gown_is_accepted_for_lumbar_and_sacral(vp, levels):
    vp.clean(vp.run(vp.doc(levels, clothing__attire="gown")))


@pytest.mark.parametrize("levels", [["L2"], ["S1"], ["L5", "S1"]])
def test_own_clothes_is_accepted_for_lumbar_and_sacral(vp, levels):
    vp.clean(vp.run(vp.doc(levels, clothing__attire="own_clothes")))


# --- positioning.pillow_torso (§2, §3 positioning) ---------------------------------------------


@pytest.mark.parametrize(
    ("levels", "contrary"),
    [
        (["T8"], "abdomen"),
        (["L2"], "chest"),
        (["S1"], "chest"),
        (["T12", "L1"], "abdomen"),
        (["L5", "S1"], "chest"),
    ],
)
def test_pillow_contradicting_the_derivation_is_a_warning_not_a_stop(vp, levels, contrary):
    result = vp.run(vp.doc(levels, positioning__pillow_torso=contrary))
    message = vp.only(result, "warnings", "positioning.pillow_torso")
    assert "reason" in message
    assert result["warnings"][0]["acknowledged"] is False
    assert result["ready_to_sign"] is False


def test_pillow_mismatch_acknowledged_is_ready(vp):
    doc = vp.doc(["L2"], positioning__pillow_torso="chest")
    doc["acknowledgements"] = {
        "positioning.pillow_torso": {"reason": "kyphosis", "physician_informed": "Dr. B"}
    }
    result = vp.run(doc)
    assert result["warnings"] == [
        {
            "item": "positioning.pillow_torso",
            "message": result["warnings"][0]["message"],
            "acknowledged": True,
        }
    ]
    assert result["ready_to_sign"] is True


def test_mixed_levels_pillow_follows_the_most_cranial_level_whatever_the_input_order(vp):
    result = vp.run(vp.doc(["L1", "T12"]))
    assert result["requirements"]["positioning.pillow_torso"] == "chest"
    vp.clean(result)


def test_pillow_under_the_legs_is_always_required(vp):
    for levels in (["T8"], ["L2"], ["S1"]):
        doc = vp.doc(levels)
        del doc["answers"]["positioning.pillow_legs"]
        assert vp.run(doc)["missing"] == ["positioning.pillow_legs"]
