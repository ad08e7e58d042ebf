"""Bundled template v2 (spec §6): what it holds, which version is active, and the loader's
refusals — each names the file, the item and the problem."""

from __future__ import annotations

import pytest

from vpchecklist.errors import TemplateError
from vpchecklist.resources import templates_dir
from vpchecklist.templates import bundled_template, default_template, load_template_text

SOURCE = "site/vertebroplasty-v2-edited.toml"


@pytest.fixture(scope="module")
def text() -> str:
    return (templates_dir() / "vertebroplasty-v2.toml").read_text(encoding="utf-8")


def refused(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"fixture text not unique: {old!r}"
    with pytest.raises(TemplateError) as info:
        load_template_text(text.replace(old, new), SOURCE)
    message = str(info.value)
    assert SOURCE in message
    assert "\n" not in message
    return message


def test_v2_is_active_and_v1_stays_loadable():
    assert default_template().version == "2"
    assert default_template() == bundled_template("2")
    assert bundled_template("1").version == "1"
    assert bundled_template("1").content_hash != bundled_template("2").content_hash


def test_v2_keeps_every_v1_item_and_section():
    v1, v2 = bundled_template("1"), bundled_template("2")
    assert [s.id for s in v1.sections] == [s.id for s in v2.sections]
    assert {i.id for i in v1.items} <= {i.id for i in v2.items}


def test_v2_keeps_the_level_rules_and_derivations_of_v1_and_adds_count_and_gap():
    v1, v2 = bundled_template("1"), bundled_template("2")
    assert v2.derivations == v1.derivations
    assert v2.levels.allowed == v1.levels.allowed
    assert v2.levels.max_count == 3
    assert v2.levels.gap_warning and v1.levels.gap_warning == "" and v1.levels.max_count is None


def test_a_required_confirm_item_without_what_no_means_is_refused(text):
    message = refused(
        text,
        'on_no = { severity = "stop", message = "Time-out not performed." }\n',
        "",
    )
    assert "timeout.performed" in message and 'what "no" means' in message


def test_on_no_needs_a_known_severity_and_a_message(text):
    old = 'on_no = { severity = "stop", message = "Time-out not performed." }'
    message = refused(
        text, old, 'on_no = { severity = "maybe", message = "Time-out not performed." }'
    )
    assert "timeout.performed" in message and "severity" in message
    message = refused(text, old, 'on_no = { severity = "stop", message = "" }')
    assert "timeout.performed" in message


def test_on_no_is_only_for_confirm_items(text):
    old = 'label = "Antibiotic prophylaxis"\n'
    message = refused(text, old, old + 'on_no = { severity = "stop", message = "x" }\n')
    assert "timeout.antibiotic" in message and "confirm" in message


def test_a_drug_without_its_hold_is_refused(text):
    message = refused(
        text,
        'id = "dabigatran"\nlabel = "Dabigatran"\nhold_hours = 96\n',
        'id = "dabigatran"\nlabel = "Dabigatran"\n',
    )
    assert "history.anticoagulants" in message and "dabigatran" in message and "hold" in message


def test_other_drug_without_its_warning_is_refused(text):
    message = refused(
        text,
        'warning = "{drug}: agent not in the hold table — the physician confirms the hold."\n',
        "",
    )
    assert "history.anticoagulants" in message and "'other'" in message


def test_an_allergy_agent_without_its_consequence_is_refused(text):
    message = refused(
        text,
        'consequence = { severity = "warning", message = "Latex allergy ({reaction}) — latex-free set-up." }\n',
        "",
    )
    assert "history.allergies" in message and "latex" in message and "consequence" in message


def test_a_warning_agent_without_a_message_is_refused(text):
    message = refused(
        text,
        'consequence = { severity = "warning", message = "Latex allergy ({reaction}) — latex-free set-up." }',
        'consequence = { severity = "warning" }',
    )
    assert "history.allergies" in message and "message" in message


def test_an_antiseptic_stop_must_name_a_real_answer(text):
    message = refused(
        text,
        'when_value = "povidone_iodine"',
        'when_value = "iodine"',
    )
    assert "history.allergies" in message and "iodine" in message


def test_a_hold_table_twice_listing_a_drug_is_refused(text):
    message = refused(text, 'id = "edoxaban"', 'id = "apixaban"')
    assert "apixaban" in message and "twice" in message


def test_an_allergies_item_without_agents_in_a_format_2_template_is_refused(text):
    start = text.index("[[sections.items.agents]]")
    end = text.index("[[sections.items]]", start)
    with pytest.raises(TemplateError) as info:
        load_template_text(text[:start] + text[end:], SOURCE)
    assert "history.allergies" in str(info.value) and "agents" in str(info.value)


def test_a_message_placeholder_that_does_not_exist_is_refused(text):
    message = refused(
        text,
        'too_many_warning = "{count} levels',
        'too_many_warning = "{n} levels',
    )
    assert "{n}" in message
