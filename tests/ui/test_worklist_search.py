"""Issue 13 finding 7: a nurse reaches earlier records from the worklist (name, MRN, planned
dates) and opens one read-only with "Add addendum"; a filter or search that finds nothing says
so in words; the worklist shows each patient's date of birth."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QLabel, QPushButton

from vpchecklist import demo
from vpchecklist.services import checklists
from vpchecklist.store import open_store


@pytest.fixture
def store(db_path):  # type: ignore[no-untyped-def]
    """A demo database with signed records planned over the last month."""
    s = open_store(db_path, demo=True)
    list(demo.generate(s, 4, seed=11))
    yield s
    s.close()


@pytest.fixture
def worklist(qtbot, make_window, store, drive):  # type: ignore[no-untyped-def]
    demo.ensure_demo_users(store)
    window = make_window()
    drive.signed_in(window, "demo.nurse", demo.DEMO_PASSWORD)
    page = window.home
    qtbot.waitUntil(lambda: page.empty.isVisible() or page.model.rowCount() > 0, timeout=5000)
    return window, page


def _earlier_record(store, people):  # type: ignore[no-untyped-def]
    today = date.today().isoformat()
    rows = checklists.search(store, people["demo.auditor"])
    return next(r for r in rows if r["planned_start"][:10] < today and r["status"] != "draft")


def test_a_past_record_is_found_by_name_and_opens_read_only_with_add_addendum(
    qtbot, store, worklist
):
    window, page = worklist
    record = _earlier_record(store, demo.ensure_demo_users(store))
    shown = {page.model.checklist_id(r) for r in range(page.model.rowCount())}
    assert record["id"] not in shown  # not today's and not open: off the worklist
    surname = record["patient_name"].split()[-1]
    qtbot.keyClicks(page.search_text, surname.upper())
    qtbot.mouseClick(page.search_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.searching and page.model.rowCount() > 0, timeout=5000)
    ids = [page.model.checklist_id(r) for r in range(page.model.rowCount())]
    assert record["id"] in ids
    assert page.model.index(ids.index(record["id"]), 1).data() == record["date_of_birth"]
    page.open_requested.emit(record["id"])
    qtbot.waitUntil(lambda: window.checklist_page is not None, timeout=5000)
    addendum = window.checklist_page.findChild(QPushButton, "checklist.addendum")
    qtbot.waitUntil(addendum.isVisible, timeout=5000)


def test_a_search_by_mrn_and_dates_that_finds_nothing_says_so(qtbot, store, worklist):
    _, page = worklist
    record = _earlier_record(store, demo.ensure_demo_users(store))
    qtbot.keyClicks(page.search_text, record["mrn"])
    page.search_from.setDate(QDate(2001, 1, 1))
    page.search_to.setDate(QDate(2001, 1, 31))
    qtbot.mouseClick(page.search_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.empty.text().startswith("No record"), timeout=5000)
    assert page.empty.isVisible()
    text = page.findChild(QLabel, "worklist.empty").text()
    assert (
        text == f"No record matches \u201c{record['mrn']}\u201d between 2001-01-01 and 2001-01-31."
    )
    assert not page.table.isVisible()
    page.search_from.setDate(page.search_from.minimumDate())
    page.search_to.setDate(page.search_to.minimumDate())
    qtbot.mouseClick(page.search_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=5000)
    assert page.table.isVisible() and not page.empty.isVisible()
    qtbot.mouseClick(page.back_button, Qt.MouseButton.LeftButton)
    assert not page.searching


def test_a_worklist_filter_with_no_match_says_so_in_words(qtbot, store, worklist):
    _, page = worklist
    page.searching = False
    page.model.set_rows(checklists.search(store, demo.ensure_demo_users(store)["demo.auditor"]))
    qtbot.keyClicks(page.filter, "zzzz")
    assert page.proxy.rowCount() == 0
    assert page.empty.isVisible() and "\u201czzzz\u201d" in page.empty.text()
    assert not page.table.isVisible()
    page.filter.clear()
    assert page.table.isVisible() and not page.empty.isVisible()
