"""The nurse's checklist details of issue 13: stops you cannot miss (finding 4), time entry
(finding 3), examples that are not suggestions (finding 8) and the "Also" items of the
checklist page (clear answer, recommended option, steady buttons, signing password, closed
records)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton

from tests.conftest import PASSWORDS
from tests.documents import LUMBAR_ANSWERS
from tests.ui.test_checklist_flows import (
    click,
    find,
    open_page,
    sign_ready,
    start,
    status_of,
    type_in,
    visible_section,
)
from ui.checklist import ChecklistPage
from vpchecklist.services import checklists
from vpchecklist.services.actors import Actor
from vpchecklist.store import Store


def answered_but(store: Store, nurse: Actor, cid: int, *skip: str, **changed: Any) -> None:
    for item_id, value in LUMBAR_ANSWERS.items():
        if item_id not in skip:
            checklists.answer(store, nurse, cid, item_id, value)
    for item_id, value in changed.items():
        checklists.answer(store, nurse, cid, item_id.replace("__", "."), value)


def test_a_stop_shows_on_every_page_and_only_postponed_can_be_signed(
    qtbot: Any, store: Store, actors: dict[str, Actor]
) -> None:
    nurse = actors["nurse"]
    cid = start(store, nurse, ["L2"])
    answered_but(store, nurse, cid, "timeout.performed", consent__signed="no")
    page = open_page(qtbot, store, nurse, cid)
    banner = find(page, "checklist.stop_banner")
    for row in (0, 4, len(page.pages)):  # two sections and review
        find(page, "checklist.sections").setCurrentRow(row)
        assert banner.isVisible()
        assert banner.text().startswith("Hard stop — ")
        assert "No signed consent" in banner.text() or "consent" in banner.text().lower()
        assert banner.text().endswith("This checklist can only be signed as not ready (postponed).")
    assert find(page, "checklist.status").text().startswith("Blocked by a hard stop")
    assert "Draft" not in find(page, "checklist.status").text()

    assert visible_section(page) == "review"
    stop_text = find(page, "review.stop_text.consent.signed")
    missing = find(page, "review.missing.timeout.performed")
    assert stop_text.isVisible() and missing.isVisible()
    top = stop_text.mapTo(page, QPoint(0, 0)).y()
    assert top < missing.mapTo(page, QPoint(0, 0)).y()  # stops first
    assert top + stop_text.height() < page.height() // 2  # not below a long list
    assert not find(page, "sign.meaning_ready").isVisible()
    assert find(page, "sign.meaning_postponed").isChecked()
    assert "Not ready to sign yet" not in find(page, "review.status").text()
    assert find(page, "sign.submit").isEnabled()

    checklists.answer(store, nurse, cid, "consent.signed", "yes")
    page2 = open_page(qtbot, store, nurse, cid)
    assert not find(page2, "checklist.stop_banner").isVisible()
    assert find(page2, "checklist.status").text().startswith("Draft")


def test_planned_start_is_one_field_tab_leaves_it_and_it_says_what_it_understood(
    qtbot: Any, make_window: Any, actors: dict[str, Actor], passwords: dict[str, str], drive: Any
) -> None:
    window = make_window()
    drive.signed_in(window, "nurse", passwords["nurse"])
    qtbot.keyClick(window.focusWidget(), Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.new_page is not None and window.new_page.isVisible())
    field = find(window, "new.planned_start")
    assert isinstance(field, QLineEdit)
    field.setFocus()
    field.selectAll()
    qtbot.keyClicks(field, "14:30")
    today = datetime.now().strftime("%d %b %Y")
    assert today in find(window, "new.planned_start.understood").text()
    assert "14:30" in find(window, "new.planned_start.understood").text()
    qtbot.keyClick(field, Qt.Key.Key_Tab)  # one Tab leaves it (no five-part trap)
    assert window.focusWidget() is find(window, "new.physician")
    qtbot.keyClicks(window.focusWidget(), "Dr Radia")
    assert field.text() == "14:30"


def test_fasting_time_typed_as_a_clock_time_says_how_long_before_the_start(
    qtbot: Any, store: Store, actors: dict[str, Actor]
) -> None:
    nurse = actors["nurse"]
    cid = start(store, nurse, ["L2"])  # planned 2026-11-25 10:00
    page = open_page(qtbot, store, nurse, cid)
    page.go_to_item("sedation.last_solids")
    field = find(page, "sedation.last_solids")
    field.setFocus()
    qtbot.keyClicks(field, "19:30")
    understood = find(page, "sedation.last_solids.understood")
    assert understood.text() == "Tue 24 Nov 2026, 19:30 → 14 h 30 min before start"
    qtbot.keyClick(field, Qt.Key.Key_Return)
    answers = checklists.evaluation(store, nurse, cid).answers
    assert answers["sedation.last_solids"] == "2026-11-24T19:30"
    type_in(qtbot, page, "sedation.last_clear_liquids", "06:00")
    answers = checklists.evaluation(store, nurse, cid).answers
    assert answers["sedation.last_clear_liquids"] == "2026-11-25T06:00"


def test_examples_are_normal_values_or_nothing(
    qtbot: Any, store: Store, actors: dict[str, Actor]
) -> None:
    nurse = actors["nurse"]
    page = open_page(qtbot, store, nurse, start(store, nurse, ["L2"]))
    for name in ("sedation.baseline_spo2", "skin.dry_time_min", "history.inr"):
        assert find(page, name).placeholderText() in ("",), name
    hints = {
        edit.objectName(): edit.placeholderText()
        for edit in page.findChildren(QLineEdit)
        if edit.objectName().endswith(".na_reason")
    }
    # N/A reasons are suggested per item (template data): fluoroscopy only where it fits.
    assert "fluoroscopy" in hints["identity.site_marked.na_reason"]
    assert "post-menopausal" in hints["history.pregnancy_excluded.na_reason"]
    assert [name for name, hint in hints.items() if "fluoroscopy" in hint] == [
        "identity.site_marked.na_reason"
    ]


def test_an_answer_can_be_cleared_back_to_unanswered(
    qtbot: Any, store: Store, actors: dict[str, Actor]
) -> None:
    nurse = actors["nurse"]
    cid = start(store, nurse, ["L2"])
    page = open_page(qtbot, store, nurse, cid)
    card = find(page, "identity.wristband_checked.card")
    qtbot.waitUntil(card.hasFocus)
    assert not find(page, "identity.wristband_checked.clear").isVisible()
    qtbot.keyClick(card, Qt.Key.Key_Y)
    assert checklists.evaluation(store, nurse, cid).answers["identity.wristband_checked"] == "yes"
    click(qtbot, page, "identity.wristband_checked.clear")
    assert "identity.wristband_checked" not in checklists.evaluation(store, nurse, cid).answers
    assert not find(page, "identity.wristband_checked.yes").isChecked()
    history = checklists.detail(store, nurse, cid)
    assert "identity.wristband_checked" not in history["answers"]
    qtbot.keyClick(card, Qt.Key.Key_Y)
    qtbot.keyClick(card, Qt.Key.Key_Delete)  # the same from the keyboard
    assert "identity.wristband_checked" not in checklists.evaluation(store, nurse, cid).answers


def test_the_recommended_option_is_marked_on_its_button(
    qtbot: Any, store: Store, actors: dict[str, Actor]
) -> None:
    nurse = actors["nurse"]
    page = open_page(qtbot, store, nurse, start(store, nurse, ["T8"]))
    page.go_to_item("clothing.attire")
    buttons = [
        b
        for b in find(page, "clothing.attire.card").findChildren(
            type(find(page, "clothing.attire.own_clothes"))
        )
    ]
    marked = [b.text() for b in buttons if "recommended for T8" in b.text()]
    assert len(marked) == 1 and marked[0].startswith("Hospital gown")
    assert "recommended" not in find(page, "clothing.attire.own_clothes").text()


def test_yes_no_buttons_do_not_move_when_a_section_scrolls(
    qtbot: Any, store: Store, actors: dict[str, Actor]
) -> None:
    nurse = actors["nurse"]
    page = open_page(qtbot, store, nurse, start(store, nurse, ["L2"]))
    page.go_to_index(0)
    short = find(page, "identity.procedure_confirmed.no")
    right_short = short.mapTo(page, QPoint(short.width(), 0)).x()
    page.go_to_index(3)  # sedation: taller than the window
    qtbot.waitUntil(lambda: page.section_scroll.verticalScrollBar().maximum() > 0)
    long = find(page, "sedation.airway_assessed.no")
    assert long.mapTo(page, QPoint(long.width(), 0)).x() == right_short


def test_a_wrong_signing_password_says_so_and_a_closed_record_links_nothing(
    qtbot: Any, store: Store, actors: dict[str, Actor]
) -> None:
    nurse = actors["nurse"]
    cid = start(store, nurse, ["L2"])
    answered_but(store, nurse, cid, "timeout.performed")
    page = open_page(qtbot, store, nurse, cid)
    page.go_to_item("timeout.performed")
    qtbot.keyClick(find(page, "timeout.performed.card"), Qt.Key.Key_Y)
    qtbot.waitUntil(lambda: page.focusWidget() is find(page, "sign.password"))
    sign_ready(qtbot, page, "not-my-password")
    error = find(page, "sign.error").text()
    assert "not the password of" in error and "Wrong username" not in error
    sign_ready(qtbot, page, PASSWORDS["nurse"])
    assert status_of(store, nurse, cid) == "signed"

    cid2 = start(store, nurse, ["L2"])
    checklists.answer(store, nurse, cid2, "consent.signed", "no")
    page2 = open_page(qtbot, store, nurse, cid2)
    find(page2, "checklist.sections").setCurrentRow(len(page2.pages))
    type_in(qtbot, page2, "sign.reason", "Consent not signed", enter=False)
    sign_ready(qtbot, page2, PASSWORDS["nurse"])
    assert status_of(store, nurse, cid2) == "postponed"
    closed = ChecklistPage(store, nurse, cid2)
    qtbot.addWidget(closed)
    html = find(closed, "review.answers").toHtml()
    assert "Not answered" in html or "not answered" in html.lower()
    assert 'href="#' not in html
    closed.go_to_index(len(closed.pages))
    links = [w for w in closed.findChildren(QPushButton) if w.objectName().startswith("review.")]
    assert not [w.objectName() for w in links if w.objectName().startswith("review.missing")]
    assert closed.findChild(QLabel, "review.not_answered.timeout.performed") is not None
