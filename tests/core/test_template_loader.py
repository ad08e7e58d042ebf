"""Bundled template v1 matches spec §2–§3, and broken templates are refused precisely.

v2 (spec §6) has its own tests in test_template_v2.py."""

from __future__ import annotations

import re

import pytest

from vpchecklist.errors import TemplateError
from vpchecklist.resources import templates_dir
from vpchecklist.templates import bundled_template, load_template, load_template_text

TEMPLATE_PATH = templates_dir() / "vertebroplasty-v1.toml"
SOURCE = "site/broken-vertebroplasty.toml"

#: Spec §3, written out by hand: section ids and their item ids, in order.
SPEC_SECTIONS: dict[str, list[str]] = {
    "identity": [
        "identity.wristband_checked",
        "identity.procedure_confirmed",
        "identity.levels_match_consent",
        "identity.levels_match_imaging",
        "identity.site_marked",
    ],
    "consent": [
        "consent.signed",
        "consent.matches_procedure_and_levels",
        "consent.risks_explained",
        "consent.interpreter",
    ],
    "history": [
        "history.allergies",
        "history.anticoagulants",
        "history.inr",
        "history.platelets",
        "history.active_infection",
        "history.pregnancy_excluded",
        "history.imaging_available",
    ],
    "sedation": [
        "sedation.last_solids",
        "sedation.meal_type",
        "sedation.last_clear_liquids",
        "sedation.asa_class",
        "sedation.airway_assessed",
        "sedation.iv_access",
        "sedation.baseline_bp",
        "sedation.baseline_hr",
        "sedation.baseline_spo2",
        "sedation.monitoring_ready",
        "sedation.reversal_agents",
        "sedation.escort",
    ],
    "clothing": ["clothing.attire", "clothing.metal_removed"],
    "positioning": [
        "positioning.prone_tolerance",
        "positioning.pillow_torso",
        "positioning.pillow_legs",
        "positioning.pressure_points",
    ],
    "skin": [
        "skin.site_intact",
        "skin.hair_removal",
        "skin.antiseptic",
        "skin.dry_time_min",
        "skin.sterile_drape_ready",
    ],
    "education": ["education.recovery_explained", "education.aftercare_explained"],
    "timeout": ["timeout.performed"],
}

SPEC_NA_ALLOWED = {
    "identity.site_marked",
    "history.inr",
    "history.platelets",
    "history.pregnancy_excluded",
}

SPEC_CHOICES = {
    "consent.interpreter": ["used", "not_needed"],
    "sedation.meal_type": ["light", "fatty"],
    "sedation.asa_class": ["I", "II", "III", "IV", "V"],
    "clothing.attire": ["gown", "own_clothes"],
    "positioning.pillow_torso": ["chest", "abdomen"],
    "skin.hair_removal": ["clipped", "not_needed"],
    "skin.antiseptic": ["chlorhexidine", "povidone_iodine"],
}

#: Number items: (min, max) accepted range from spec §3 (dry time: template's own range).
SPEC_NUMBERS = {
    "history.inr": (0.5, 10),
    "history.platelets": (1, 2000),
    "sedation.baseline_hr": (20, 250),
    "sedation.baseline_spo2": (50, 100),
    "skin.dry_time_min": (0, 60),
}

SPEC_KINDS = {
    **{item_id: "choice" for item_id in SPEC_CHOICES},
    **{item_id: "number" for item_id in SPEC_NUMBERS},
    "sedation.last_solids": "datetime",
    "sedation.last_clear_liquids": "datetime",
    "sedation.iv_access": "text",
    "sedation.baseline_bp": "blood_pressure",
    "history.allergies": "allergies",
    "history.anticoagulants": "anticoagulants",
}


@pytest.fixture(scope="module")
def text() -> str:
    return TEMPLATE_PATH.read_text(encoding="utf-8")


def _broken(text: str, old: str, new: str) -> str:
    """Return the template text with exactly one occurrence of ``old`` replaced."""
    assert text.count(old) == 1, f"fixture text not unique: {old!r}"
    return text.replace(old, new)


def _refused(text: str) -> str:
    with pytest.raises(TemplateError) as info:
        load_template_text(text, SOURCE)
    message = str(info.value)
    assert SOURCE in message
    return message


# --- the bundled template -----------------------------------------------------------------------


def test_bundled_template_loads_and_is_identified():
    template = bundled_template("1")
    assert template.id == "vertebroplasty"
    assert template.version == "1"
    assert template.title
    assert re.fullmatch(r"[0-9a-f]{64}", template.content_hash)


