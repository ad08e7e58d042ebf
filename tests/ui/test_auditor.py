"""The auditor workspace driven like a user: lazy table, filters, read-only record with its
audit trail, and bulk export in the background with progress and cancel."""

from __future__ import annotations

import random
import time
from datetime import datetime
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QModelIndex, Qt, QTimer
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from tests.bulk_records import make_records
from ui.app import application
from ui.auditor import AuditorPage
from ui.auditor.records_model import FIRST_PAGE
from ui.operations import wait_for_background
from vpchecklist import demo
from vpchecklist.services import audit, checklists
from vpchecklist.services.exports import pdf_name
from vpchecklist.store import open_store


@pytest.fixture
def store(db_path):  # type: ignore[no-untyped-def]
    """A demo database: demo users and records go only into one (issue 12)."""
    s = open_store(db_path, demo=True)
    yield s
    s.close()


@pytest.fixture
def people(store):
    return demo.ensure_demo_users(store)


@pytest.fixture
def page_for(qtbot, store):  # type: ignore[no-untyped-def]
    application()
    pages = []

    def build(actor):  # type: ignore[no-untyped-def]
        page = AuditorPage(store, actor)
        qtbot.addWidget(page)
        page.resize(1200, 800)
        page.show()
        qtbot.waitExposed(page)
        pages.append(page)
        return page

    yield build
    for page in pages:
        if page.job is not None:
            page.job.cancel()
    wait_for_background(60_000)


@pytest.fixture
def out_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "export"
    folder.mkdir()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(folder))
    return folder


def cell(page: AuditorPage, row: int, column: int) -> str:
    return str(page.model.index(row, column).data())


def test_table_fetches_lazily_and_scrolls(qtbot, store, people, page_for):
    make_records(store, 650, header_only=True)
    page = page_for(people["demo.auditor"])
    assert page.model.total == 650
    assert page.model.rowCount() == FIRST_PAGE
    assert page.findChild(type(page.count_label), "auditor.count").text() == "650 records"
    page.table.scrollToBottom()
    qtbot.waitUntil(lambda: page.model.rowCount() > FIRST_PAGE, timeout=3000)
    while page.model.canFetchMore(QModelIndex()):
        page.model.fetchMore(QModelIndex())
    assert page.model.rowCount() == 650


