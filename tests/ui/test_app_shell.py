"""The application shell driven like a user: first run, sign-in, idle lock, worklist and
new checklist, with assertions on what is on screen and in the database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QLineEdit,
    QMessageBox,
    QWidget,
)

import main
from ui.operations import run_in_background
from ui.shell.first_run_dialog import FirstRunDialog
from ui.shell.password_change_dialog import PasswordChangeDialog
from ui.worklist.page import WorklistPage
from ui.worklist.spine_picker import SpinePicker
from vpchecklist.errors import StorageError
from vpchecklist.services import Actor, checklists, users
from vpchecklist.services.auth import MAX_FAILED_ATTEMPTS, check_credentials
from vpchecklist.services.checklists import Filters, Header
from vpchecklist.store import Store

LEFT = Qt.MouseButton.LeftButton
NEW_NURSE_PASSWORD = "new-nurse-password-1"


def _draft(
    store: Store, actor: Actor, name: str = "Ada Example", levels: list[str] | None = None
) -> int:
    from datetime import datetime

    header = Header(
        name,
        "1948-03-02",
        "MRN4711",
        levels or ["L2"],
        datetime.now().strftime("%Y-%m-%dT10:30"),
        "Dr Amara Okafor",
    )
    return checklists.start_checklist(store, actor, header)


def _widget(window: QWidget, name: str) -> QWidget:
    found = window.findChild(QWidget, name)
    assert found is not None, f"no widget named {name}"
    return found


def _open_first_row(qtbot, page: WorklistPage) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: page.proxy.rowCount() > 0, timeout=5000)
    view = page.table
    rect = view.visualRect(page.proxy.index(0, 0))
    # A real double-click is press, release, then a double-click press: QTest sends only the last.
    qtbot.mouseClick(view.viewport(), LEFT, pos=rect.center())
    qtbot.mouseDClick(view.viewport(), LEFT, pos=rect.center())


# -- first run and sign-in ---------------------------------------------------------------------
def test_first_run_creates_the_administrator_who_then_signs_in(qtbot, make_window, store, drive):
    window = make_window()
    qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget(), FirstRunDialog))
    dialog = QApplication.activeModalWidget()
    qtbot.keyClicks(_widget(dialog, "first_run.username"), "it.admin")
    qtbot.keyClicks(_widget(dialog, "first_run.full_name"), "Irene Admin")
    qtbot.keyClicks(_widget(dialog, "first_run.password"), "first-admin-pass")
    qtbot.keyClicks(_widget(dialog, "first_run.repeat"), "first-admin-typo")
    qtbot.mouseClick(_widget(dialog, "first_run.submit"), LEFT)
    assert "not the same" in _widget(dialog, "first_run.message").text()
    assert not users.has_users(store)

    repeat = _widget(dialog, "first_run.repeat")
    repeat.clear()
    qtbot.keyClicks(repeat, "first-admin-pass")
    qtbot.mouseClick(_widget(dialog, "first_run.submit"), LEFT)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert users.has_users(store)
    assert window.login.username.text() == "it.admin"

    qtbot.keyClicks(window.login.password, "first-admin-pass")
    qtbot.keyClick(window.login.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.home is not None and window.home.isVisible(), timeout=5000)
    assert "Administration" in drive.visible_texts(window)
    assert any("it.admin" in text for text in drive.visible_texts(window))


def test_first_run_refuses_a_short_password_in_plain_words(qtbot, make_window, store):
    make_window()
    qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget(), FirstRunDialog))
    dialog = QApplication.activeModalWidget()
    qtbot.keyClicks(_widget(dialog, "first_run.username"), "it.admin")
    qtbot.keyClicks(_widget(dialog, "first_run.full_name"), "Irene Admin")
    qtbot.keyClicks(_widget(dialog, "first_run.password"), "short")
    qtbot.keyClicks(_widget(dialog, "first_run.repeat"), "short")
    qtbot.mouseClick(_widget(dialog, "first_run.submit"), LEFT)
    assert _widget(dialog, "first_run.message").text() == (
        "A password needs at least 10 characters."
    )
    assert not users.has_users(store)
    dialog.reject()


def test_a_nurse_signs_in_and_sees_the_worklist(qtbot, make_window, store, actors, drive):
    users.add_user(
        store,
        actors["admin"],
        "nora",
        "nurse",
        "Nora Nightingale",
        NEW_NURSE_PASSWORD,
        must_change_password=False,
    )
    window = make_window()
    assert QApplication.activeModalWidget() is None  # not a first run
    drive.signed_in(window, "nora", NEW_NURSE_PASSWORD)
    assert isinstance(window.home, WorklistPage)
    assert _widget(window, "worklist.table").isVisible()
    assert "Nora Nightingale · Nurse" in drive.visible_texts(window)
    assert window.login.password.text() == ""
    assert window.idle_lock_ms == 10 * 60_000  # the site setting's default


def test_wrong_password_says_so_and_keeps_the_sign_in_screen(qtbot, make_window, actors):
    window = make_window()
    sign_in_page = window.login
    qtbot.keyClicks(sign_in_page.username, "nurse")
    qtbot.keyClicks(sign_in_page.password, "not-the-password")
    qtbot.mouseClick(sign_in_page.submit, LEFT)
    qtbot.waitUntil(lambda: sign_in_page.message.isVisible(), timeout=5000)
    assert sign_in_page.message.text() == "Wrong username or password."
    assert window.actor is None
    assert window.stack.currentWidget() is sign_in_page
    assert sign_in_page.password.text() == ""


def test_a_locked_account_is_named_with_what_to_do(
    qtbot, make_window, store, actors, passwords, drive
):
    for _ in range(MAX_FAILED_ATTEMPTS):
        with pytest.raises(Exception):  # noqa: B017 - the lockout is what matters here
            check_credentials(store, "nurse", "wrong-password")
    window = make_window()
    drive.sign_in(window, "nurse", passwords["nurse"])  # the right password, but locked
    qtbot.waitUntil(lambda: window.login.message.isVisible(), timeout=5000)
    text = window.login.message.text()
    assert "locked" in text and "administrator" in text
    assert window.actor is None


def test_an_administrator_set_password_must_be_changed_first(
    qtbot, make_window, store, actors, drive
):
    users.add_user(store, actors["admin"], "nora", "nurse", "Nora Nightingale", "set-by-admin-1")
    window = make_window()
    drive.sign_in(window, "nora", "set-by-admin-1")
    qtbot.waitUntil(
        lambda: isinstance(QApplication.activeModalWidget(), PasswordChangeDialog), timeout=5000
    )
    dialog = QApplication.activeModalWidget()
    qtbot.keyClicks(_widget(dialog, "password_change.new"), NEW_NURSE_PASSWORD)
    qtbot.keyClicks(_widget(dialog, "password_change.repeat"), NEW_NURSE_PASSWORD)
    qtbot.mouseClick(_widget(dialog, "password_change.submit"), LEFT)
    qtbot.waitUntil(lambda: isinstance(window.home, WorklistPage), timeout=5000)
    assert check_credentials(store, "nora", NEW_NURSE_PASSWORD).must_change_password is False


# -- idle lock -----------------------------------------------------------------------------------
def test_idle_lock_hides_patient_data_and_the_same_user_returns_to_the_same_page(
    qtbot, make_window, store, actors, passwords, drive
):
    _draft(store, actors["nurse"], name="Zofia Kowalska")
    window = make_window(idle_lock_ms=60_000)
    drive.signed_in(window, "nurse", passwords["nurse"])
    _open_first_row(qtbot, window.home)
    qtbot.waitUntil(lambda: window.checklist_page is not None and window.checklist_page.isVisible())
    page = window.checklist_page
    assert any("Zofia Kowalska" in text for text in drive.visible_texts(window))

    window.idle_lock_ms = 200
    window.idle_timer.start()
    qtbot.waitUntil(lambda: window.locked, timeout=3000)
    texts = drive.visible_texts(window)
    assert not any("Zofia" in text or "MRN4711" in text for text in texts)
    assert not page.isVisible()
    assert _widget(window, "lock.password").isVisible()

    qtbot.keyClicks(_widget(window, "lock.password"), "wrong-password-x")
    qtbot.mouseClick(_widget(window, "lock.submit"), LEFT)
    qtbot.waitUntil(lambda: _widget(window, "lock.message").isVisible(), timeout=5000)
    assert window.locked

    qtbot.keyClicks(_widget(window, "lock.password"), passwords["nurse"])
    qtbot.keyClick(_widget(window, "lock.password"), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not window.locked, timeout=5000)
    assert window.stack.currentWidget() is page
    assert window.checklist_page is page
    assert window.actor is not None and window.actor.username == "nurse"
    assert any("Zofia Kowalska" in text for text in drive.visible_texts(window))


def test_activity_postpones_the_idle_lock(qtbot, make_window, actors, passwords, drive):
    window = make_window(idle_lock_ms=400)
    drive.signed_in(window, "nurse", passwords["nurse"])
    for _ in range(6):
        qtbot.wait(120)
        qtbot.keyClick(_widget(window, "worklist.filter"), Qt.Key.Key_Shift)
    assert not window.locked
    qtbot.waitUntil(lambda: window.locked, timeout=3000)


def test_another_user_switches_in_at_the_lock_screen(
    qtbot, make_window, store, actors, passwords, drive
):
    _draft(store, actors["nurse"], name="Zofia Kowalska")
    window = make_window(idle_lock_ms=60_000)
    drive.signed_in(window, "nurse", passwords["nurse"])
    _open_first_row(qtbot, window.home)
    qtbot.waitUntil(lambda: window.checklist_page is not None)
    qtbot.mouseClick(_widget(window, "session.lock"), LEFT)
    assert window.locked

    qtbot.mouseClick(_widget(window, "lock.switch_user"), LEFT)
    assert window.stack.currentWidget() is window.login
    assert window.actor is None and window.checklist_page is None
    assert window.login.username.text() == ""
    drive.signed_in(window, "physician", passwords["physician"])
    assert window.actor is not None and window.actor.username == "physician"
    assert isinstance(window.home, WorklistPage)
    assert "Dr Paul Physician · Physician" in drive.visible_texts(window)


# -- worklist --------------------------------------------------------------------------------
def test_worklist_shows_a_created_draft_and_filters_it(
    qtbot, make_window, store, actors, passwords, drive
):
    _draft(store, actors["nurse"], name="Zofia Kowalska", levels=["T12", "L1"])
    _draft(store, actors["nurse"], name="Ingrid Hansen", levels=["S1"])
    window = make_window()
    drive.signed_in(window, "nurse", passwords["nurse"])
    page = window.home
    qtbot.waitUntil(lambda: page.proxy.rowCount() == 2, timeout=5000)
    texts = drive.visible_texts(page)
    for expected in ("Zofia Kowalska", "MRN4711", "T12, L1", "In progress", "0 %"):
        assert expected in texts

    qtbot.keyClicks(_widget(window, "worklist.filter"), "zofia")
    assert page.proxy.rowCount() == 1
    assert "Ingrid Hansen" not in drive.visible_texts(page)
    qtbot.keyClick(_widget(window, "worklist.filter"), Qt.Key.Key_Return)
    assert window.focusWidget() is page.table
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.checklist_page is not None and window.checklist_page.isVisible())


def test_closing_the_checklist_returns_to_the_worklist(
    qtbot, make_window, store, actors, passwords, drive
):
    _draft(store, actors["nurse"])
    window = make_window()
    drive.signed_in(window, "nurse", passwords["nurse"])
    _open_first_row(qtbot, window.home)
    qtbot.waitUntil(lambda: window.checklist_page is not None)
    window.checklist_page.closed.emit()
    assert window.stack.currentWidget() is window.home
    assert window.checklist_page is None


# -- new checklist ---------------------------------------------------------------------------
def _fill_header(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    qtbot.keyClicks(_widget(window, "new.patient_name"), "Maria Garcia")
    qtbot.keyClicks(_widget(window, "new.date_of_birth"), "1950-07-14")
    qtbot.keyClicks(_widget(window, "new.mrn"), "MRN900100")
    qtbot.keyClicks(_widget(window, "new.physician"), "Dr Amara Okafor")


def _new_checklist_page(qtbot, window):  # type: ignore[no-untyped-def]
    qtbot.mouseClick(_widget(window, "worklist.new"), LEFT)
    assert window.new_page is not None and window.new_page.isVisible()
    return window.new_page


def test_new_checklist_with_level_buttons_creates_the_draft_and_opens_it(
    qtbot, make_window, store, actors, passwords, drive
):
    window = make_window()
    drive.signed_in(window, "nurse", passwords["nurse"])
    page = _new_checklist_page(qtbot, window)
    _fill_header(qtbot, window)
    qtbot.mouseClick(_widget(window, "new.levels.L2"), LEFT)
    qtbot.mouseClick(_widget(window, "new.levels.L3"), LEFT)
    assert _widget(window, "new.levels.entry").text() == "L2, L3"
    assert "lumbar" in _widget(window, "new.levels.summary").text()
    qtbot.mouseClick(_widget(window, "new.create"), LEFT)

    rows = checklists.search(store, actors["nurse"], Filters(open_only=True))
    assert [(r["patient_name"], r["mrn"], r["levels"]) for r in rows] == [
        ("Maria Garcia", "MRN900100", ["L2", "L3"])
    ]
    assert window.checklist_page is not None and window.checklist_page.isVisible()
    assert not page.isVisible()


def test_new_checklist_takes_levels_typed_on_the_keyboard(
    qtbot, make_window, store, actors, passwords, drive
):
    window = make_window()
    drive.signed_in(window, "nurse", passwords["nurse"])
    _new_checklist_page(qtbot, window)
    _fill_header(qtbot, window)
    entry = _widget(window, "new.levels.entry")
    qtbot.keyClicks(entry, "t12, L1")
    assert _widget(window, "new.levels.T12").isChecked()
    assert _widget(window, "new.levels.L1").isChecked()
    assert not _widget(window, "new.levels.T1").isChecked()
    qtbot.keyClick(entry, Qt.Key.Key_Return)

    rows = checklists.search(store, actors["nurse"], Filters(open_only=True))
    assert [r["levels"] for r in rows] == [["T12", "L1"]]
    qtbot.waitUntil(lambda: window.checklist_page is not None and window.checklist_page.isVisible())


def test_new_checklist_shows_refusals_next_to_the_field(
    qtbot, make_window, store, actors, passwords, drive
):
    window = make_window()
    drive.signed_in(window, "nurse", passwords["nurse"])
    page = _new_checklist_page(qtbot, window)
    _fill_header(qtbot, window)
    qtbot.mouseClick(_widget(window, "new.create"), LEFT)  # no level chosen
    assert page.errors["levels"].isVisible()
    assert "level" in page.errors["levels"].text().lower()
    assert window.focusWidget() is page.levels.entry

    qtbot.mouseClick(_widget(window, "new.levels.L4"), LEFT)
    dob = _widget(window, "new.date_of_birth")
    dob.clear()
    qtbot.keyClicks(dob, "14.07.1950")
    qtbot.mouseClick(_widget(window, "new.create"), LEFT)
    assert page.errors["patient.date_of_birth"].isVisible()
    assert "is not a date like" in page.errors["patient.date_of_birth"].text()
    assert not page.errors["levels"].isVisible()
    assert checklists.search(store, actors["nurse"], Filters(open_only=True)) == []
    assert window.stack.currentWidget() is page


def test_spine_picker_reads_ranges_and_names_unknown_levels(qtbot):
    from vpchecklist.templates import default_template

    levels = default_template().levels
    picker = SpinePicker(levels.allowed, levels.regions)
    qtbot.addWidget(picker)
    qtbot.keyClicks(picker.entry, "L2-L4 S9")
    picker.entry.editingFinished.emit()
    assert picker.levels() == ["L2", "L3", "L4"]
    assert "S9" in picker.unknown.text()
    picker.entry.clear()
    qtbot.keyClicks(picker, "S1, S2")  # typed at the picker itself: reaches its entry
    qtbot.keyClick(picker, Qt.Key.Key_Return)
    assert picker.levels() == ["S1", "S2"]
    assert set(picker.buttons) == set(levels.allowed)


# -- every role has a home ----------------------------------------------------------------------
def test_auditor_and_admin_get_their_own_pages(qtbot, make_window, actors, passwords, drive):
    window = make_window()
    drive.signed_in(window, "auditor", passwords["auditor"])
    assert not isinstance(window.home, WorklistPage)
    assert window.findChild(QWidget, "worklist.new") is None
    qtbot.mouseClick(_widget(window, "session.sign_out"), LEFT)
    drive.signed_in(window, "admin", passwords["admin"])
    assert "Administration" in drive.visible_texts(window)
    assert any("auditor" in text for text in drive.visible_texts(window))


# -- conventions: names, touch size ------------------------------------------------------------
def test_interactive_widgets_are_named_and_touch_sized(
    qtbot, make_window, actors, passwords, drive
):
    window = make_window()
    pages = [window.login]
    drive.signed_in(window, "nurse", passwords["nurse"])
    pages.append(window.home)
    _new_checklist_page(qtbot, window)
    pages.append(window.new_page)
    for page in pages:
        window.stack.setCurrentWidget(page)
        for widget in page.findChildren(QWidget):
            part_of = widget.parent()
            if not widget.isVisible() or isinstance(part_of, QAbstractSpinBox | QAbstractItemView):
                continue  # the line edit inside a date-time edit, a table's header
            if isinstance(widget, QAbstractButton | QLineEdit | QAbstractSpinBox):
                assert widget.objectName(), widget
                assert widget.accessibleName(), widget.objectName()
                assert widget.height() >= 40, (widget.objectName(), widget.height())
            if isinstance(widget, QAbstractItemView):
                assert widget.objectName() and widget.accessibleName()


# -- start-up ------------------------------------------------------------------------------------
def test_main_smoke_test_opens_and_closes(tmp_path: Path):
    """In a subprocess, as a user starts it: an event loop that ran a shown window and quit
    leaves this process's thread pool unusable for the tests that follow."""
    result = subprocess.run(
        [sys.executable, "main.py", "--smoke-test", "--db", str(tmp_path / "smoke.sqlite")],
        cwd=Path(main.__file__).parent,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert result.returncode == 0, result.stderr
    assert "sign-in window shown" in result.stdout
    assert "Traceback" not in result.stderr


def test_main_prints_the_version(capsys):
    assert main.main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("VP Checklist ")


def test_a_database_that_cannot_be_opened_shows_a_plain_message(qapp, tmp_path: Path, monkeypatch):
    damaged = tmp_path / "damaged.sqlite"
    damaged.write_bytes(b"this is not a database" * 100)
    shown: list[str] = []

    def recovery_declined(path: Path, error: StorageError, parent: object = None) -> bool:
        shown.append(str(error))  # the recovery dialog shows this sentence, then offers backups
        return False

    monkeypatch.setattr("ui.shell.startup_recovery.recover_from_open_failure", recovery_declined)
    assert main.main(["--db", str(damaged)]) == 1
    assert len(shown) == 1 and "damaged" in shown[0] and "Traceback" not in shown[0]


def test_background_failures_reach_the_ui_thread_in_plain_words(qtbot, monkeypatch):
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: shown.append(text))
    results: list[object] = []

    def fail() -> None:
        raise StorageError("The disk holding the database is full.")

    op = run_in_background(fail, results.append, parent=None)
    with qtbot.waitSignal(op.finished, timeout=5000):
        pass
    assert shown == ["The disk holding the database is full."] and results == []

    op = run_in_background(lambda: QApplication.instance().thread(), results.append, parent=None)
    with qtbot.waitSignal(op.finished, timeout=5000):
        pass
    assert results == [QApplication.instance().thread()]


def test_demo_sign_in_lists_the_demo_users_and_password(qtbot, make_window, drive):
    from vpchecklist.demo import DEMO_PASSWORD, DEMO_USERS

    window = make_window(demo=True)
    window.login.show_demo_users(DEMO_USERS, DEMO_PASSWORD)
    texts = " ".join(drive.visible_texts(window))
    assert all(name in texts for name, _, _ in DEMO_USERS) and DEMO_PASSWORD in texts
    assert QApplication.activeModalWidget() is None  # the demo creates its own users
