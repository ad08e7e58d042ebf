"""The one background mechanism (ui/operations.py): result, progress, cancel and failure reach
the UI thread; a page closed meanwhile is never called back."""

from __future__ import annotations

import threading
from typing import Any

from PySide6.QtWidgets import QMessageBox, QWidget

from ui.operations import Progress, run_with_progress, wait_for_background
from vpchecklist.errors import StorageError


def test_progress_arrives_on_the_ui_thread_and_cancel_stops_the_work(qtbot: Any) -> None:
    started = threading.Event()
    reports: list[tuple[int, int, bool]] = []
    results: list[object] = []

    def count(progress: Progress) -> int:
        done = 0
        progress.report(0, 1000)
        started.set()
        while not progress.cancelled() and done < 1000:
            done += 1
            progress.report(done, 1000)
            threading.Event().wait(0.002)
        return done

    def on_progress(done: int, total: int) -> None:
        reports.append((done, total, threading.current_thread() is threading.main_thread()))

    op = run_with_progress(count, results.append, parent=None, on_progress=on_progress)
    assert op.running
    assert started.wait(5)
    qtbot.waitUntil(lambda: len(reports) >= 2, timeout=5000)
    with qtbot.waitSignal(op.finished, timeout=5000):
        op.cancel()
    assert not op.running and op.cancel_requested
    assert results and isinstance(results[0], int) and 0 < results[0] < 1000
    assert all(on_ui for _done, _total, on_ui in reports)
    assert reports[0][:2] == (0, 1000)


def test_an_unhandled_failure_is_a_plain_dialog_over_the_page(qtbot: Any, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    shown: list[tuple[object, str]] = []
    monkeypatch.setattr(
        QMessageBox, "warning", lambda parent, title, text: shown.append((parent, text))
    )
    page = QWidget()
    qtbot.addWidget(page)

    def fail(_progress: Progress) -> None:
        raise StorageError("The disk holding the database is full.")

    op = run_with_progress(fail, lambda _r: None, parent=page)
    with qtbot.waitSignal(op.finished, timeout=5000):
        pass
    assert shown == [(page, "The disk holding the database is full.")]


def test_a_page_closed_meanwhile_is_not_called_back(qtbot: Any, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: shown.append(text))
    release = threading.Event()
    calls: list[object] = []
    page = QWidget()

    def slow(_progress: Progress) -> str:
        release.wait(5)
        raise StorageError("too late")

    op = run_with_progress(slow, calls.append, parent=page, on_failure=calls.append)
    page.deleteLater()
    qtbot.waitUntil(lambda: not _alive(page), timeout=5000)
    with qtbot.waitSignal(op.finished, timeout=5000):
        release.set()
    wait_for_background()
    assert calls == [] and shown == []


def _alive(widget: QWidget) -> bool:
    import shiboken6

    return shiboken6.isValid(widget)
