"""Single inputs of the checklist page: validation in plain words, N/A, derived stops, the
levels warning, keyboard walking, and the accessibility/touch contract."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QLineEdit, QWidget

from tests.ui.test_checklist_flows import (
    click,
    find,
    give,
    open_page,
    start,
    start_v1,
    type_in,
    visible_section,
)
from vpchecklist.services import checklists
from vpchecklist.services.actors import Actor
from vpchecklist.store import Store


def stored(store: Store, actor: Actor, checklist_id: int) -> dict[str, Any]:
    return checklists.evaluation(store, actor, checklist_id).answers


def test_a_number_that_is_not_a_number_is_refused_in_plain_words(
    qtbot: Any, store: Store, actors: dict[str, Actor]
) -> None:
    nurse = actors["nurse"]
    cid = start(store, nurse, ["L2"])
    page = open_page(qtbot, store, nurse, cid)
    find(page, "checklist.sections").setCurrentRow(2)
    type_in(qtbot, page, "history.inr", "abc")
    error = find(page, "history.inr.error")
    assert error.isVisible()
    assert error.text() == '"abc" is not a number'
    assert "history.inr:" not in error.text() and "Traceback" not in error.text()
    assert "history.inr" not in stored(store, nurse, cid)

    type_in(qtbot, page, "history.inr", "1,3")
    assert not error.isVisible()
    assert stored(store, nurse, cid)["history.inr"] == 1.3
    assert find(page, "history.inr").text() == "1.3"

    type_in(qtbot, page, "history.inr", "12")
    assert "impossible" in error.text()
    assert stored(store, nurse, cid)["history.inr"] == 1.3


def test_na_asks_for_a_reason_and_a_real_answer_replaces_it(
    qtbot: Any, store: Store, actors: dict[str, Actor]
) -> None:
    nurse = actors["nurse"]
    cid = start(store, nurse, ["L2"])
    page = open_page(qtbot, store, nurse, cid)
    reason = find(page, "identity.site_marked.na_reason")
    assert not reason.isVisible()
    click(qtbot, page, "identity.site_marked.na")
    assert reason.isVisible()
    type_in(qtbot, page, "identity.site_marked.na_reason", "Marked under fluoroscopy")
    assert stored(store, nurse, cid)["identity.site_marked"] == {"na": "Marked under fluoroscopy"}
    assert visible_section(page) == "consent"  # Enter on the last item moves on

    click(qtbot, page, "checklist.previous")
    assert find(page, "identity.site_marked.na").isChecked() and reason.isVisible()

    click(qtbot, page, "identity.site_marked.yes")
    assert stored(store, nurse, cid)["identity.site_marked"] == "yes"
    assert not find(page, "identity.site_marked.na").isChecked()
    assert not reason.isVisible()


def test_blood_pressure_and_anticoagulants_on_v1(
    qtbot: Any, store: Store, actors: dict[str, Actor]
) -> None:
    nurse = actors["nurse"]
    cid = start_v1(store, nurse, ["L2"])
    page = open_page(qtbot, store, nurse, cid)
    find(page, "checklist.sections").setCurrentRow(3)
    type_in(qtbot, page, "sedation.baseline_bp", "80/120")
    assert "higher than diastolic" in find(page, "sedation.baseline_bp.error").text()
    type_in(qtbot, page, "sedation.baseline_bp", "190/95")
    assert "outside" in find(page, "sedation.baseline_bp.warning").text()
    assert stored(store, nurse, cid)["sedation.baseline_bp"] == "190/95"

    find(page, "checklist.sections").setCurrentRow(2)
    type_in(qtbot, page, "history.anticoagulants", "Apixaban")
    type_in(qtbot, page, "history.anticoagulants.last_dose", "2026-11-23 08:00")
    assert "history.anticoagulants" not in stored(store, nurse, cid)  # not complete yet
    click(qtbot, page, "history.anticoagulants.held.no")
    assert stored(store, nurse, cid)["history.anticoagulants"] == {
        "drug": "Apixaban",
        "last_dose": "2026-11-23T08:00",
        "held": "no",
    }
    assert "not held" in find(page, "history.anticoagulants.warning").text()
    click(qtbot, page, "history.anticoagulants.none")
    assert stored(store, nurse, cid)["history.anticoagulants"] == "none"
    assert find(page, "history.anticoagulants").text() == ""


def test_v1_chlorhexidine_allergy_shows_a_banner_and_stops_chlorhexidine(
    qtbot: Any, store: Store, actors: dict[str, Actor]
) -> None:
    nurse = actors["nurse"]
    cid = start_v1(store, nurse, ["L2"])
    page = open_page(qtbot, store, nurse, cid)
    banner = find(page, "checklist.allergy_banner")
    assert not banner.isVisible()
    find(page, "checklist.sections").setCurrentRow(2)
    type_in(qtbot, page, "history.allergies", "Chlorhexidine wipes; latex")
    assert banner.isVisible() and "Chlorhexidine" in banner.text() and "Latex" in banner.text()
    find(page, "checklist.sections").setCurrentRow(6)
    assert banner.isVisible()  # on every page
    click(qtbot, page, "skin.antiseptic.chlorhexidine")
    stop = find(page, "skin.antiseptic.stop")
    assert stop.isVisible() and "allergic to chlorhexidine" in stop.text()
    click(qtbot, page, "skin.antiseptic.povidone_iodine")
    assert not stop.isVisible()


def test_own_clothes_on_a_thoracic_level_is_a_stop(
    qtbot: Any, store: Store, actors: dict[str, Actor]
) -> None:
    nurse = actors["nurse"]
    cid = start(store, nurse, ["T12", "L1"])
    page = open_page(qtbot, store, nurse, cid)
    find(page, "checklist.sections").setCurrentRow(4)
    assert (
        find(page, "clothing.attire.derived")
        .text()
        .startswith("Thoracic level T12 → hospital gown")
    )
    click(qtbot, page, "clothing.attire.own_clothes")
    assert find(page, "clothing.attire.stop").isVisible()
    click(qtbot, page, "clothing.attire.gown")
    assert not find(page, "clothing.attire.stop").isVisible()


def test_mixed_levels_pillow_shows_the_physicians_choice(
    qtbot: Any, store: Store, actors: dict[str, Actor]
) -> None:
    nurse = actors["nurse"]
    cid = start(store, nurse, ["T12", "L1"])
    page = open_page(qtbot, store, nurse, cid)
    find(page, "checklist.sections").setCurrentRow(5)  # positioning
    derived = find(page, "positioning.pillow_torso.derived").text()
    assert derived.startswith("Thoracic level T12 → pillow under the chest")
    note = find(page, "positioning.pillow_torso.physician_choice")
    assert note.isVisible() and "Physician's choice" in note.text() and "T12" in note.text()
    click(qtbot, page, "positioning.pillow_torso.abdomen")  # the physician chose otherwise
    assert find(page, "positioning.pillow_torso.ack_reason").isVisible()
    assert find(page, "positioning.pillow_torso.ack_physician").isVisible()


def test_a_single_region_has_no_physicians_choice_note(
    qtbot: Any, store: Store, actors: dict[str, Actor]
) -> None:
    nurse = actors["nurse"]
    cid = start(store, nurse, ["L2"])
    page = open_page(qtbot, store, nurse, cid)
    find(page, "checklist.sections").setCurrentRow(5)
    assert not find(page, "positioning.pillow_torso.physician_choice").isVisible()


def test_every_item_input_exists_as_soon_as_the_page_is_built(
    qtbot: Any, store: Store, actors: dict[str, Actor]
) -> None:
    """Test contract: findChild finds any item's input right after construction."""
    from ui.checklist import ChecklistPage
    from vpchecklist.templates import default_template

    nurse = actors["nurse"]
    page = ChecklistPage(store, nurse, start(store, nurse, ["L2"]))
    qtbot.addWidget(page)
    for item in default_template().items:
        name = f"{item.id}.yes" if item.kind == "confirm" else item.id
        if item.kind == "choice":
            name = f"{item.id}.{item.options[0].id}"
        assert page.findChild(QWidget, name) is not None, name
        if item.na_allowed:
            assert page.findChild(QWidget, f"{item.id}.na_reason") is not None


