"""Spec §3/§4: answer forms, N/A, missing items, acknowledgements and the checklist header."""

from __future__ import annotations

import pytest

from vpchecklist.errors import ValidationError
from vpchecklist.rules import evaluate
from vpchecklist.templates import default_template

ACK = {"reason": "INR repeat pending, IR aware", "physician_informed": "Dr. B"}
NA_ITEMS = [
    "identity.site_marked",
    "history.inr",
    "history.platelets",
    "history.pregnancy_excluded",
]


# --- N/A ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("item_id", NA_ITEMS)
def test_na_with_a_reason_counts_as_answered(vp, item_id):
    vp.clean(vp.answer(item_id, {"na": "not applicable per site policy"}))


@pytest.mark.parametrize("reason", ["", "   ", None, 3, ["x"]])
@pytest.mark.parametrize("item_id", NA_ITEMS)
def test_na_without_a_reason_is_an_error(vp, item_id, reason):
    result = vp.answer(item_id, {"na": reason})
    vp.only(result, "errors", item_id)
    assert result["ready_to_sign"] is False


def test_na_without_a_reason_message(vp):
    result = vp.answer("history.inr", {"na": ""})
    assert "reason" in result["errors"][0]["message"]


def test_na_with_extra_keys_is_an_error(vp):
    vp.only(vp.answer("history.inr", {"na": "lab closed", "value": 1.2}), "errors", "history.inr")


@pytest.mark.parametrize(
    "item_id",
    [item.id for item in default_template().items if item.id not in NA_ITEMS],
)
def test_na_on_an_item_that_does_not_allow_it_is_an_error(vp, item_id):
    result = vp.answer(item_id, {"na": "a perfectly good reason"})
    message = vp.only(result, "errors", item_id)
    assert "not applicable" in message
    assert result["ready_to_sign"] is False


def test_na_skips_the_threshold_checks(vp):
    doc = vp.doc(
        ["L2"],
        history__inr={"na": "not on anticoagulants, no liver disease"},
        history__platelets={"na": "recent count normal"},
    )
    vp.clean(vp.run(doc))


# --- unknown items, missing items ---------------------------------------------------------------


@pytest.mark.parametrize("item_id", ["history.foo", "inr", "HISTORY.INR", ""])
def test_unknown_item_id_is_an_error(vp, item_id):
    doc = vp.doc(["L2"])
    doc["answers"][item_id] = "yes"
    result = vp.run(doc)
    assert result["errors"] == [{"item": item_id, "message": "unknown item id"}]
    assert result["ready_to_sign"] is False


@pytest.mark.parametrize("item_id", [item.id for item in default_template().items])
def test_each_required_item_unanswered_is_listed_as_missing(vp, item_id):
    doc = vp.doc(["L2"])
    del doc["answers"][item_id]
    result = vp.run(doc)
    assert result["missing"] == [item_id]
    assert result["errors"] == [] and result["stops"] == []
    assert result["ready_to_sign"] is False


def test_no_answers_lists_every_item_as_missing_in_template_order(vp):
    doc = vp.doc(["L2"])
    doc["answers"] = {}
    result = vp.run(doc)
    assert result["missing"] == [item.id for item in default_template().items]
    assert result["ready_to_sign"] is False


def test_answers_not_an_object_is_an_error(vp):
    doc = vp.doc(["L2"])
    doc["answers"] = ["yes"]
    result = vp.run(doc)
    assert "answers" in vp.items(result, "errors")
    assert result["ready_to_sign"] is False


@pytest.mark.parametrize(
    ("item_id", "value"),
    [
        ("identity.wristband_checked", "maybe"),
        ("identity.wristband_checked", True),
        ("identity.wristband_checked", "y"),
        ("consent.interpreter", "yes"),
        ("skin.hair_removal", "shaved"),
        ("sedation.iv_access", ""),
        ("sedation.iv_access", "   "),
        ("sedation.iv_access", 20),
        ("clothing.attire", "scrubs"),
        ("positioning.pillow_torso", "head"),
    ],
)
def test_answer_of_the_wrong_form_is_an_error_not_missing(vp, item_id, value):
    result = vp.answer(item_id, value)
    vp.only(result, "errors", item_id)
    assert result["ready_to_sign"] is False


@pytest.mark.parametrize(("raw", "canonical"), [("YES", "yes"), (" no ", "no")])
def test_confirm_answers_are_case_insensitive(vp, raw, canonical):
    expected = vp.answer("identity.wristband_checked", canonical)
    assert vp.answer("identity.wristband_checked", raw) == expected


# --- acknowledgements ---------------------------------------------------------------------------


def _inr_warning_doc(vp, acknowledgements):
    doc = vp.doc(["L2"], history__inr=1.8)
    doc["acknowledgements"] = acknowledgements
    return doc


def test_unacknowledged_warning_blocks_sign_off(vp):
    result = vp.run(_inr_warning_doc(vp, {}))
    assert [(w["item"], w["acknowledged"]) for w in result["warnings"]] == [("history.inr", False)]
    assert result["ready_to_sign"] is False


