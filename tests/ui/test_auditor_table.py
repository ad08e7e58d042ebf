"""Issue 13 finding 5 and the date filter: the auditor's table shows whole values, sorts in the
database on a header click, finds a patient by the start of a name (any case, any accents),
and its date pop-up opens on this month."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QDate, QPoint, Qt
from PySide6.QtWidgets import QHeaderView

from tests.bulk_records import make_records
from ui.app import application
from ui.auditor import AuditorPage
from ui.auditor.records_model import COLUMNS
from vpchecklist import demo
from vpchecklist.name_search import name_key
from vpchecklist.store import open_store


@pytest.fixture
def store(db_path):  # type: ignore[no-untyped-def]
    s = open_store(db_path, demo=True)
    yield s
    s.close()


@pytest.fixture
def page(qtbot, store):  # type: ignore[no-untyped-def]
    application()
    make_records(store, 120, header_only=True)
    auditor = demo.ensure_demo_users(store)["demo.auditor"]
    page = AuditorPage(store, auditor)
    qtbot.addWidget(page)
    page.resize(1280, 800)
    page.show()
    qtbot.waitExposed(page)
    return page


def cells(page: AuditorPage, column: int) -> list[str]:
    return [str(page.model.index(r, column).data()) for r in range(page.model.rowCount())]


def test_every_column_is_as_wide_as_its_header_and_values(page):
    header = page.table.horizontalHeader()
    metrics = page.table.fontMetrics()
    for column, title in enumerate(COLUMNS):
        if column == 1:
            continue  # the patient's name takes the width left over
        widest = max(metrics.horizontalAdvance(t) for t in [*cells(page, column), title])
        assert header.sectionSize(column) >= widest, title
    viewport = page.table.viewport().width()
    assert header.length() <= viewport  # no horizontal scrolling at 1280x800
    assert header.sectionSize(1) >= 100  # the name keeps room; its tooltip holds the rest
    index = page.model.index(0, 9)
    assert index.data(Qt.ItemDataRole.ToolTipRole) == index.data()


def test_a_header_click_sorts_in_the_database(qtbot, page):
    header = page.table.horizontalHeader()
    total = page.model.total
    qtbot.mouseClick(
        header.viewport(),
        Qt.MouseButton.LeftButton,
        pos=QPoint(header.sectionViewportPosition(1) + 5, 5),
    )
    assert page.model.sort_key[0] == "patient_name"
    names = cells(page, 1)
    keys = [name_key(n) for n in names]
    # The first page is the start of the whole table's order, not a page sorted in memory.
    assert keys == sorted(keys) or keys == sorted(keys, reverse=True)
    assert page.model.total == total
    page.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    ids = [int(c) for c in cells(page, 0)]
    assert ids == sorted(ids) and ids[0] == 1


def test_search_by_the_start_of_a_name_ignores_case_and_accents(qtbot, page):
    qtbot.keyClicks(page.name, "nguyen th")
    qtbot.waitUntil(lambda: page.model.filters.name == "nguyen th", timeout=3000)
    names = cells(page, 1)
    assert names and all(n.startswith("Nguyễn Thị") for n in names)
    page.name.clear()
    qtbot.keyClicks(page.name, "GARC")  # the surname: a word's start, not only the first
    qtbot.waitUntil(lambda: page.model.filters.name == "GARC", timeout=3000)
    assert cells(page, 1) and all("García" in n for n in cells(page, 1))
    page.name.clear()
    qtbot.keyClicks(page.name, "arcia")  # inside a word: no match
    qtbot.waitUntil(lambda: page.model.filters.name == "arcia", timeout=3000)
    assert page.model.total == 0 and page.count_label.text() == "0 records"


def test_the_date_filter_pop_up_opens_on_this_month(qtbot, page):
    edit = page.date_from
    assert edit.specialValueText() == "Any" and edit.text() == "Any"
    calendar = edit.calendarWidget()
    qtbot.mouseClick(
        edit, Qt.MouseButton.LeftButton, pos=QPoint(edit.width() - 8, edit.height() // 2)
    )
    qtbot.waitUntil(calendar.isVisible, timeout=3000)
    today = QDate.currentDate()
    assert (calendar.yearShown(), calendar.monthShown()) == (today.year(), today.month())
    calendar.hide()


def test_header_is_sortable_and_sized_to_content(page):
    header = page.table.horizontalHeader()
    assert page.table.isSortingEnabled()
    assert header.sectionResizeMode(3) == QHeaderView.ResizeMode.ResizeToContents


def test_the_record_view_wraps_answers_without_horizontal_scrolling(qtbot, page):
    dialog = page.open_record(1)
    assert dialog is not None
    qtbot.waitExposed(dialog)
    assert dialog.width() <= 1280 and dialog.height() <= 800
    table = dialog.answers
    header = table.horizontalHeader()
    assert table.horizontalScrollBar().maximum() == 0
    assert header.length() <= table.viewport().width()
    metrics = table.fontMetrics()
    longest = max(range(table.rowCount()), key=lambda r: len(table.item(r, 1).text()))
    text = table.item(longest, 1).text()
    if metrics.horizontalAdvance(text) > header.sectionSize(1):
        assert table.rowHeight(longest) > metrics.height() * 1.5  # wrapped onto more lines
    dialog.close()
