"""No widget of a page ever shows up as a window of its own. A child shown before it has a
parent, or taken out of its parent while shown, flashes up as a separate top-level window and
takes the keyboard focus with it (after signing, the nurse's next key went nowhere)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QApplication, QWidget

from tests.conftest import PASSWORDS
from tests.documents import LUMBAR_ANSWERS
from ui.checklist import ChecklistPage
from vpchecklist.services import checklists
from vpchecklist.services.actors import Actor
from vpchecklist.store import Store


class _WindowsShown(QObject):
    """Every top-level widget shown while it watches."""

    def __init__(self) -> None:
        super().__init__()
        self.shown: list[str] = []

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        if event.type() == QEvent.Type.Show and isinstance(watched, QWidget) and watched.isWindow():
            self.shown.append(f"{type(watched).__name__} {watched.objectName()!r}")
        return False


@pytest.fixture
def windows_shown(qapp: QApplication) -> Iterator[_WindowsShown]:
    watcher = _WindowsShown()
    qapp.installEventFilter(watcher)
    yield watcher
    qapp.removeEventFilter(watcher)


def test_signing_with_an_acknowledged_warning_opens_no_other_window(
    qtbot: Any, store: Store, actors: dict[str, Actor], windows_shown: _WindowsShown
) -> None:
    nurse = actors["nurse"]
    document = {
        "patient": {"name": "Ada Example", "date_of_birth": "1948-03-02", "mrn": "MRN123456"},
        "levels": ["L2"],
        "planned_start": "2026-11-25T10:00",
        "physician": "Dr Amara Okafor",
        "answers": {**LUMBAR_ANSWERS, "history.inr": 1.8},
        "acknowledgements": {
            "history.inr": {"reason": "Discussed", "physician_informed": "Dr Amara Okafor"}
        },
    }
    checklist_id = checklists.create_from_document(store, nurse, document)
    page = ChecklistPage(store, nurse, checklist_id)
    qtbot.addWidget(page)
    page.resize(1280, 800)
    page.show()
    qtbot.waitExposed(page)
    qtbot.mouseClick(page.findChild(QWidget, "checklist.review"), Qt.MouseButton.LeftButton)
    warning = page.findChild(QWidget, "review.warning_text.history.inr")
    assert warning is not None and warning.isVisible()
    password = page.findChild(QWidget, "sign.password")
    password.setFocus()
    qtbot.keyClicks(password, PASSWORDS["nurse"])
    windows_shown.shown.clear()  # only the page itself so far

    qtbot.mouseClick(page.findChild(QWidget, "sign.submit"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: checklists.detail(store, nurse, checklist_id, audited=False)["status"] == "signed",
        timeout=10_000,
    )
    qtbot.waitUntil(lambda: "Signed" in page.findChild(QWidget, "checklist.status").text())
    qtbot.wait(50)  # a stray window would show on the next event-loop turns
    assert windows_shown.shown == []