def test_acknowledged_warning_unblocks_sign_off(vp):
    result = vp.run(_inr_warning_doc(vp, {"history.inr": ACK}))
    assert [(w["item"], w["acknowledged"]) for w in result["warnings"]] == [("history.inr", True)]
    assert result["errors"] == [] and result["stops"] == [] and result["missing"] == []
    assert result["ready_to_sign"] is True


@pytest.mark.parametrize(
    "ack",
    [
        {"physician_informed": "Dr. B"},
        {"reason": "", "physician_informed": "Dr. B"},
        {"reason": "   ", "physician_informed": "Dr. B"},
        {"reason": None, "physician_informed": "Dr. B"},
        {"reason": "repeat pending"},
        {"reason": "repeat pending", "physician_informed": ""},
        {},
        "ok",
        None,
    ],
)
def test_incomplete_acknowledgement_is_an_error_and_does_not_acknowledge(vp, ack):
    result = vp.run(_inr_warning_doc(vp, {"history.inr": ack}))
    assert vp.items(result, "errors") == ["history.inr"]
    assert [(w["item"], w["acknowledged"]) for w in result["warnings"]] == [("history.inr", False)]
    assert result["ready_to_sign"] is False


def test_every_warning_needs_its_own_acknowledgement(vp):
    doc = vp.doc(["L2"], history__inr=1.8, sedation__asa_class="IV", skin__dry_time_min=1)
    doc["acknowledgements"] = {"history.inr": ACK, "sedation.asa_class": ACK}
    result = vp.run(doc)
    assert [(w["item"], w["acknowledged"]) for w in result["warnings"]] == [
        ("history.inr", True),
        ("sedation.asa_class", True),
        ("skin.dry_time_min", False),
    ]
    assert result["ready_to_sign"] is False
    doc["acknowledgements"]["skin.dry_time_min"] = ACK
    assert vp.run(doc)["ready_to_sign"] is True


def test_acknowledgement_for_an_unknown_item_is_an_error(vp):
    result = vp.run(_inr_warning_doc(vp, {"history.inr": ACK, "history.foo": ACK}))
    assert vp.items(result, "errors") == ["history.foo"]
    assert result["ready_to_sign"] is False


def test_acknowledgements_not_an_object_is_an_error(vp):
    result = vp.run(_inr_warning_doc(vp, ["history.inr"]))
    assert "acknowledgements" in vp.items(result, "errors")
    assert result["ready_to_sign"] is False


# --- header -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "dob",
    [
        "02/03/1948",
        "1948-3-2",
        "1948-02-30",
        "1948-13-01",
        "03-02-1948",
        "",
        "yesterday",
        19480302,
        "1948-03-02T00:00",
        "1899-12-31",
        "2999-01-01",
    ],
)
def test_malformed_date_of_birth_is_an_error_naming_the_field(vp, dob):
    doc = vp.doc(["L2"])
    doc["patient"]["date_of_birth"] = dob
    result = vp.run(doc)
    assert vp.items(result, "errors") == ["patient.date_of_birth"]
    assert result["ready_to_sign"] is False


@pytest.mark.parametrize(
    "field",
    ["patient.name", "patient.date_of_birth", "patient.mrn", "planned_start", "physician"],
)
def test_missing_header_field_is_listed_as_missing(vp, field):
    doc = vp.doc(["L2"])
    if field.startswith("patient."):
        del doc["patient"][field.split(".")[1]]
    else:
        del doc[field]
    result = vp.run(doc)
    assert field in result["missing"]
    assert result["ready_to_sign"] is False


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("planned_start", "2026-03-10 10:00"),
        ("planned_start", "tomorrow"),
        ("physician", ""),
        ("physician", 7),
        ("patient.name", "   "),
        ("patient.mrn", "MRN 0001"),
        ("patient.mrn", ""),
    ],
)
def test_malformed_header_field_is_an_error_naming_the_field(vp, field, value):
    doc = vp.doc(["L2"])
    if field.startswith("patient."):
        doc["patient"][field.split(".")[1]] = value
    else:
        doc[field] = value
    result = vp.run(doc)
    assert field in vp.items(result, "errors")
    assert result["ready_to_sign"] is False


def test_unknown_document_field_is_an_error(vp):
    doc = vp.doc(["L2"]) | {"notes": "x"}
    result = vp.run(doc)
    assert vp.items(result, "errors") == ["notes"]
    assert result["ready_to_sign"] is False


def test_unknown_patient_field_is_an_error(vp):
    doc = vp.doc(["L2"])
    doc["patient"]["sex"] = "F"
    result = vp.run(doc)
    assert vp.items(result, "errors") == ["patient.sex"]


@pytest.mark.parametrize("doc", [None, [], "checklist", 3])
def test_a_document_that_is_not_an_object_is_refused(doc):
    with pytest.raises(ValidationError):
        evaluate(default_template(), doc)
