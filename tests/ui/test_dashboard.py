"""The compliance dashboard driven like an auditor: figures, charts drawn offscreen, a click on a
bar or a figure lists exactly its records, and its numbers equal ``vpchecklist metrics`` and the
``report`` PDF for the same period."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QDate, QPoint, Qt
from PySide6.QtGui import QColor

from tests.documents import LUMBAR_ANSWERS
from tests.walkthrough import HEADER, walk
from ui.app import application
from ui.auditor import AuditorPage
from ui.auditor.bar_chart import BarChart
from ui.auditor.dashboard import DashboardWindow
from ui.operations import wait_for_background
from vpchecklist.clock import ManualClock, using_clock
from vpchecklist.compliance import PALETTE
from vpchecklist.services import Actor, checklists
from vpchecklist.services.metrics import RangeQuery, write_compliance_report
from vpchecklist.store import Store

MARCH = (QDate(2026, 3, 1), QDate(2026, 3, 31))


def day(n: int) -> dict[str, Any]:
    return {**HEADER, "planned_start": f"2026-03-{n:02d}T10:00"}


@pytest.fixture
def period(store: Store, actors: dict[str, Actor], passwords: dict[str, str]) -> dict[str, int]:
    """Two weeks of March: careful, rushed (nurse and physician), postponed, warned, imported."""
    nurse, physician = actors["nurse"], actors["physician"]
    pw = passwords["nurse"]

    def at(d: int, hour: int, minute: int = 0) -> datetime:
        return datetime(2026, 3, d, hour, minute, tzinfo=UTC)

    ids = {
        "careful": walk(
            store, nurse, 5, start=at(10, 9), header=day(10), sign=("ready", None), password=pw
        ),
        "rushed": walk(
            store,
            nurse,
            0.7,
            start=at(11, 9, 30),
            header=day(11),
            sign=("ready", None),
            password=pw,
        ),
        "early": walk(
            store, nurse, 6, start=at(12, 6), header=day(12), sign=("ready", None), password=pw
        ),
        "postponed": walk(
            store,
            nurse,
            4,
            start=at(17, 9),
            header=day(17),
            answers={**LUMBAR_ANSWERS, "consent.signed": "no"},
            sign=("postponed", "Consent form not signed"),
            password=pw,
        ),
        "physician_rushed": walk(
            store,
            physician,
            1.0,
            start=at(18, 9, 20),
            header={**day(18), "physician": "Dr Other"},
            sign=("ready", None),
            password=passwords["physician"],
        ),
        "imported": checklists.create_from_document(
            store, nurse, {**day(19), "answers": LUMBAR_ANSWERS}
        ),
    }
    clock = ManualClock(at(20, 9))
    with using_clock(clock):  # a warned, acknowledged draft answered with care
        warned = checklists.create_from_document(store, nurse, {**day(20), "answers": {}})
        clock.advance(20)
        checklists.answer(store, nurse, warned, "history.inr", 1.7)
        clock.advance(30)
        checklists.acknowledge(store, nurse, warned, "history.inr", "IR aware", "Dr Example")
    ids["warned"] = warned
    return ids


@pytest.fixture
def dashboard(qtbot, store, actors, period):  # type: ignore[no-untyped-def]
    application()
    window = DashboardWindow(store, actors["auditor"], None, *MARCH)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window.figures is not None, timeout=10_000)
    yield window
    wait_for_background()


def click_bar(qtbot, chart: BarChart, index: int) -> None:  # type: ignore[no-untyped-def]
    rect = chart.bar_rect(chart.bars()[index])
    qtbot.mouseClick(chart, Qt.MouseButton.LeftButton, pos=rect.center().toPoint())


def test_figures_and_weekly_bars_list_exactly_their_records(qtbot, dashboard, period) -> None:  # type: ignore[no-untyped-def]
    tiles = dashboard.tiles
    assert tiles["started"].text() == "Started\n7"
    assert tiles["signed_ready"].text() == "Signed ready\n4"
    assert tiles["postponed"].text() == "Postponed\n1"
    assert tiles["rushed"].text().startswith("Flagged rushed\n2 (")
    weekly = dashboard.weekly
    weeks = [group.label for group in weekly.groups]
    assert weeks == ["09 Mar", "16 Mar"]
    # week of 9 March: started (bar 0) and flagged rushed (bar 1)
    click_bar(qtbot, weekly, 1)
    assert dashboard.listed_ids() == [period["rushed"]]
    assert "flagged rushed: 1 record" in dashboard.caption.text()
    click_bar(qtbot, weekly, 0)
    assert dashboard.listed_ids() == [period["careful"], period["rushed"], period["early"]]
    click_bar(qtbot, weekly, 3)
    assert dashboard.listed_ids() == [period["physician_rushed"]]
    qtbot.mouseClick(tiles["started"], Qt.MouseButton.LeftButton)
    assert sorted(dashboard.listed_ids()) == sorted(period.values())


def test_other_charts_list_their_records(qtbot, dashboard, period) -> None:  # type: ignore[no-untyped-def]
    timeout = dashboard.timeout
    labels = [group.label for group in timeout.groups]
    click_bar(qtbot, timeout, labels.index("Recorded early"))
    assert dashboard.listed_ids() == [period["early"]]
    click_bar(qtbot, timeout, labels.index("Missing"))
    assert dashboard.listed_ids() == [period["warned"]]  # the draft has no time-out yet
    click_bar(qtbot, dashboard.postponed, 0)
    assert dashboard.listed_ids() == [period["postponed"]]
    assert dashboard.postponed.groups[0].label == "Consent form signed"
    click_bar(qtbot, dashboard.warnings, 0)
    assert dashboard.listed_ids() == [period["warned"]]
    qtbot.mouseClick(dashboard.tiles["completed"], Qt.MouseButton.LeftButton)
    assert dashboard.listed_ids() == [
        period[k] for k in ("careful", "rushed", "early", "postponed", "physician_rushed")
    ]


def test_keyboard_reaches_every_bar(qtbot, dashboard, period) -> None:  # type: ignore[no-untyped-def]
    chart = dashboard.weekly
    chart.setFocus()
    qtbot.keyClick(chart, Qt.Key.Key_Right)  # from the first bar to the first week's rushed
    qtbot.keyClick(chart, Qt.Key.Key_Return)
    assert dashboard.listed_ids() == [period["rushed"]]


def test_charts_render_offscreen_in_their_colours(qtbot, dashboard) -> None:  # type: ignore[no-untyped-def]
    image = dashboard.grab().toImage()
    assert not image.isNull() and image.width() > 800
    chart = dashboard.weekly
    shot = chart.grab().toImage()
    for index, colour in ((0, PALETTE["started"]), (1, PALETTE["rushed"])):
        centre = chart.bar_rect(chart.bars()[index]).center().toPoint()
        ratio = shot.devicePixelRatio()
        pixel = shot.pixelColor(QPoint(int(centre.x() * ratio), int(centre.y() * ratio)))
        assert pixel == QColor(colour)
    assert "09 Mar: started 3, flagged rushed 1" in chart.accessibleDescription()


def test_nurse_and_physician_filters(qtbot, dashboard, period) -> None:  # type: ignore[no-untyped-def]
    nurse = dashboard.nurse
    assert [nurse.itemText(i) for i in range(nurse.count())] == ["Anyone", "nurse", "physician"]
    nurse.setCurrentIndex(2)
    nurse.activated.emit(2)
    qtbot.waitUntil(lambda: dashboard.tiles["started"].text() == "Started\n1", timeout=10_000)
    dashboard.nurse.setCurrentIndex(0)
    physician = dashboard.physician
    physician.setCurrentIndex(physician.findData("Dr Other"))
    dashboard.refresh.click()
    qtbot.waitUntil(lambda: dashboard.tiles["started"].text() == "Started\n1", timeout=10_000)
    qtbot.mouseClick(dashboard.tiles["started"], Qt.MouseButton.LeftButton)
    assert dashboard.listed_ids() == [period["physician_rushed"]]


def test_dashboard_report_and_metrics_agree(  # type: ignore[no-untyped-def]
    qtbot, dashboard, store, actors, passwords, db_path: Path, tmp_path: Path
) -> None:
    figures = dashboard.figures
    assert figures is not None
    result = subprocess.run(
        [sys.executable, "-m", "vpchecklist.cli", "--db", str(db_path), "metrics",
         "--from", "2026-03-01", "--to", "2026-03-31", "--user", "auditor", "--password-stdin"],
        input=passwords["auditor"] + "\n",
        capture_output=True,
        text=True,
        timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    pdf = tmp_path / "march.pdf"
    write_compliance_report(store, actors["auditor"], RangeQuery("2026-03-01", "2026-03-31"), pdf)
    text = "\n".join(page.extract_text() for page in PdfReader(pdf).pages)
    lines = [line.strip() for line in text.splitlines()]

    def in_pdf(label: str) -> str:
        return lines[lines.index(label) + 1]

    started = len(rows)
    rushed = sum(r["rushed"] for r in rows)
    timed = sum(r["total_seconds"] is not None for r in rows)
    assert dashboard.tiles["started"].text().endswith(f"\n{started}")
    assert in_pdf("Checklists started") == str(started) == str(figures.started.count)
    assert in_pdf("Signed ready") == str(sum(r["status"] == "signed" for r in rows))
    assert dashboard.tiles["signed_ready"].text().endswith(in_pdf("Signed ready"))
    assert in_pdf("Postponed") == dashboard.tiles["postponed"].text().split("\n")[1]
    assert in_pdf("Flagged rushed").startswith(f"{rushed} of {timed} timed")
    assert dashboard.tiles["rushed"].text().startswith(f"Flagged rushed\n{rushed} (")
    assert in_pdf("Median time to complete") == dashboard.tiles["completed"].text().split("\n")[1]
    for label, group in (("On time", "ok"), ("Recorded early", "early"), ("Missing", "missing")):
        count = sum(r["timeout_timing"] == group for r in rows)
        assert in_pdf(f"Time-out: {label}") == str(count)
        bar = next(g for g in dashboard.timeout.groups if g.label == label)
        assert bar.bars[0].figure.count == count


def test_auditor_page_opens_the_dashboard_and_a_listed_record(  # type: ignore[no-untyped-def]
    qtbot, store, actors, period
) -> None:
    application()
    page = AuditorPage(store, actors["auditor"])
    qtbot.addWidget(page)
    page.show()
    assert page.dashboard_button.isVisible()
    window = page.open_dashboard()
    window.date_from.setDate(MARCH[0])
    window.date_to.setDate(MARCH[1])
    window.refresh.click()
    qtbot.waitUntil(lambda: window.tiles["started"].text() == "Started\n7", timeout=10_000)
    qtbot.mouseClick(window.tiles["rushed"], Qt.MouseButton.LeftButton)
    index = window.model.index(0, 0)
    window.table.activated.emit(index)
    assert page.dialogs and page.dialogs[-1].isVisible()
    wait_for_background()
    nurse_page = AuditorPage(store, actors["nurse"])
    qtbot.addWidget(nurse_page)
    nurse_page.show()
    assert not nurse_page.dashboard_button.isVisible()


def test_record_view_shows_the_completion_pattern(qtbot, store, actors, period) -> None:  # type: ignore[no-untyped-def]
    application()
    page = AuditorPage(store, actors["auditor"])
    qtbot.addWidget(page)
    dialog = page.open_record(period["rushed"])
    assert dialog is not None
    text = dialog.completion.text()
    assert text.startswith(f"Completion pattern: {len(LUMBAR_ANSWERS)} items in ")
    assert "— flagged rushed (whole checklist in " in text
    careful = page.open_record(period["careful"])
    assert careful is not None and "flagged" not in careful.completion.text()
    imported = page.open_record(period["imported"])
    assert imported is not None
    assert imported.completion.text() == (
        f"Completion pattern: {len(LUMBAR_ANSWERS)} answers imported, not timed"
    )
