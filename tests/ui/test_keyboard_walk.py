"""The keyboard walk (issue 13 finding 2, done-when): a whole benign lumbar checklist on
template v2, header to signature, from the keyboard alone, and what the walk never does
(Enter answering, Tab into the page chrome, focus on Lock or Sign out)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from tests.documents import LUMBAR_ANSWERS
from tests.ui.test_checklist_flows import find, open_page, start, type_in
from vpchecklist.services import checklists
from vpchecklist.services.actors import Actor
from vpchecklist.store import Store
from vpchecklist.templates import default_template

#: How a nurse types each benign value (text; not counted as keys).
TYPED: dict[str, str] = {
    "history.inr": "1.0",
    "history.platelets": "250",
    "sedation.last_solids": "20:00",  # the evening before the start
    "sedation.last_clear_liquids": "06:00",
    "sedation.iv_access": "left forearm, 20 G",
    "sedation.baseline_bp": "130/80",
    "sedation.baseline_hr": "72",
    "sedation.baseline_spo2": "97",
    "sedation.weight_kg": "70",
    "skin.dry_time_min": "3",
}
HEADER_FIELDS = 6  # name, date of birth, MRN, planned start, physician, levels


class Keys:
    """Presses keys where the focus is, the way a nurse's keyboard does, counting the keys that
    are not part of a typed value."""

    def __init__(self, qtbot: Any, window: QWidget) -> None:
        self.qtbot = qtbot
        self.window = window
        self.count = 0

    @property
    def focus(self) -> QWidget:
        widget = self.window.focusWidget()
        assert widget is not None, "nothing has the keyboard focus"
        return widget

    def press(
        self, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
    ) -> None:
        self.count += 1
        self.qtbot.keyClick(self.focus, key, modifier)

    def type(self, text: str) -> None:
        self.qtbot.keyClicks(self.focus, text)


def card_of(widget: QWidget | None) -> str | None:
    while widget is not None:
        if widget.objectName().endswith(".card"):
            return widget.objectName().removesuffix(".card")
        widget = widget.parentWidget()
    return None


def test_a_benign_lumbar_checklist_from_the_keyboard_alone(
    qtbot: Any,
    make_window: Any,
    store: Store,
    actors: dict[str, Actor],
    passwords: dict[str, str],
    drive: Any,
) -> None:
    window = make_window()
    drive.signed_in(window, "nurse", passwords["nurse"])
    keys = Keys(qtbot, window)
    keys.press(Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)  # New checklist
    qtbot.waitUntil(lambda: window.new_page is not None and window.new_page.isVisible())
    assert keys.focus.objectName() == "new.patient_name"
    start_day = date.today() + timedelta(days=1)
    for name, text in (
        ("new.patient_name", "Maria Garcia"),
        ("new.date_of_birth", "1950-07-14"),
        ("new.mrn", "MRN900100"),
        ("new.planned_start", f"{start_day:%Y-%m-%d} 10:00"),
        ("new.physician", "Dr Amara Okafor"),
        ("new.levels.entry", "L2"),
    ):
        assert keys.focus.objectName() == name
        keys.type(text)
        keys.press(Qt.Key.Key_Return)
    header_keys = keys.count
    qtbot.waitUntil(lambda: window.checklist_page is not None and window.checklist_page.isVisible())
    page = window.checklist_page

    template = default_template()
    items = [item for section in template.sections for item in section.items]
    for item in items:
        qtbot.waitUntil(lambda i=item.id: card_of(window.focusWidget()) == i, timeout=3000)
        value = LUMBAR_ANSWERS[item.id]
        if item.kind == "confirm":
            keys.press(Qt.Key.Key_Y if value == "yes" else Qt.Key.Key_N)
        elif item.kind == "choice":
            number = [o.id for o in item.options].index(value) + 1
            keys.press(Qt.Key(Qt.Key.Key_0 + number))
        elif item.kind in ("allergies", "anticoagulants"):
            assert value == "none"
            keys.press(Qt.Key.Key_N)
        else:
            keys.type(TYPED[item.id])
            keys.press(Qt.Key.Key_Return)

    password = find(page, "sign.password")
    qtbot.waitUntil(password.hasFocus, timeout=3000)  # review opened with the password focused
    keys.type(passwords["nurse"])
    keys.press(Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.session.status == "signed", timeout=10000)
    qtbot.waitUntil(lambda: window.focusWidget() is not None)
    assert window.focusWidget().objectName() not in ("session.lock", "session.sign_out")

    detail = checklists.detail(store, actors["nurse"], page.session.checklist_id)
    assert detail["status"] == "signed"
    answers = checklists.evaluation(store, actors["nurse"], page.session.checklist_id).answers
    assert answers["sedation.last_solids"] == f"{start_day - timedelta(days=1):%Y-%m-%d}T20:00"
    assert answers["sedation.last_clear_liquids"] == f"{start_day:%Y-%m-%d}T06:00"

    walk_keys = keys.count - header_keys
    print(
        f"\nkeyboard walk: {keys.count} non-text keys for {len(items)} items and "
        f"{HEADER_FIELDS} header fields (header {header_keys}, checklist and signature "
        f"{walk_keys})"
    )
    assert walk_keys <= len(items) + 5
    assert keys.count <= len(items) + HEADER_FIELDS + 5


def test_enter_never_answers_and_focus_starts_on_no_answer(
    qtbot: Any, store: Store, actors: dict[str, Actor]
) -> None:
    """Finding 8: "Active infection" had the focus on "Yes", so an Enter walk raised a stop."""
    nurse = actors["nurse"]
    cid = start(store, nurse, ["L2"])
    page = open_page(qtbot, store, nurse, cid)
    page.go_to_item("history.active_infection")
    card = find(page, "history.active_infection.card")
    qtbot.waitUntil(card.hasFocus)
    for _ in range(3):
        qtbot.keyClick(card, Qt.Key.Key_Return)
    assert "history.active_infection" not in checklists.evaluation(store, nurse, cid).answers
    assert not find(page, "history.active_infection.yes").isChecked()
    qtbot.keyClick(card, Qt.Key.Key_Space)
    assert "history.active_infection" not in checklists.evaluation(store, nurse, cid).answers


def test_tab_moves_between_items_and_never_into_the_page_chrome(
    qtbot: Any, store: Store, actors: dict[str, Actor]
) -> None:
    nurse = actors["nurse"]
    cid = start(store, nurse, ["L2"])
    page = open_page(qtbot, store, nurse, cid)
    first = find(page, "identity.wristband_checked.card")
    qtbot.waitUntil(first.hasFocus)
    seen = []
    for _ in range(8):
        qtbot.keyClick(page.focusWidget(), Qt.Key.Key_Tab)
        seen.append(card_of(page.focusWidget()))
    ids = [i.id for s in default_template().sections for i in s.items]
    # The wristband item's own field (the scan) first, then item after item, into consent.
    assert seen[0] == ids[0] and page.focusWidget() is not first
    assert seen[1:] == ids[1:8]
    qtbot.keyClick(page.focusWidget(), Qt.Key.Key_Backtab)
    assert card_of(page.focusWidget()) == ids[6]


def test_y_walks_to_the_next_unanswered_item_across_sections_then_review(
    qtbot: Any, store: Store, actors: dict[str, Actor]
) -> None:
    nurse = actors["nurse"]
    cid = start(store, nurse, ["L2"])
    for item_id, value in LUMBAR_ANSWERS.items():
        if item_id not in ("identity.site_marked", "consent.signed", "timeout.performed"):
            checklists.answer(store, nurse, cid, item_id, value)
    page = open_page(qtbot, store, nurse, cid)
    qtbot.waitUntil(lambda: card_of(page.focusWidget()) == "identity.site_marked")
    qtbot.keyClick(page.focusWidget(), Qt.Key.Key_Y)
    assert card_of(page.focusWidget()) == "consent.signed"  # the next unanswered, next section
    qtbot.keyClick(page.focusWidget(), Qt.Key.Key_Y)
    assert card_of(page.focusWidget()) == "timeout.performed"
    qtbot.keyClick(page.focusWidget(), Qt.Key.Key_Y)
    qtbot.waitUntil(lambda: page.focusWidget() is find(page, "sign.password"))


def test_after_acknowledging_a_warning_the_focus_stays_on_the_item(
    qtbot: Any,
    make_window: Any,
    store: Store,
    actors: dict[str, Actor],
    passwords: dict[str, str],
    drive: Any,
) -> None:
    nurse = actors["nurse"]
    cid = start(store, nurse, ["L2"])
    window = make_window()
    drive.signed_in(window, "nurse", passwords["nurse"])
    window.open_checklist(cid)
    qtbot.waitUntil(lambda: window.checklist_page is not None and window.checklist_page.isVisible())
    page = window.checklist_page
    page.go_to_item("history.inr")
    type_in(qtbot, page, "history.inr", "1.8")
    type_in(qtbot, page, "history.inr.ack_reason", "Discussed with IR", enter=False)
    type_in(qtbot, page, "history.inr.ack_physician", "Dr Amara Okafor", enter=False)
    qtbot.keyClick(find(page, "history.inr.ack_physician"), Qt.Key.Key_Return)
    assert "history.inr" in checklists.evaluation(store, nurse, cid).acknowledged
    focused = window.focusWidget()
    assert focused is not None
    assert focused.objectName() not in ("session.lock", "session.sign_out")
    assert card_of(focused) == "history.inr"
