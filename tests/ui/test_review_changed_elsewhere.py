"""The review page signs what it displayed: when another workstation changed the draft after the
review was shown, nothing is signed, the review reloads and says why (issue 12)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from tests.conftest import PASSWORDS
from tests.documents import LUMBAR_ANSWERS
from ui.checklist import ChecklistPage
from vpchecklist.services import checklists
from vpchecklist.services.actors import Actor
from vpchecklist.store import Store

HEADER = {
    "patient": {"name": "Ada Example", "date_of_birth": "1948-03-02", "mrn": "MRN-8"},
    "levels": ["L2"],
    "planned_start": "2026-03-10T10:00",
    "physician": "Dr A. Radiologist",
}


def find(page: QWidget, name: str) -> Any:
    widget = page.findChild(QWidget, name)
    assert widget is not None, f"no widget named {name}"
    return widget


def press_sign(qtbot: Any, page: QWidget, password: str) -> None:
    field = find(page, "sign.password")
    field.setFocus()
    qtbot.keyClicks(field, password)
    submit = find(page, "sign.submit")
    assert submit.isEnabled()
    qtbot.mouseClick(submit, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Signing" not in submit.text(), timeout=15_000)


def test_review_reloads_instead_of_signing_a_changed_draft(
    qtbot: Any, store: Store, actors: dict[str, Actor]
) -> None:
    nurse, physician = actors["nurse"], actors["physician"]
    doc = {**HEADER, "answers": dict(LUMBAR_ANSWERS), "acknowledgements": {}}
    cid = checklists.create_from_document(store, nurse, doc)
    page = ChecklistPage(store, nurse, cid)
    qtbot.addWidget(page)
    page.resize(1280, 800)
    page.show()
    qtbot.waitExposed(page)
    qtbot.mouseClick(find(page, "checklist.review"), Qt.MouseButton.LeftButton)
    assert "250" in find(page, "review.answers").toPlainText()

    checklists.answer(store, physician, cid, "history.platelets", 180)  # another workstation
    press_sign(qtbot, page, PASSWORDS["nurse"])

    error = find(page, "sign.error")
    qtbot.waitUntil(error.isVisible, timeout=5000)
    assert error.text().startswith("The checklist changed since you reviewed it")
    assert checklists.detail(store, nurse, cid)["status"] == "draft"
    shown = find(page, "review.answers").toPlainText()
    assert "180" in shown and "250" not in shown  # the review now shows what would be signed

    press_sign(qtbot, page, PASSWORDS["nurse"])
    qtbot.waitUntil(
        lambda: checklists.detail(store, nurse, cid)["status"] == "signed", timeout=5000
    )
