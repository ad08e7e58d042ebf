"""Spec §6.1: every "no" of template v2 is a stop or a warning as the spec lists it, and the rule
engine fails closed on a required confirm "no" that states no consequence — v1 included."""

from __future__ import annotations

import pytest

from vpchecklist.templates import bundled_template

ACK = {"reason": "discussed, proceed", "physician_informed": "Dr. B"}

#: Spec §6.1, written out by hand: each item whose "no" is a hard stop, with words of its message.
NO_IS_A_STOP = {
    "identity.wristband_checked": "wristband",
    "identity.procedure_confirmed": "procedure",
    "identity.levels_match_consent": "consent",
    "identity.levels_match_imaging": "imaging",
    "consent.signed": "consent",
    "consent.matches_procedure_and_levels": "consent",
    "consent.risks_explained": "risks",
    "history.imaging_available": "imaging",
    "sedation.airway_assessed": "airway",
    "sedation.monitoring_ready": "monitoring",
    "sedation.reversal_agents": "reversal",
    "skin.site_intact": "skin",
    "skin.sterile_drape_ready": "drape",
    "timeout.performed": "time-out",
}

#: Spec §6.1: each item whose "no" is a warning (acknowledged with reason + physician).
NO_IS_A_WARNING = {
    "identity.site_marked": "marked",
    "history.pregnancy_excluded": "pregnancy",
    "sedation.escort": "admission or a supervised discharge must be arranged",
    "clothing.metal_removed": "metal",
    "positioning.prone_tolerance": "prone",
    "positioning.pillow_legs": "legs",
    "positioning.pressure_points": "pressure points",
    "education.recovery_explained": "recovery",
    "education.aftercare_explained": "aftercare",
}


def test_the_lists_cover_every_required_confirm_item_of_v2_but_active_infection():
    v2 = bundled_template("2")
    confirms = {i.id for i in v2.items if i.kind == "confirm" and i.required}
    assert confirms - {"history.active_infection"} == set(NO_IS_A_STOP) | set(NO_IS_A_WARNING)
    assert not set(NO_IS_A_STOP) & set(NO_IS_A_WARNING)


@pytest.mark.parametrize(("item_id", "words"), NO_IS_A_STOP.items())
def test_no_is_a_hard_stop_in_v2(vp, item_id, words):
    result = vp.answer(item_id, "no")
    assert result["template_version"] == 2
    assert words in vp.only(result, "stops", item_id).lower()
    assert result["ready_to_sign"] is False


@pytest.mark.parametrize("item_id", NO_IS_A_STOP)
def test_a_stop_is_not_lifted_by_an_acknowledgement(vp, item_id):
    doc = vp.doc(["L2"])
    doc["answers"][item_id] = "no"
    doc["acknowledgements"] = {item_id: ACK}
    result = vp.run(doc)
    assert [s["item"] for s in result["stops"]] == [item_id]
    assert result["ready_to_sign"] is False


@pytest.mark.parametrize(("item_id", "words"), NO_IS_A_WARNING.items())
def test_no_is_a_warning_in_v2_and_its_acknowledgement_unblocks(vp, item_id, words):
    result = vp.answer(item_id, "no")
    assert words in vp.only(result, "warnings", item_id).lower()
    assert result["ready_to_sign"] is False
    doc = vp.doc(["L2"])
    doc["answers"][item_id] = "no"
    doc["acknowledgements"] = {item_id: ACK}
    result = vp.run(doc)
    assert result["warnings"][0]["acknowledged"] is True
    assert result["stops"] == [] and result["ready_to_sign"] is True


@pytest.mark.parametrize("item_id", [*NO_IS_A_STOP, *NO_IS_A_WARNING])
def test_yes_is_quiet(vp, item_id):
    vp.clean(vp.answer(item_id, "yes"))


@pytest.mark.parametrize("item_id", ["identity.site_marked", "history.pregnancy_excluded"])
def test_na_is_still_allowed_where_no_is_a_warning(vp, item_id):
    vp.clean(vp.answer(item_id, {"na": "per site policy"}))


def test_active_infection_keeps_yes_as_the_stop_and_no_as_the_safe_answer(vp, vp1):
    for checklist in (vp, vp1):
        checklist.only(
            checklist.answer("history.active_infection", "yes"), "stops", "history.active_infection"
        )
        checklist.clean(checklist.answer("history.active_infection", "no"))


# --- v1 pinned: evaluates as before, except a "no" without a stated consequence now stops ------

#: v1's required confirm items whose "no" has a consequence in the v1 file (unchanged).
V1_STATED = {
    "identity.levels_match_consent": "stops",
    "identity.levels_match_imaging": "stops",
    "consent.signed": "stops",
    "consent.matches_procedure_and_levels": "stops",
    "skin.site_intact": "stops",
    "history.pregnancy_excluded": "warnings",
    "positioning.prone_tolerance": "warnings",
}
V1_UNSTATED = [
    i.id
    for i in bundled_template("1").items
    if i.kind == "confirm"
    and i.required
    and i.id not in V1_STATED
    and i.id != "history.active_infection"
]


def test_v1_has_sixteen_required_confirm_items_that_state_nothing_for_no():
    assert len(V1_UNSTATED) == 16
    assert "timeout.performed" in V1_UNSTATED and "identity.wristband_checked" in V1_UNSTATED


@pytest.mark.parametrize("item_id", V1_UNSTATED)
def test_v1_no_without_a_consequence_is_now_a_hard_stop_naming_the_label(vp1, item_id):
    result = vp1.answer(item_id, "no")
    assert result["template_version"] == 1
    label = bundled_template("1").item(item_id).label
    assert vp1.only(result, "stops", item_id) == f"{label}: answered no"
    assert result["ready_to_sign"] is False


@pytest.mark.parametrize(("item_id", "kind"), V1_STATED.items())
def test_v1_no_with_a_consequence_is_as_before(vp1, item_id, kind):
    vp1.only(vp1.answer(item_id, "no"), kind, item_id)


def test_v1_benign_document_is_ready_and_has_no_v2_items(vp1):
    result = vp1.run(vp1.doc(["L2"]))
    vp1.clean(result)
    assert result["template_version"] == 1
    doc = vp1.doc(["L2"], sedation__weight_kg=70)
    assert [e["item"] for e in vp1.run(doc)["errors"]] == ["sedation.weight_kg"]


def test_v2_benign_document_is_ready(vp):
    vp.clean(vp.run(vp.doc(["L2"])))
    vp.clean(vp.run(vp.doc(["T12", "L1"])))
