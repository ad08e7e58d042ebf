"""Template v2's coded pickers driven through real widgets: a nurse records two anticoagulants
and two allergies; the hours before the start and the hold show as the dose is typed; warnings
and stops appear on the cards and on the review page."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from tests.ui.test_checklist_flows import click, find, open_page, start, type_in, visible_section
from vpchecklist.services import checklists
from vpchecklist.services.actors import Actor
from vpchecklist.store import Store

# The planned start of ``start``: 2026-11-25 10:00.
APIXABAN_DOSE = "2026-11-23 10:00"  # 48 h before: short of the 72 h hold
ASPIRIN_DOSE = "2026-11-15 10:00"  # 240 h before: past the 120 h hold


def stored(store: Store, actor: Actor, checklist_id: int) -> dict[str, Any]:
    return checklists.evaluation(store, actor, checklist_id).answers


def texts(page: QWidget, name: str) -> list[str]:
    return [w.text() for w in page.findChildren(QLabel, name) if w.isVisible()]


def test_nurse_records_two_drugs_and_two_allergies_with_the_pickers(
    qtbot: Any, store: Store, actors: dict[str, Actor]
) -> None:
    nurse = actors["nurse"]
    cid = start(store, nurse, ["L2"])
    page = open_page(qtbot, store, nurse, cid)
    find(page, "checklist.sections").setCurrentRow(2)
    assert visible_section(page) == "history"

    # Two anticoagulants: the hours and the hold show while the dose is typed.
    click(qtbot, page, "history.anticoagulants.apixaban")
    hold = find(page, "history.anticoagulants.apixaban.hold")
    assert hold.isVisible() and hold.text() == "hold 72 h"
    type_in(qtbot, page, "history.anticoagulants.apixaban.last_dose", APIXABAN_DOSE, enter=False)
    assert hold.text() == "48 h before the start, hold 72 h"  # live, before it is saved
    assert "history.anticoagulants" not in stored(store, nurse, cid)
    qtbot.keyClick(find(page, "history.anticoagulants.apixaban.last_dose"), Qt.Key.Key_Return)
    click(qtbot, page, "history.anticoagulants.aspirin")
    # The aspirin row is still empty: the list saved is the complete one.
    assert stored(store, nurse, cid)["history.anticoagulants"] == [
        {"drug": "apixaban", "last_dose": "2026-11-23T10:00"}
    ]
    type_in(qtbot, page, "history.anticoagulants.aspirin.last_dose", ASPIRIN_DOSE)
    assert find(page, "history.anticoagulants.aspirin.hold").text() == (
        "240 h before the start, hold 120 h"
    )
    assert stored(store, nurse, cid)["history.anticoagulants"] == [
        {"drug": "apixaban", "last_dose": "2026-11-23T10:00"},
        {"drug": "aspirin", "last_dose": "2026-11-15T10:00"},
    ]
    warning = find(page, "history.anticoagulants.warning")
    assert warning.isVisible()
    assert "Apixaban: last dose 48 h before the planned start; hold 72 h" in warning.text()
    assert "Aspirin" not in warning.text()

    # Two allergies: latex (a warning) and chlorhexidine (a stop with that antiseptic).
    click(qtbot, page, "history.allergies.latex")
    type_in(qtbot, page, "history.allergies.latex.reaction", "urticaria")
    click(qtbot, page, "history.allergies.chlorhexidine")
    type_in(qtbot, page, "history.allergies.chlorhexidine.reaction", "contact dermatitis")
    assert stored(store, nurse, cid)["history.allergies"] == [
        {"agent": "latex", "reaction": "urticaria"},
        {"agent": "chlorhexidine", "reaction": "contact dermatitis"},
    ]
    allergy_warning = find(page, "history.allergies.warning")
    assert allergy_warning.isVisible() and "latex-free" in allergy_warning.text()
    banner = find(page, "checklist.allergy_banner")
    assert banner.isVisible()
    assert "Latex (urticaria)" in banner.text()
    assert "Chlorhexidine (contact dermatitis)" in banner.text()

    find(page, "checklist.sections").setCurrentRow(6)  # skin
    assert banner.isVisible()
    click(qtbot, page, "skin.antiseptic.chlorhexidine")
    stop = find(page, "skin.antiseptic.stop")
    assert stop.isVisible() and "allergic to chlorhexidine" in stop.text()

    # The review page: each drug with its last dose, the hours before the start and the hold;
    # each agent with its reaction; the warnings and the stop.
    click(qtbot, page, "checklist.review")
    review = find(page, "review.answers").toPlainText()
    assert "Apixaban — last dose 23 Nov 2026, 10:00; 48 h before the start, hold 72 h" in review
    assert "Aspirin — last dose 15 Nov 2026, 10:00; 240 h before the start, hold 120 h" in review
    assert "Latex — urticaria" in review
    assert "Chlorhexidine — contact dermatitis" in review
    warnings = " ".join(texts(page, "review.warning_text.history.anticoagulants"))
    assert "Apixaban: last dose 48 h" in warnings
    assert any("latex-free" in t for t in texts(page, "review.warning_text.history.allergies"))
    assert any("chlorhexidine" in t for t in texts(page, "review.stop_text.skin.antiseptic"))
    # A stop: only "not ready — postponed" is offered (issue 13), never "ready".
    assert not find(page, "sign.meaning_ready").isVisible()
    assert find(page, "sign.meaning_postponed").isChecked()

    # Changing the antiseptic lifts the stop; removing a drug lifts its warning.
    find(page, "checklist.sections").setCurrentRow(6)
    click(qtbot, page, "skin.antiseptic.povidone_iodine")
    assert not find(page, "skin.antiseptic.stop").isVisible()
    find(page, "checklist.sections").setCurrentRow(2)
    click(qtbot, page, "history.anticoagulants.apixaban.remove")
    assert stored(store, nurse, cid)["history.anticoagulants"] == [
        {"drug": "aspirin", "last_dose": "2026-11-15T10:00"}
    ]
    assert not find(page, "history.anticoagulants.warning").isVisible()


def test_other_asks_for_a_name_and_none_clears_the_rows(
    qtbot: Any, store: Store, actors: dict[str, Actor]
) -> None:
    nurse = actors["nurse"]
    cid = start(store, nurse, ["L2"])
    page = open_page(qtbot, store, nurse, cid)
    find(page, "checklist.sections").setCurrentRow(2)

    click(qtbot, page, "history.anticoagulants.other")
    type_in(qtbot, page, "history.anticoagulants.other.last_dose", "2026-11-20 08:00")
    assert "history.anticoagulants" not in stored(store, nurse, cid)  # the name is missing
    type_in(qtbot, page, "history.anticoagulants.other.name", "Cilostazol")
    assert stored(store, nurse, cid)["history.anticoagulants"] == [
        {"drug": "other", "name": "Cilostazol", "last_dose": "2026-11-20T08:00"}
    ]
    assert "not in the hold table" in find(page, "history.anticoagulants.other.hold").text()
    assert "physician confirms the hold" in find(page, "history.anticoagulants.warning").text()

    click(qtbot, page, "history.allergies.other")
    click(qtbot, page, "history.allergies.other")  # a second "other"
    type_in(qtbot, page, "history.allergies.other.name", "Penicillin", enter=False)
    type_in(qtbot, page, "history.allergies.other.reaction", "rash")
    type_in(qtbot, page, "history.allergies.other.2.name", "Sulfonamides", enter=False)
    type_in(qtbot, page, "history.allergies.other.2.reaction", "unknown")
    assert stored(store, nurse, cid)["history.allergies"] == [
        {"agent": "other", "name": "Penicillin", "reaction": "rash"},
        {"agent": "other", "name": "Sulfonamides", "reaction": "unknown"},
    ]
    assert "Penicillin (rash)" in find(page, "checklist.allergy_banner").text()

    # A dose after the planned start is refused in plain words; nothing changes.
    type_in(qtbot, page, "history.anticoagulants.other.last_dose", "2026-11-26 08:00")
    assert find(page, "history.anticoagulants.other.hold").text() == "after the planned start"
    error = find(page, "history.anticoagulants.error")
    assert error.isVisible() and "after the planned start" in error.text()
    assert stored(store, nurse, cid)["history.anticoagulants"][0]["last_dose"] == (
        "2026-11-20T08:00"
    )

    click(qtbot, page, "history.anticoagulants.none")
    assert stored(store, nurse, cid)["history.anticoagulants"] == "none"
    assert (
        page.findChild(QWidget, "history.anticoagulants.other.last_dose") is None
        or not find(page, "history.anticoagulants.other.last_dose").isVisible()
    )

    # Reopened: the rows come back from the record.
    page.close()
    again = open_page(qtbot, store, nurse, cid)
    find(again, "checklist.sections").setCurrentRow(2)
    assert find(again, "history.anticoagulants.none").isChecked()
    assert find(again, "history.allergies.other.2.name").text() == "Sulfonamides"
