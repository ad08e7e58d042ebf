"""Spec §6.5 on the new-checklist page: the level warnings show while levels are picked, and a
typed level that is not one blocks "Create" with its message (never dropped silently)."""

from __future__ import annotations

from PySide6.QtCore import Qt

from tests.ui.test_app_shell import LEFT, _fill_header, _new_checklist_page, _widget
from vpchecklist.services import checklists
from vpchecklist.services.checklists import Filters


def test_an_invalid_typed_level_blocks_create_until_it_is_corrected(
    qtbot, make_window, store, actors, passwords, drive
):
    window = make_window()
    drive.signed_in(window, "nurse", passwords["nurse"])
    page = _new_checklist_page(qtbot, window)
    _fill_header(qtbot, window)
    entry = _widget(window, "new.levels.entry")
    qtbot.keyClicks(entry, "T13, L2-L4")
    qtbot.mouseClick(_widget(window, "new.create"), LEFT)

    unknown = _widget(window, "new.levels.unknown")
    assert unknown.isVisible()
    assert "Not a level: T13" in unknown.text()
    assert "Correct or remove it" in unknown.text()
    assert checklists.search(store, actors["nurse"], Filters(open_only=True)) == []
    assert window.stack.currentWidget() is page
    assert window.focusWidget() is entry
    assert entry.text() == "T13, L2-L4"  # nothing typed is lost

    qtbot.keyClick(entry, Qt.Key.Key_Return)  # Enter on the levels creates: still refused
    assert checklists.search(store, actors["nurse"], Filters(open_only=True)) == []

    entry.clear()
    qtbot.keyClicks(entry, "T12, L2-L4")
    qtbot.mouseClick(_widget(window, "new.create"), LEFT)
    rows = checklists.search(store, actors["nurse"], Filters(open_only=True))
    assert [r["levels"] for r in rows] == [["T12", "L2", "L3", "L4"]]


def test_level_warnings_show_while_levels_are_picked(
    qtbot, make_window, store, actors, passwords, drive
):
    window = make_window()
    drive.signed_in(window, "nurse", passwords["nurse"])
    _new_checklist_page(qtbot, window)
    warnings = _widget(window, "new.levels.warnings")
    assert not warnings.isVisible()

    for level in ("T12", "L1", "L2"):
        qtbot.mouseClick(_widget(window, f"new.levels.{level}"), LEFT)
    assert not warnings.isVisible()  # three adjacent levels across T12–L1

    qtbot.mouseClick(_widget(window, "new.levels.L3"), LEFT)
    assert warnings.isVisible()
    assert warnings.text() == "⚠ 4 levels — confirm each one against the imaging."

    qtbot.mouseClick(_widget(window, "new.levels.L1"), LEFT)  # T12, L2, L3: a gap
    assert warnings.text() == "⚠ Levels are not adjacent — confirm each one against the imaging."

    qtbot.mouseClick(_widget(window, "new.levels.L1"), LEFT)
    qtbot.mouseClick(_widget(window, "new.levels.L3"), LEFT)
    qtbot.mouseClick(_widget(window, "new.levels.T12"), LEFT)
    qtbot.mouseClick(_widget(window, "new.levels.S1"), LEFT)  # L1, L2, S1: gap
    assert "not adjacent" in warnings.text()
    qtbot.mouseClick(_widget(window, "new.levels.S1"), LEFT)
    qtbot.mouseClick(_widget(window, "new.levels.L2"), LEFT)
    qtbot.mouseClick(_widget(window, "new.levels.L1"), LEFT)
    qtbot.mouseClick(_widget(window, "new.levels.L5"), LEFT)
    qtbot.mouseClick(_widget(window, "new.levels.S1"), LEFT)  # L5–S1 adjacent
    assert not warnings.isVisible()