def test_bundled_template_via_load_template_equals_the_default(text):
    loaded = load_template(TEMPLATE_PATH)
    assert loaded == bundled_template("1")
    assert loaded == load_template_text(text, "anything.toml")


def test_sections_and_items_are_those_of_spec_section_3():
    template = bundled_template("1")
    assert [s.id for s in template.sections] == list(SPEC_SECTIONS)
    assert {s.id: [i.id for i in s.items] for s in template.sections} == SPEC_SECTIONS


def test_every_item_is_required():
    assert [i.id for i in bundled_template("1").items if not i.required] == []


def test_na_is_allowed_exactly_where_the_spec_says():
    assert {i.id for i in bundled_template("1").items if i.na_allowed} == SPEC_NA_ALLOWED


def test_item_kinds_match_the_spec():
    kinds = {i.id: i.kind for i in bundled_template("1").items}
    expected = {item_id: SPEC_KINDS.get(item_id, "confirm") for item_id in kinds}
    assert kinds == expected


def test_choice_options_match_the_spec():
    template = bundled_template("1")
    for item_id, options in SPEC_CHOICES.items():
        assert template.item(item_id).option_ids == options, item_id


def test_number_ranges_match_the_spec():
    template = bundled_template("1")
    for item_id, (low, high) in SPEC_NUMBERS.items():
        item = template.item(item_id)
        assert (item.min, item.max) == (low, high), item_id


def test_allowed_levels_and_regions_match_spec_section_2():
    levels = bundled_template("1").levels
    assert levels.allowed == (
        [f"T{n}" for n in range(1, 13)]
        + [f"L{n}" for n in range(1, 6)]
        + [f"S{n}" for n in range(1, 6)]
    )
    assert levels.regions == {"T": "thoracic", "L": "lumbar", "S": "sacral"}
    assert levels.upper_thoracic_warning_through == "T6"


def test_allergy_flags_match_the_spec():
    flags = {f.id: f.patterns for f in bundled_template("1").allergy_flags}
    assert flags == {
        "contrast": ["contrast", "iod"],
        "local_anaesthetic": ["lidocaine", "local"],
        "latex": ["latex"],
        "chlorhexidine": ["chlorhexidine"],
        "sedatives_opioids": ["midazolam", "fentanyl", "opioid"],
    }


def test_derivations_match_spec_section_2():
    derivations = bundled_template("1").derivations
    attire = derivations["attire"]
    assert attire.item == "clothing.attire"
    assert attire.by_region == {
        "thoracic": "gown",
        "lumbar": "own_clothes",
        "sacral": "own_clothes",
    }
    assert attire.mismatch_severity == "stop"
    pillow = derivations["pillow_torso"]
    assert pillow.item == "positioning.pillow_torso"
    assert pillow.by_region == {"thoracic": "chest", "lumbar": "abdomen", "sacral": "abdomen"}
    assert pillow.mixed_rule == "most_cranial"
    assert pillow.mismatch_severity == "warning"


def test_item_lookup():
    template = bundled_template("1")
    assert template.item("history.inr").kind == "number"
    assert template.item("history.nope") is None
    assert template.section_of("skin.antiseptic").id == "skin"


# --- refused templates --------------------------------------------------------------------------


def test_unknown_kind_is_refused(text):
    broken = _broken(
        text,
        'kind = "confirm"\nlabel = "Two identifiers',
        'kind = "slider"\nlabel = "Two identifiers',
    )
    message = _refused(broken)
    assert "identity.wristband_checked" in message
    assert "'kind'" in message
    assert "confirm" in message  # the kinds that are accepted


def test_choice_without_options_is_refused(text):
    broken = _broken(
        text,
        'options = [{ id = "used", label = "Used" }, { id = "not_needed", label = "Not needed" }]\n',
        "",
    )
    message = _refused(broken)
    assert "consent.interpreter" in message
    assert "option" in message


def test_choice_with_a_single_option_is_refused(text):
    broken = _broken(text, '{ id = "used", label = "Used" }, ', "")
    message = _refused(broken)
    assert "consent.interpreter" in message
    assert "option" in message


def test_duplicate_item_id_is_refused(text):
    broken = _broken(
        text, 'id = "identity.procedure_confirmed"', 'id = "identity.wristband_checked"'
    )
    message = _refused(broken)
    assert "identity.wristband_checked" in message
    assert "twice" in message


