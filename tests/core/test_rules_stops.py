"""Spec §3/§4: hard stops, confirm-answer warnings and allergy flags."""

from __future__ import annotations

import pytest

ACK = {"reason": "discussed, proceed", "physician_informed": "Dr. B"}


# --- hard stops ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("item_id", "value", "words"),
    [
        ("identity.levels_match_consent", "no", "consent"),
        ("identity.levels_match_imaging", "no", "imaging"),
        ("consent.signed", "no", "consent"),
        ("consent.matches_procedure_and_levels", "no", "consent"),
        ("history.active_infection", "yes", "infection"),
        ("skin.site_intact", "no", "skin"),
        ("identity.levels_match_consent", "NO", "consent"),
        ("history.active_infection", " Yes ", "infection"),
    ],
)
def test_hard_stop(vp, item_id, value, words):
    result = vp.answer(item_id, value)
    message = vp.only(result, "stops", item_id)
    assert words in message.lower()
    assert result["ready_to_sign"] is False


@pytest.mark.parametrize(
    ("item_id", "value"),
    [
        ("identity.levels_match_consent", "yes"),
        ("identity.levels_match_imaging", "yes"),
        ("consent.signed", "yes"),
        ("consent.matches_procedure_and_levels", "yes"),
        ("history.active_infection", "no"),
        ("skin.site_intact", "yes"),
    ],
)
def test_benign_answer_to_a_stop_item_is_quiet(vp, item_id, value):
    vp.clean(vp.answer(item_id, value))


@pytest.mark.parametrize(
    ("item_id", "value"),
    [("consent.signed", "no"), ("history.active_infection", "yes"), ("skin.site_intact", "no")],
)
def test_hard_stop_is_not_lifted_by_an_acknowledgement(vp, item_id, value):
    doc = vp.doc(["L2"])
    doc["answers"][item_id] = value
    doc["acknowledgements"] = {item_id: ACK}
    result = vp.run(doc)
    assert vp.items(result, "stops") == [item_id]
    assert result["ready_to_sign"] is False


def test_several_stops_are_all_reported_in_template_order(vp):
    doc = vp.doc(
        ["T8"],
        skin__site_intact="no",
        consent__signed="no",
        clothing__attire="own_clothes",
        identity__levels_match_imaging="no",
    )
    result = vp.run(doc)
    assert vp.items(result, "stops") == [
        "identity.levels_match_imaging",
        "consent.signed",
        "clothing.attire",
        "skin.site_intact",
    ]
    assert result["ready_to_sign"] is False


# --- v1 (pinned): chlorhexidine antiseptic vs a recorded chlorhexidine allergy-----------------------------


@pytest.mark.parametrize(
    "allergies",
    [
        ["chlorhexidine"],
        ["Chlorhexidine"],
        ["CHLORHEXIDINE gluconate wipes"],
        ["penicillin", "skin prep (chlorhexidine)"],
    ],
)
def test_chlorhexidine_with_a_chlorhexidine_allergy_is_a_hard_stop(vp1, allergies):
    result = vp1.run(vp1.doc(["L2"], history__allergies=allergies))
    message = vp1.only(result, "stops", "skin.antiseptic")
    assert "chlorhexidine" in message.lower()
    assert result["ready_to_sign"] is False


def test_povidone_iodine_with_a_chlorhexidine_allergy_is_fine(vp1):
    result = vp1.run(
        vp1.doc(["L2"], history__allergies=["Chlorhexidine"], skin__antiseptic="povidone_iodine")
    )
    vp1.clean(result)
    assert [f["id"] for f in result["allergy_flags"]] == ["chlorhexidine"]


@pytest.mark.parametrize("allergies", ["none", ["penicillin"], ["latex"]])
def test_chlorhexidine_without_a_chlorhexidine_allergy_is_fine(vp1, allergies):
    vp1.clean(vp1.run(vp1.doc(["L2"], history__allergies=allergies)))


# --- warnings from confirm / anticoagulant answers ------------------------------------------------


