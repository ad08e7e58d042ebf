"""Details of the shell a new user trips over (issue 13, "Also" and finding 9): Escape on New
checklist, the window title, the lock screen's words, focus and layout, and the forced
password-change dialog when it shows an error."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from ui.app import application
from ui.shell.first_run_dialog import FirstRunDialog
from ui.shell.main_window import MainWindow
from ui.shell.password_change_dialog import PasswordChangeDialog
from ui.shell.startup_recovery import RecoveryDialog
from vpchecklist.errors import StorageError
from vpchecklist.services import checklists, users
from vpchecklist.services.checklists import Filters

LEFT = Qt.MouseButton.LeftButton


def _widget(root: QWidget, name: str) -> Any:
    found = root.findChild(QWidget, name)
    assert found is not None, f"no widget named {name}"
    return found


def shown_title(widget: QWidget) -> str:
    """The title the window manager shows: Qt appends the application display name to a title
    that does not end with it (QPlatformWindow::formatWindowTitle)."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    title, name = widget.windowTitle(), app.applicationDisplayName()
    if not name or title.endswith(name):
        return title or name
    return f"{title} — {name}" if title else name


def test_escape_on_new_checklist_goes_back_without_creating_anything(
    qtbot, make_window, store, actors, passwords, drive
):  # type: ignore[no-untyped-def]
    window = make_window()
    drive.signed_in(window, "nurse", passwords["nurse"])
    qtbot.mouseClick(_widget(window, "worklist.new"), LEFT)
    name = _widget(window, "new.patient_name")
    assert window.new_page is not None and window.new_page.isVisible()
    qtbot.keyClicks(name, "Maria Garcia")
    qtbot.keyClick(name, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.home, timeout=3000)
    assert checklists.search(store, actors["nurse"], Filters(open_only=True)) == []


def test_the_window_title_names_the_app_once(qtbot, store, tmp_path: Path):  # type: ignore[no-untyped-def]
    application()
    for demo in (False, True):
        window = MainWindow(store, demo=demo)
        qtbot.addWidget(window)
        assert shown_title(window).count("VP Checklist") == 1, shown_title(window)
        assert ("DEMO DATA" in shown_title(window)) is demo
    dialog = RecoveryDialog(tmp_path / "gone.sqlite", StorageError("The database is damaged."))
    qtbot.addWidget(dialog)
    assert shown_title(dialog).count("VP Checklist") == 1, shown_title(dialog)


def test_signing_in_keeps_the_window_active(qtbot, make_window, actors, passwords, drive):  # type: ignore[no-untyped-def]
    """No page flashes a widget up as a window of its own (which takes the keyboard away)."""
    window = make_window()
    for role in ("nurse", "auditor", "admin"):
        drive.signed_in(window, role, passwords[role])
        qtbot.wait(50)
        assert window.isActiveWindow(), role
        window.sign_out()


def _fully_shown(label: QLabel) -> bool:
    """A word-wrapped label is as tall as its text needs at its width (nothing cut off)."""
    return label.height() >= label.heightForWidth(label.width())


def test_locking_by_hand_says_so_focuses_the_password_and_shows_all_its_text(
    qtbot, store, make_window, passwords, drive
):  # type: ignore[no-untyped-def]
    users.add_user(
        store,
        users.create_first_admin(store, "admin", "Ada Admin", passwords["admin"]),
        "nina",
        "nurse",
        "Nina Nightingale-Lovelace of the Longest Name",
        passwords["nurse"],
        must_change_password=False,
    )
    window = make_window(idle_lock_ms=60_000)
    drive.signed_in(window, "nina", passwords["nurse"])
    qtbot.mouseClick(_widget(window, "session.lock"), LEFT)
    assert window.locked
    who = _widget(window, "lock.who")
    password = _widget(window, "lock.password")
    qtbot.waitUntil(lambda: QApplication.focusWidget() is password, timeout=3000)
    assert "Locked by hand." in who.text() and "without activity" not in who.text()
    qtbot.waitUntil(lambda: _fully_shown(who), timeout=3000)
    card = _widget(window, "lock.card")
    assert card.rect().contains(who.geometry())

    qtbot.keyClicks(password, "wrong-password-x")
    qtbot.keyClick(password, Qt.Key.Key_Return)
    message = _widget(window, "lock.message")
    qtbot.waitUntil(message.isVisible, timeout=5000)
    qtbot.waitUntil(lambda: _fully_shown(who) and _fully_shown(message), timeout=3000)
    assert QApplication.focusWidget() is password