def test_equals_check_on_an_unknown_answer_is_refused(text):
    broken = _broken(
        text,
        'value = "no", severity = "stop", message = "Levels do not match the consent."',
        'value = "maybe", severity = "stop", message = "x"',
    )
    message = _refused(broken)
    assert "identity.levels_match_consent" in message
    assert "maybe" in message


def test_one_of_check_on_an_unknown_option_is_refused(text):
    broken = _broken(text, 'values = ["IV", "V"]', 'values = ["IV", "VI"]')
    message = _refused(broken)
    assert "sedation.asa_class" in message
    assert "VI" in message


def test_allergy_conflict_on_an_unknown_option_is_refused(text):
    broken = _broken(
        text,
        'type = "allergy_conflict", value = "chlorhexidine"',
        'type = "allergy_conflict", value = "alcohol"',
    )
    message = _refused(broken)
    assert "skin.antiseptic" in message
    assert "alcohol" in message


@pytest.mark.parametrize("check_type", ["below", "above"])
def test_threshold_check_on_a_non_number_item_is_refused(text, check_type):
    broken = _broken(
        text,
        '{ type = "equals", value = "no", severity = "warning", message = "Patient may not '
        'tolerate lying prone." }',
        f'{{ type = "{check_type}", limit = 1, severity = "warning", message = "x" }}',
    )
    message = _refused(broken)
    assert "positioning.prone_tolerance" in message
    assert check_type in message
    assert "number" in message


def test_fasting_check_on_a_non_datetime_item_is_refused(text):
    broken = _broken(
        text,
        'checks = [{ type = "below", limit = 3, severity = "warning"',
        'checks = [{ type = "hours_before_planned_start", min_hours = 2, severity = "warning"',
    )
    message = _refused(broken)
    assert "skin.dry_time_min" in message
    assert "datetime" in message


def test_fasting_check_depending_on_an_unknown_item_is_refused(text):
    broken = _broken(text, 'depends_on = "sedation.meal_type"', 'depends_on = "sedation.meal"')
    message = _refused(broken)
    assert "sedation.last_solids" in message
    assert "sedation.meal" in message


def test_fasting_check_not_covering_every_meal_type_is_refused(text):
    broken = _broken(
        text, "min_hours_by_value = { light = 6, fatty = 8 }", "min_hours_by_value = { light = 6 }"
    )
    message = _refused(broken)
    assert "sedation.last_solids" in message
    assert "fatty" in message


def test_unknown_allergy_flag_is_refused(text):
    broken = _broken(text, 'allergy_flag = "chlorhexidine"', 'allergy_flag = "chlorhex"')
    message = _refused(broken)
    assert "skin.antiseptic" in message
    assert "chlorhex" in message


def test_unknown_severity_is_refused(text):
    broken = _broken(
        text,
        'severity = "stop", message = "No signed consent."',
        'severity = "fatal", message = "No signed consent."',
    )
    message = _refused(broken)
    assert "consent.signed" in message


def test_number_item_without_a_range_is_refused(text):
    broken = _broken(text, "min = 0.5\nmax = 10\n", "")
    message = _refused(broken)
    assert "history.inr" in message
    assert "min" in message


def test_item_id_outside_its_section_is_refused(text):
    broken = _broken(text, 'id = "consent.risks_explained"', 'id = "history.risks_explained"')
    message = _refused(broken)
    assert "history.risks_explained" in message
    assert "consent" in message


def test_unknown_item_field_is_refused(text):
    broken = _broken(
        text, 'label = "Sterile drape ready"\n', 'label = "Sterile drape ready"\nweight = 3\n'
    )
    message = _refused(broken)
    assert "skin.sterile_drape_ready" in message
    assert "weight" in message


def test_derivation_naming_a_missing_option_is_refused(text):
    broken = _broken(
        text,
        'by_region = { thoracic = "chest", lumbar = "abdomen", sacral = "abdomen" }',
        'by_region = { thoracic = "chest", lumbar = "back", sacral = "abdomen" }',
    )
    message = _refused(broken)
    assert "pillow_torso" in message
    assert "back" in message


def test_upper_thoracic_bound_outside_the_levels_is_refused(text):
    broken = _broken(
        text, 'upper_thoracic_warning_through = "T6"', 'upper_thoracic_warning_through = "T13"'
    )
    message = _refused(broken)
    assert "T13" in message


def test_invalid_toml_is_refused(text):
    message = _refused(text + "\n[[sections\n")
    assert "TOML" in message


def test_unreadable_template_file_is_refused():
    missing = templates_dir() / "does-not-exist.toml"
    with pytest.raises(TemplateError) as info:
        load_template(missing)
    assert str(missing) in str(info.value)