def test_filters_by_mrn_status_and_warnings(qtbot, store, people, page_for):
    ids = make_records(store, 40, real=6)
    page = page_for(people["demo.auditor"])
    mrn = cell(page, 0, 3)
    qtbot.keyClicks(page.mrn, mrn)
    qtbot.waitUntil(lambda: page.model.total == 1, timeout=3000)
    assert cell(page, 0, 3) == mrn
    page.mrn.clear()
    qtbot.mouseClick(page.postponed, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.model.filters.status == "postponed", timeout=3000)
    statuses = {cell(page, r, 6) for r in range(page.model.rowCount())}
    assert statuses <= {"Postponed"}
    qtbot.mouseClick(page.postponed, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(page.has_warnings, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.model.filters.has_warnings is True, timeout=3000)
    assert all(int(cell(page, r, 7)) > 0 for r in range(page.model.rowCount()))
    assert page.model.total < len(ids)


def test_record_view_is_read_only_with_the_audit_trail(qtbot, store, people, page_for):
    nurse = people["demo.nurse"]
    doc = demo.demo_document(random.Random(3), datetime(2026, 3, 10, 10), ["L2"], "clean")
    cid = checklists.create_from_document(store, nurse, doc)
    checklists.answer(store, nurse, cid, "sedation.baseline_hr", 64)
    page = page_for(people["demo.auditor"])
    dialog = page.open_record(cid)
    assert dialog is not None and dialog.isVisible()
    history = dialog.history
    rows = [
        [history.item(r, c).text() for c in range(history.columnCount())]
        for r in range(history.rowCount())
    ]
    changed = [r for r in rows if r[2] == "Baseline heart rate" and r[4] == "64 /min"]
    assert changed and changed[-1][1] == "demo.nurse" and changed[-1][3].endswith("/min")
    assert dialog.answers.editTriggers() == dialog.answers.EditTrigger.NoEditTriggers
    dialog.close()


def test_nurse_sees_only_her_own_records(store, people, page_for):
    make_records(store, 6, real=6)
    nurse = people["demo.nurse"]
    page = page_for(nurse)
    own = checklists.count(store, nurse, checklists.Filters(created_by=nurse.id))
    assert page.model.total == own < 6


def test_bulk_export_runs_in_background_and_cancel_keeps_only_finished_files(
    qtbot, store, people, page_for, out_dir
):
    make_records(store, 200)
    auditor = people["demo.auditor"]
    page = page_for(auditor)
    assert page.model.total == 200

    qtbot.mouseClick(page.export_all, Qt.MouseButton.LeftButton)
    assert page.job is not None and page.job.running
    assert page.progress.isVisible() and page.cancel.isEnabled()
    qtbot.waitUntil(lambda: page.progress.value() >= 3, timeout=30_000)

    # The window keeps answering while the export runs: typing, clicking, opening a record.
    qtbot.keyClicks(page.signer, "Nguy")
    qtbot.waitUntil(lambda: page.model.filters.signer == "Nguy", timeout=3000)
    page.signer.clear()
    qtbot.mouseClick(page.has_warnings, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(page.has_warnings, Qt.MouseButton.LeftButton)
    dialog = page.open_record(page.model.checklist_id(0))
    assert dialog is not None
    dialog.close()
    assert page.job.running

    # While the worker renders, a 20 ms timer on the UI thread keeps firing on time.
    ticks: list[float] = []
    heartbeat = QTimer()
    heartbeat.setInterval(20)
    heartbeat.timeout.connect(lambda: ticks.append(time.perf_counter()))
    heartbeat.start()
    qtbot.wait(1500)
    heartbeat.stop()
    assert page.job.running
    gaps = [b - a for a, b in zip(ticks, ticks[1:], strict=False)]
    assert len(ticks) >= 20 and max(gaps) < 0.5, (len(ticks), max(gaps))

    qtbot.mouseClick(page.cancel, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not page.job.running, timeout=30_000)

    assert "cancelled" in page.summary.text()
    files = sorted(out_dir.iterdir())
    assert 3 <= len(files) < 200
    assert all(f.suffix == ".pdf" for f in files)  # no partial files left behind
    for f in files:
        assert len(PdfReader(str(f)).pages) >= 2
    exported = [
        e for e in audit.events(store, auditor) if e["action"] == "export" and e["outcome"] == "ok"
    ]
    assert sorted(e["detail"]["file"] for e in exported) == [f.name for f in files]


def test_export_selected_records_finishes_with_a_summary(qtbot, store, people, page_for, out_dir):
    make_records(store, 12, real=3)
    page = page_for(people["demo.auditor"])
    page.table.selectRow(0)
    page.table.selectionModel().select(
        page.model.index(2, 0),
        page.table.selectionModel().SelectionFlag.Select
        | page.table.selectionModel().SelectionFlag.Rows,
    )
    wanted = sorted(page.selected_ids())
    assert len(wanted) == 2
    qtbot.mouseClick(page.export_selected, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not page.job.running, timeout=30_000)
    assert sorted(f.name for f in out_dir.iterdir()) == sorted(pdf_name(cid) for cid in wanted)
    assert "2 PDFs written" in page.summary.text()
    assert not page.cancel.isVisible() and page.export_all.isEnabled()


def test_export_asks_before_replacing_copies_already_in_the_folder(
    qtbot, store, people, page_for, out_dir, monkeypatch
):
    make_records(store, 3, real=3)
    page = page_for(people["demo.auditor"])
    page.table.selectRow(0)
    [cid] = page.selected_ids()
    earlier = out_dir / pdf_name(cid)
    earlier.write_bytes(b"an earlier copy")
    answers = iter(
        [
            QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.Yes,
        ]
    )
    asked: list[str] = []

    def question(parent, title, text, *args):  # type: ignore[no-untyped-def]
        asked.append(text)
        return next(answers)

    monkeypatch.setattr(QMessageBox, "question", question)

    qtbot.mouseClick(page.export_selected, Qt.MouseButton.LeftButton)  # Cancel
    assert page.job is None and len(asked) == 1 and earlier.name in asked[0]
    assert earlier.read_bytes() == b"an earlier copy"

    qtbot.mouseClick(page.export_selected, Qt.MouseButton.LeftButton)  # No: keep it
    qtbot.waitUntil(lambda: not page.job.running, timeout=30_000)
    assert earlier.read_bytes() == b"an earlier copy"
    assert "a file of that name was already there" in page.summary.text()

    qtbot.mouseClick(page.export_selected, Qt.MouseButton.LeftButton)  # Yes: replace it
    qtbot.waitUntil(lambda: not page.job.running, timeout=30_000)
    assert earlier.read_bytes()[:5] == b"%PDF-"
    assert "1 PDF written" in page.summary.text() and len(asked) == 3


def test_csv_export_of_the_filter_selection(qtbot, store, people, page_for, out_dir):
    make_records(store, 30, real=3)
    page = page_for(people["demo.auditor"])
    page.format.setCurrentIndex(page.format.findData("csv"))
    qtbot.mouseClick(page.export_all, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not page.job.running, timeout=30_000)
    [csv_file] = list(out_dir.iterdir())
    assert len(csv_file.read_text(encoding="utf-8-sig").strip().splitlines()) == 31
    assert "1 CSV file written" in page.summary.text()


def test_widgets_have_object_and_accessible_names(store, people, page_for):
    page = page_for(people["demo.auditor"])
    for name in (
        "auditor.table",
        "auditor.filter.mrn",
        "auditor.filter.status",
        "auditor.filter.from",
        "auditor.filter.to",
        "auditor.filter.signer",
        "auditor.filter.has_warnings",
        "auditor.export_selected",
        "auditor.export_all",
        "auditor.progress",
        "auditor.cancel",
    ):
        widget = page.findChild(QWidget, name)
        assert widget is not None, name
        assert widget.accessibleName(), name