@pytest.mark.parametrize(
    ("item_id", "value", "words"),
    [
        ("history.pregnancy_excluded", "no", "pregnancy"),
        ("positioning.prone_tolerance", "no", "prone"),
        (
            "history.anticoagulants",
            {"drug": "apixaban", "last_dose": "2026-03-09T08:00", "held": "no"},
            "not held",
        ),
        (
            "history.anticoagulants",
            {"drug": "apixaban", "last_dose": "2026-03-09T08:00", "held": "No"},
            "not held",
        ),
    ],
)
def test_warning_answers(vp1, item_id, value, words):
    result = vp1.answer(item_id, value)
    assert words in vp1.only(result, "warnings", item_id).lower()
    assert result["warnings"][0]["acknowledged"] is False
    assert result["ready_to_sign"] is False


@pytest.mark.parametrize(
    ("item_id", "value"),
    [
        ("history.pregnancy_excluded", "yes"),
        ("history.pregnancy_excluded", {"na": "male patient"}),
        ("positioning.prone_tolerance", "yes"),
        ("history.anticoagulants", "none"),
        ("history.anticoagulants", "None"),
        (
            "history.anticoagulants",
            {"drug": "apixaban", "last_dose": "2026-03-07T08:00", "held": "yes"},
        ),
    ],
)
def test_benign_answers_to_warning_items(vp1, item_id, value):
    vp1.clean(vp1.answer(item_id, value))


@pytest.mark.parametrize(
    "value",
    [
        {"drug": "apixaban", "last_dose": "2026-03-09T08:00"},
        {"drug": "apixaban", "last_dose": "2026-03-09T08:00", "held": "maybe"},
        {"drug": "", "last_dose": "2026-03-09T08:00", "held": "yes"},
        {"drug": "apixaban", "last_dose": "yesterday", "held": "yes"},
        {"drug": "apixaban", "last_dose": "2026-03-09T08:00", "held": "yes", "dose": "5 mg"},
        "apixaban",
        [],
    ],
)
def test_malformed_anticoagulants_are_an_error(vp1, value):
    vp1.only(vp1.answer("history.anticoagulants", value), "errors", "history.anticoagulants")


# --- allergy flags ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("allergy", "flag"),
    [
        ("Contrast dye", "contrast"),
        ("IV CONTRAST", "contrast"),
        ("Iodine", "contrast"),
        ("iodinated contrast media", "contrast"),
        ("Lidocaine", "local_anaesthetic"),
        ("local anaesthetics", "local_anaesthetic"),
        ("LATEX", "latex"),
        ("latex gloves", "latex"),
        ("Chlorhexidine", "chlorhexidine"),
        ("Midazolam", "sedatives_opioids"),
        ("fentanyl patch", "sedatives_opioids"),
        ("Opioids", "sedatives_opioids"),
    ],
)
def test_each_recognised_allergy_raises_its_flag(vp1, allergy, flag):
    result = vp1.run(
        vp1.doc(["L2"], history__allergies=[allergy], skin__antiseptic="povidone_iodine")
    )
    assert result["allergy_flags"] == [
        {"id": flag, "label": result["allergy_flags"][0]["label"], "matches": [allergy]}
    ]
    assert result["allergy_flags"][0]["label"]
    # A flag is a banner, not a blocker.
    vp1.clean(result)


def test_allergy_flags_follow_template_order_and_collect_matches(vp1):
    allergies = ["fentanyl", "Latex", "penicillin", "contrast", "morphine (opioid)", "lidocaine"]
    result = vp1.run(vp1.doc(["L2"], history__allergies=allergies))
    flags = {f["id"]: f["matches"] for f in result["allergy_flags"]}
    assert list(flags) == ["contrast", "local_anaesthetic", "latex", "sedatives_opioids"]
    assert flags["sedatives_opioids"] == ["fentanyl", "morphine (opioid)"]
    assert flags["latex"] == ["Latex"]
    vp1.clean(result)


@pytest.mark.parametrize("allergies", ["none", "NONE", ["penicillin"], ["sulfa", "peanuts"]])
def test_no_recognised_allergy_means_no_flag(vp1, allergies):
    result = vp1.run(vp1.doc(["L2"], history__allergies=allergies))
    assert result["allergy_flags"] == []
    vp1.clean(result)


@pytest.mark.parametrize("value", [[], "", "penicillin", [""], [3], {"na": "unknown"}])
def test_malformed_allergies_are_an_error(vp1, value):
    result = vp1.answer("history.allergies", value)
    vp1.only(result, "errors", "history.allergies")
    assert result["allergy_flags"] == []