def test_upper_thoracic_level_warning_is_acknowledged_on_the_first_page(
    qtbot: Any, store: Store, actors: dict[str, Actor]
) -> None:
    nurse = actors["nurse"]
    cid = start(store, nurse, ["T5"])
    page = open_page(qtbot, store, nurse, cid)
    assert visible_section(page) == "identity"
    assert "Upper/mid thoracic" in find(page, "levels.warning").text()
    type_in(qtbot, page, "levels.ack_reason", "Level confirmed on MRI with IR", enter=False)
    type_in(qtbot, page, "levels.ack_physician", "Dr Amara Okafor", enter=False)
    click(qtbot, page, "levels.ack_submit")
    assert find(page, "levels.acknowledged").isVisible()
    assert "levels" in checklists.evaluation(store, nurse, cid).acknowledged


def test_keyboard_y_is_yes_and_next_enter_never_answers_and_ctrl_arrows_change_section(
    qtbot: Any, store: Store, actors: dict[str, Actor]
) -> None:
    """Issue 13 reversed "Enter = yes": Y answers yes and moves on, Enter on an unanswered
    item does nothing (no checklist completes by holding one key)."""
    nurse = actors["nurse"]
    cid = start(store, nurse, ["L2"])
    page = open_page(qtbot, store, nurse, cid)
    first = find(page, "identity.wristband_checked.yes").parentWidget()
    qtbot.waitUntil(lambda: page.focusWidget() is first)  # resumed on the first item's card
    qtbot.keyClick(first, Qt.Key.Key_Return)
    assert "identity.wristband_checked" not in stored(store, nurse, cid)
    assert page.focusWidget() is first
    qtbot.keyClick(first, Qt.Key.Key_Y)
    second = find(page, "identity.procedure_confirmed.yes").parentWidget()
    assert page.focusWidget() is second
    qtbot.keyClick(second, Qt.Key.Key_Y)
    answers = stored(store, nurse, cid)
    assert answers["identity.wristband_checked"] == "yes"
    assert answers["identity.procedure_confirmed"] == "yes"

    qtbot.keyClick(page, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
    assert visible_section(page) == "consent"
    qtbot.keyClick(page, Qt.Key.Key_Left, Qt.KeyboardModifier.ControlModifier)
    assert visible_section(page) == "identity"


def test_ctrl_arrows_change_section_while_typing_in_a_field(
    qtbot: Any, store: Store, actors: dict[str, Actor]
) -> None:
    nurse = actors["nurse"]
    cid = start(store, nurse, ["L2"])
    page = open_page(qtbot, store, nurse, cid)
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow)
    find(page, "checklist.sections").setCurrentRow(2)  # history
    field = find(page, "history.inr")
    field.setFocus()
    qtbot.waitUntil(field.hasFocus)
    qtbot.keyClicks(field, "1.1")
    qtbot.keyClick(field, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
    assert visible_section(page) == "sedation"
    qtbot.keyClick(page.focusWidget() or page, Qt.Key.Key_Left, Qt.KeyboardModifier.ControlModifier)
    assert visible_section(page) == "history"
    field.setFocus()
    qtbot.waitUntil(field.hasFocus)
    qtbot.keyClick(field, Qt.Key.Key_Left, Qt.KeyboardModifier.ControlModifier)
    assert visible_section(page) == "consent"


def test_missing_item_link_jumps_to_the_item(
    qtbot: Any, store: Store, actors: dict[str, Actor]
) -> None:
    nurse = actors["nurse"]
    cid = start(store, nurse, ["L2"])
    page = open_page(qtbot, store, nurse, cid)
    give(qtbot, page, "identity.wristband_checked", "yes")
    click(qtbot, page, "checklist.review")
    click(qtbot, page, "review.missing.history.platelets")
    assert visible_section(page) == "history"
    field = find(page, "history.platelets")
    assert field.isVisible()


def test_every_interactive_widget_is_named_and_touch_sized(
    qtbot: Any, store: Store, actors: dict[str, Actor]
) -> None:
    nurse = actors["nurse"]
    cid = start(store, nurse, ["T5"])
    page = open_page(qtbot, store, nurse, cid)
    for index in range(page.findChild(QWidget, "checklist.sections").count()):
        find(page, "checklist.sections").setCurrentRow(index)
        shown = [
            w
            for w in page.findChildren(QWidget)
            if isinstance(w, QAbstractButton | QLineEdit) and w.isVisible()
        ]
        assert shown
        for widget in shown:
            assert widget.objectName(), widget
            assert widget.accessibleName(), widget.objectName()
            assert widget.height() >= 40, (widget.objectName(), widget.height())
