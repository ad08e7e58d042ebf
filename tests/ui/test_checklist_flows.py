"""Whole checklists driven through the real ChecklistPage widgets, from a fresh draft to signed.

Tests assert on what the nurse sees (texts, enabled/visible widgets) and what is in the
database (through the services), never on private attributes.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QLineEdit, QWidget

from tests.conftest import PASSWORDS
from tests.documents import LUMBAR_ANSWERS
from ui.checklist import ChecklistPage
from vpchecklist.services import checklists, signing
from vpchecklist.services.actors import Actor
from vpchecklist.store import Store
from vpchecklist.templates import default_template

PLANNED = datetime(2026, 11, 25, 10, 0)


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")


#: A clean checklist's answers as a nurse would give them (derived items come from the levels).
GOOD: dict[str, Any] = {
    "identity.site_marked": "yes",
    "consent.interpreter": "not_needed",
    "history.allergies": "none",
    "history.anticoagulants": "none",
    "history.inr": "1.1",
    "history.platelets": "220",
    "history.active_infection": "no",
    "history.pregnancy_excluded": ("na", "Post-menopausal patient"),
    "sedation.last_solids": stamp(PLANNED - timedelta(hours=10)),
    "sedation.meal_type": "light",
    "sedation.last_clear_liquids": stamp(PLANNED - timedelta(hours=4)),
    "sedation.asa_class": "II",
    "sedation.iv_access": "Left forearm 20G",
    "sedation.baseline_bp": "132/78",
    "sedation.baseline_hr": "72",
    "sedation.baseline_spo2": "97",
    "skin.hair_removal": "clipped",
    "skin.antiseptic": "chlorhexidine",
    "skin.dry_time_min": "3,5",  # a comma as decimal point
    "history.neuro_baseline": "normal",
    "sedation.weight_kg": "68,5",
    "sedation.osa_risk": "low",
    "timeout.antibiotic": "given",
}


def start(store: Store, actor: Actor, levels: list[str]) -> int:
    raw = {
        "patient": {"name": "Ada Example", "date_of_birth": "1948-03-02", "mrn": "MRN123456"},
        "levels": levels,
        "planned_start": PLANNED.strftime("%Y-%m-%dT%H:%M"),
        "physician": "Dr Amara Okafor",
    }
    header = checklists.parse_header(raw, default_template())
    return checklists.start_checklist(store, actor, header)


def start_v1(store: Store, actor: Actor, levels: list[str]) -> int:
    """A fresh draft on template v1 (its typed allergies and held/not-held anticoagulant)."""
    doc = {
        "patient": {"name": "Ada Example", "date_of_birth": "1948-03-02", "mrn": "MRN123456"},
        "levels": levels,
        "planned_start": PLANNED.strftime("%Y-%m-%dT%H:%M"),
        "physician": "Dr Amara Okafor",
        "template_version": 1,
    }
    return checklists.create_from_document(store, actor, doc)


def open_page(qtbot: Any, store: Store, actor: Actor, checklist_id: int) -> ChecklistPage:
    page = ChecklistPage(store, actor, checklist_id)
    qtbot.addWidget(page)
    page.resize(1280, 800)
    page.show()
    qtbot.waitExposed(page)
    return page


def find(page: QWidget, name: str) -> Any:
    widget = page.findChild(QWidget, name)
    assert widget is not None, f"no widget named {name}"
    return widget


def click(qtbot: Any, page: QWidget, name: str) -> None:
    widget = find(page, name)
    assert widget.isVisible() and widget.isEnabled(), f"{name} cannot be clicked"
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def type_in(qtbot: Any, page: QWidget, name: str, text: str, enter: bool = True) -> None:
    edit = find(page, name)
    assert isinstance(edit, QLineEdit) and edit.isVisible(), f"{name} is not a visible field"
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClicks(edit, text)
    if enter:
        qtbot.keyClick(edit, Qt.Key.Key_Return)


def visible_section(page: QWidget) -> str:
    sections = [w for w in page.findChildren(QWidget) if w.objectName().startswith("section.")]
    shown = [w.objectName() for w in sections if w.isVisible()]
    assert len(shown) == 1, shown
    return shown[0].removeprefix("section.")


def give(qtbot: Any, page: QWidget, item_id: str, answer: Any) -> None:
    """Answer one item through its widgets, the way the nurse would."""
    item = default_template().item(item_id)
    assert item is not None
    if isinstance(answer, tuple) and answer[0] == "na":
        click(qtbot, page, f"{item_id}.na")
        type_in(qtbot, page, f"{item_id}.na_reason", answer[1])
    elif item.kind in ("confirm", "choice"):
        click(qtbot, page, f"{item_id}.{answer}")
    elif answer == "none":
        click(qtbot, page, f"{item_id}.none")
    else:
        type_in(qtbot, page, item_id, answer)


def walk(qtbot: Any, page: QWidget, answers: dict[str, Any]) -> None:
    """Walk every section in order with Next, answering every item."""
    template = default_template()
    click(qtbot, page, "checklist.sections")  # focus; the page may have resumed elsewhere
    find(page, "checklist.sections").setCurrentRow(0)
    for section in template.sections:
        assert visible_section(page) == section.id
        for item in section.items:
            give(qtbot, page, item.id, answers.get(item.id, GOOD.get(item.id, "yes")))
        click(qtbot, page, "checklist.next")
    assert visible_section(page) == "review"


def sign_ready(qtbot: Any, page: QWidget, password: str) -> None:
    type_in_password(qtbot, page, password)
    submit_signature(qtbot, page)


def submit_signature(qtbot: Any, page: QWidget) -> None:
    """Press Sign; the password is checked off the UI thread, the button says so meanwhile."""
    click(qtbot, page, "sign.submit")
    submit = find(page, "sign.submit")
    qtbot.waitUntil(lambda: "Signing" not in submit.text(), timeout=10_000)


def type_in_password(qtbot: Any, page: QWidget, password: str) -> None:
    field = find(page, "sign.password")
    assert field.echoMode() == QLineEdit.EchoMode.Password
    field.setFocus()
    qtbot.keyClicks(field, password)


def status_of(store: Store, actor: Actor, checklist_id: int) -> str:
    return str(checklists.detail(store, actor, checklist_id)["status"])


def derived_text(page: QWidget, item_id: str) -> str:
    label = find(page, f"{item_id}.derived")
    assert label.isVisible()
    return str(label.text())


@pytest.mark.parametrize(
    ("levels", "attire", "attire_text", "pillow", "pillow_text"),
    [
        (
            ["L2"],
            "own_clothes",
            "Lumbar level L2 → own clothes",
            "abdomen",
            "Lumbar level L2 → pillow under the abdomen",
        ),
        (
            ["T8"],
            "gown",
            "Thoracic level T8 → hospital gown",
            "chest",
            "Thoracic level T8 → pillow under the chest",
        ),
    ],
)
def test_full_checklist_from_fresh_draft_to_signed(
    qtbot: Any,
    store: Store,
    actors: dict[str, Actor],
    levels: list[str],
    attire: str,
    attire_text: str,
    pillow: str,
    pillow_text: str,
) -> None:
    nurse = actors["nurse"]
    cid = start(store, nurse, levels)
    page = open_page(qtbot, store, nurse, cid)
    assert visible_section(page) == "identity"
    assert find(page, "checklist.levels").text() == ", ".join(levels)
    assert find(page, "checklist.progress").value() == 0

    walk(qtbot, page, {"clothing.attire": attire, "positioning.pillow_torso": pillow})

    find(page, "checklist.sections").setCurrentRow(4)  # clothing
    assert derived_text(page, "clothing.attire").startswith(attire_text)
    find(page, "checklist.sections").setCurrentRow(5)  # positioning
    assert derived_text(page, "positioning.pillow_torso").startswith(pillow_text)
    assert pillow in find(page, "positioning.pillow_torso.diagram").accessibleDescription()
    click(qtbot, page, "checklist.review")

    assert find(page, "checklist.progress").value() == 100
    assert "ready to sign" in find(page, "review.status").text()
    assert find(page, "sign.meaning_ready").isChecked()
    meaning = "Pre-procedure checks completed — ready for procedure"
    assert meaning in find(page, "sign.meaning").text()
    sign_ready(qtbot, page, PASSWORDS["nurse"])

    assert status_of(store, nurse, cid) == "signed"
    stored = checklists.evaluation(store, nurse, cid).answers
    assert stored["clothing.attire"] == attire
    assert stored["skin.dry_time_min"] == 3.5
    assert stored["history.pregnancy_excluded"] == {"na": "Post-menopausal patient"}
    assert not find(page, "consent.signed.yes").isEnabled()
    assert find(page, "checklist.addendum").isVisible()


def test_inr_warning_blocks_signing_until_acknowledged(
    qtbot: Any, store: Store, actors: dict[str, Actor]
) -> None:
    nurse = actors["nurse"]
    cid = start(store, nurse, ["L2"])
    page = open_page(qtbot, store, nurse, cid)
    find(page, "checklist.sections").setCurrentRow(2)
    type_in(qtbot, page, "history.inr", "1.8")
    warning = find(page, "history.inr.warning")
    assert warning.isVisible() and "INR above 1.5" in warning.text()
    assert find(page, "history.inr.ack_reason").isVisible()
    assert find(page, "checklist.sections").item(2).text().startswith("⚠")

    walk(
        qtbot,
        page,
        {
            "history.inr": "1.8",
            "clothing.attire": "own_clothes",
            "positioning.pillow_torso": "abdomen",
        },
    )
    assert not find(page, "sign.submit").isEnabled()
    assert "1 warning not acknowledged" in find(page, "sign.blocked").text()
    click(qtbot, page, "review.warning.history.inr")
    assert visible_section(page) == "history"

    type_in(qtbot, page, "history.inr.ack_reason", "Discussed; local haemostasis planned", False)
    type_in(qtbot, page, "history.inr.ack_physician", "Dr Amara Okafor", enter=False)
    click(qtbot, page, "history.inr.ack_submit")
    assert find(page, "history.inr.acknowledged").isVisible()
    assert not find(page, "history.inr.ack_reason").isVisible()

    click(qtbot, page, "checklist.review")
    assert (
        "Discussed; local haemostasis planned"
        in find(page, "review.warning_text.history.inr").text()
    )
    assert find(page, "sign.submit").isEnabled()
    sign_ready(qtbot, page, PASSWORDS["nurse"])
    detail = checklists.detail(store, nurse, cid)
    assert detail["status"] == "signed"
    assert detail["acknowledgements"]["history.inr"]["physician_informed"] == "Dr Amara Okafor"


def test_no_consent_stops_sign_off_until_closed_as_postponed(
    qtbot: Any, store: Store, actors: dict[str, Actor]
) -> None:
    nurse = actors["nurse"]
    cid = start(store, nurse, ["L2"])
    page = open_page(qtbot, store, nurse, cid)
    walk(
        qtbot,
        page,
        {
            "consent.signed": "no",
            "clothing.attire": "own_clothes",
            "positioning.pillow_torso": "abdomen",
        },
    )
    # Issue 13: with a stop the sign box offers only "postponed" ("ready" is not shown).
    assert not find(page, "sign.meaning_ready").isVisible()
    assert find(page, "sign.meaning_postponed").isChecked()
    assert not find(page, "sign.blocked").isVisible()

    find(page, "checklist.sections").setCurrentRow(1)
    stop = find(page, "consent.signed.stop")
    assert stop.isVisible() and "No signed consent" in stop.text() and "postponed" in stop.text()
    assert find(page, "checklist.sections").item(1).text().startswith("✖")
    click(qtbot, page, "consent.signed.postpone")

    assert visible_section(page) == "review"
    assert find(page, "sign.meaning_postponed").isChecked()
    assert find(page, "sign.submit").isEnabled()
    type_in_password(qtbot, page, PASSWORDS["nurse"])
    submit_signature(qtbot, page)
    assert "reason" in find(page, "sign.error").text().lower()  # a reason is required
    assert status_of(store, nurse, cid) == "draft"

    type_in(qtbot, page, "sign.reason", "Consent form not signed; rebooked")
    sign_ready(qtbot, page, PASSWORDS["nurse"])
    detail = checklists.detail(store, nurse, cid)
    assert detail["status"] == "postponed"
    assert detail["signatures"][0]["reason"] == "Consent form not signed; rebooked"
    assert "postponed" in find(page, "checklist.status").text()


def test_abandoned_draft_resumes_where_it_was_left(
    qtbot: Any, store: Store, actors: dict[str, Actor]
) -> None:
    nurse = actors["nurse"]
    cid = start_v1(store, nurse, ["T12", "L1"])  # typed allergies are v1's
    page = open_page(qtbot, store, nurse, cid)
    for item_id in [
        "identity.wristband_checked",
        "identity.procedure_confirmed",
        "identity.levels_match_consent",
        "identity.levels_match_imaging",
        "identity.site_marked",
    ]:
        give(qtbot, page, item_id, "yes")
    click(qtbot, page, "checklist.next")
    for item_id in [
        "consent.signed",
        "consent.matches_procedure_and_levels",
        "consent.risks_explained",
    ]:
        give(qtbot, page, item_id, "yes")
    give(qtbot, page, "consent.interpreter", "used")
    click(qtbot, page, "checklist.next")
    give(qtbot, page, "history.allergies", "Latex gloves, penicillin")
    give(qtbot, page, "history.anticoagulants", "none")
    give(qtbot, page, "history.inr", "1,2")
    page.close()  # interrupted: the nurse walks away; nothing is lost

    again = open_page(qtbot, store, nurse, cid)
    assert visible_section(again) == "history"
    platelets = find(again, "history.platelets")
    qtbot.waitUntil(lambda: again.focusWidget() is platelets)  # cursor in the first unanswered
    assert find(again, "history.inr").text() == "1.2"
    assert find(again, "history.allergies").text() == "Latex gloves, penicillin"
    assert find(again, "history.anticoagulants.none").isChecked()
    assert find(again, "consent.interpreter.used").isChecked()
    assert find(again, "identity.site_marked.yes").isChecked()
    banner = find(again, "checklist.allergy_banner")
    assert banner.isVisible() and "Latex" in banner.text()
    assert find(again, "checklist.progress").value() > 0


def test_signed_checklist_is_read_only_and_takes_an_addendum(
    qtbot: Any, store: Store, actors: dict[str, Actor]
) -> None:
    nurse = actors["nurse"]
    cid = start(store, nurse, ["L2"])
    page = open_page(qtbot, store, nurse, cid)
    walk(qtbot, page, {"clothing.attire": "gown", "positioning.pillow_torso": "abdomen"})
    sign_ready(qtbot, page, PASSWORDS["nurse"])
    page.close()

    page = open_page(qtbot, store, nurse, cid)
    assert visible_section(page) == "review"
    assert "Signed" in find(page, "checklist.status").text()
    assert not find(page, "sign.submit").isVisible()
    inputs = [
        w
        for w in page.findChildren(QWidget)
        if isinstance(w, QAbstractButton | QLineEdit)
        and "." in w.objectName()
        and w.objectName().split(".")[0] in {s.id for s in default_template().sections}
    ]
    assert inputs and not any(w.isEnabled() for w in inputs)

    click(qtbot, page, "checklist.addendum")
    find(page, "addendum.text").setPlainText("Patient also reports a plaster allergy.")
    find(page, "addendum.password").setText("wrong-password-1")
    click(qtbot, page, "addendum.submit")
    error = find(page, "addendum.error")
    qtbot.waitUntil(error.isVisible, timeout=10_000)  # the password is checked off the UI thread
    assert "Traceback" not in error.text()
    find(page, "addendum.password").setText(PASSWORDS["nurse"])
    click(qtbot, page, "addendum.submit")
    qtbot.waitUntil(
        lambda: (
            page.findChild(QWidget, "addendum.text") is None
            or not find(page, "addendum.text").isVisible()
        )
    )

    detail = checklists.detail(store, nurse, cid)
    assert [a["text"] for a in detail["addenda"]] == ["Patient also reports a plaster allergy."]
    assert detail["status"] == "signed"
    assert "plaster allergy" in find(page, "review.addendum").text()


def signed_lumbar(store: Store, actor: Actor) -> int:
    document = {
        "patient": {"name": "Ada Example", "date_of_birth": "1948-03-02", "mrn": "MRN123456"},
        "levels": ["L2"],
        "planned_start": PLANNED.strftime("%Y-%m-%dT%H:%M"),
        "physician": "Dr Amara Okafor",
        "answers": LUMBAR_ANSWERS,
    }
    checklist_id = checklists.create_from_document(store, actor, document)
    signing.sign(store, actor, checklist_id, PASSWORDS[actor.role], "ready", None)
    return checklist_id


def test_addendum_is_signed_off_the_ui_thread_with_enter_in_the_password(
    qtbot: Any, store: Store, actors: dict[str, Actor], monkeypatch: pytest.MonkeyPatch
) -> None:
    nurse = actors["nurse"]
    cid = signed_lumbar(store, nurse)
    threads: list[threading.Thread] = []
    real_add_addendum = signing.add_addendum

    def recording(*args: Any, **kwargs: Any) -> Any:
        threads.append(threading.current_thread())
        return real_add_addendum(*args, **kwargs)

    monkeypatch.setattr(signing, "add_addendum", recording)
    page = open_page(qtbot, store, nurse, cid)
    click(qtbot, page, "checklist.addendum")
    find(page, "addendum.text").setPlainText("Skin mark redone after the wash.")
    password = find(page, "addendum.password")
    password.setFocus()
    qtbot.keyClicks(password, PASSWORDS["nurse"])
    qtbot.keyClick(password, Qt.Key.Key_Return)

    def addenda() -> list[str]:
        detail = checklists.detail(store, nurse, cid, audited=False)
        return [a["text"] for a in detail["addenda"]]

    qtbot.waitUntil(lambda: addenda() == ["Skin mark redone after the wash."], timeout=10_000)
    assert threads and all(t is not threading.main_thread() for t in threads)
    qtbot.waitUntil(lambda: "Skin mark redone" in find(page, "review.addendum").text())