def test_the_idle_lock_says_how_long_the_screen_was_left(
    qtbot, make_window, actors, passwords, drive
):  # type: ignore[no-untyped-def]
    window = make_window(idle_lock_ms=60_000)
    drive.signed_in(window, "nurse", passwords["nurse"])
    window.idle_lock_ms = 150
    window.idle_timer.start()
    qtbot.waitUntil(lambda: window.locked, timeout=3000)
    text = _widget(window, "lock.who").text()
    assert "without activity" in text and "by hand" not in text
    password = _widget(window, "lock.password")
    qtbot.waitUntil(lambda: QApplication.focusWidget() is password, timeout=3000)


def _apart(widgets: list[QWidget], parent: QWidget) -> bool:
    """No two widgets overlap and none is squeezed below its minimum height."""
    rects = [QRect(w.mapTo(parent, QPoint(0, 0)), w.size()) for w in widgets]
    overlaps = any(a.intersects(b) for i, a in enumerate(rects) for b in rects[i + 1 :])
    squeezed = any(
        w.height() < max(w.minimumHeight(), w.minimumSizeHint().height()) for w in widgets
    )
    return not overlaps and not squeezed


def test_the_password_change_fields_stay_apart_when_an_error_appears(qtbot, store, actors):  # type: ignore[no-untyped-def]
    users.add_user(store, actors["admin"], "nora", "nurse", "Nora Nightingale", "set-by-admin-1")
    dialog = PasswordChangeDialog(store, "nora", "set-by-admin-1")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    fields = [
        _widget(dialog, name)
        for name in ("password_change.new", "password_change.repeat", "password_change.submit")
    ]
    assert _apart(fields, dialog)
    qtbot.keyClicks(fields[0], "short")
    qtbot.keyClicks(fields[1], "short")
    qtbot.keyClick(fields[1], Qt.Key.Key_Return)
    message = _widget(dialog, "password_change.message")
    assert message.isVisible() and "10 characters" in message.text()
    qtbot.waitUntil(lambda: _apart([*fields, message], dialog), timeout=3000)
    assert _fully_shown(message)

    qtbot.keyClicks(fields[0], "-but-now-long-enough")
    fields[1].clear()
    qtbot.keyClicks(fields[1], "something else entirely")
    qtbot.keyClick(fields[1], Qt.Key.Key_Return)
    assert "not the same" in message.text()
    qtbot.waitUntil(lambda: _apart([*fields, message], dialog), timeout=3000)


def test_the_first_run_fields_stay_apart_when_an_error_appears(qtbot, store):  # type: ignore[no-untyped-def]
    dialog = FirstRunDialog(store)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    names = ("username", "full_name", "password", "repeat", "submit")
    fields = [_widget(dialog, f"first_run.{name}") for name in names]
    assert _apart(fields, dialog)
    qtbot.keyClicks(fields[0], "admin")
    qtbot.keyClicks(fields[1], "Ada Admin")
    qtbot.keyClicks(fields[2], "short")
    qtbot.keyClicks(fields[3], "short")
    qtbot.keyClick(fields[3], Qt.Key.Key_Return)
    message = _widget(dialog, "first_run.message")
    assert message.isVisible() and "10 characters" in message.text()
    qtbot.waitUntil(lambda: _apart([*fields, message], dialog), timeout=3000)
    assert _fully_shown(message)
