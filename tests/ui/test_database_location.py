"""Issue 14: the app shows which database it is on (the sign-in screen, the admin area), and a
broken configuration file stops start-up with one plain sentence, not a traceback."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QWidget,
)

import main
from ui.admin import AdminPage
from ui.shell.login_page import LoginPage
from ui.widgets import ElidedLabel
from vpchecklist.store import open_store
from vpchecklist.store.location import describe


def _config(text: str) -> Path:
    path = Path(os.environ["VPCHECKLIST_HOME"]) / "config" / "vpchecklist.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_the_sign_in_screen_names_the_database(qtbot, make_window, db_path):  # type: ignore[no-untyped-def]
    """The file path, or ``PostgreSQL vp@127.0.0.1:PORT/DBNAME`` on ``--backend postgresql``."""
    window = make_window()
    label = window.login.findChild(ElidedLabel, "databaseLocation")
    assert label is not None and label.isVisible()
    expected = f"Database: {describe(db_path)}"
    assert label.full_text() == expected and label.toolTip() == expected
    shown = label.text()
    assert shown.replace("\n", " ").startswith("Database: ") and shown.endswith(expected[-12:])
    assert shown.count("\n") <= 1
    assert "password" not in shown.lower()
    card = window.login.findChild(QLabel, "login.title").parentWidget()
    assert label.geometry().right() <= card.contentsRect().right()


@pytest.mark.sqlite_only
def test_a_long_path_loses_its_middle_and_keeps_the_file_name(qtbot, tmp_path, make_window):  # type: ignore[no-untyped-def]
    deep = tmp_path.joinpath(*(f"department-folder-{n}" for n in range(12)), "room-2.sqlite")
    store = open_store(deep)
    try:
        page = LoginPage(store)
        qtbot.addWidget(page)
        page.resize(1280, 800)
        page.show()
        qtbot.waitExposed(page)
        label = page.findChild(ElidedLabel, "databaseLocation")
        first, second = label.text().split("\n")
        assert first == "Database:"
        assert "…" in second and second.startswith("/") and second.endswith("room-2.sqlite")
        for line in (first, second):
            assert label.fontMetrics().horizontalAdvance(line) <= label.contentsRect().width()
        assert label.full_text() == f"Database: {deep}"
        page.close()
    finally:
        store.close()


def test_the_admin_settings_show_the_database_read_only(qtbot, admin_page, db_path):  # type: ignore[no-untyped-def]
    admin_page.tabs.setCurrentWidget(admin_page.settings)
    line = admin_page.findChild(QLineEdit, "adminDatabaseLocation")
    assert line is not None and line.isVisible() and line.isReadOnly()
    assert line.text() == describe(db_path)
    qtbot.keyClicks(line, "elsewhere")
    assert line.text() == describe(db_path)
    hints = [label.text() for label in admin_page.settings.findChildren(QLabel)]
    config = Path(os.environ["VPCHECKLIST_HOME"]) / "config" / "vpchecklist.toml"
    assert any(f"the configuration file {config}" in text for text in hints), hints


def test_an_empty_site_name_says_what_this_computer_falls_back_to(qtbot, store, actors):  # type: ignore[no-untyped-def]
    _config('site_name = "Room 2, St Mary\'s"\n')
    page = AdminPage(store, actors["admin"])
    qtbot.addWidget(page)
    field = page.findChild(QLineEdit, "admin.settings.site_name")
    assert field.text() == ""
    assert "Room 2, St Mary's" in field.placeholderText()


def test_a_broken_configuration_file_stops_start_up_with_one_sentence(qapp, monkeypatch):  # type: ignore[no-untyped-def]
    path = _config('database = "/srv/vp.sqlite"\nsite = "Room 2"\n')
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text, *a: shown.append(text))
    assert main.main([]) == 1
    assert shown == [
        f"The configuration file {path}, line 2: 'site' is not a setting "
        "(use database, site_name or anchor_path)."
    ]
    assert not Path("/srv/vp.sqlite").exists()


@pytest.fixture
def no_stored_password(monkeypatch, tmp_path):  # type: ignore[no-untyped-def]
    """libpq finds no password: the server has to ask."""
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "no-such-pgpass"))
    monkeypatch.delenv("PGPASSWORD", raising=False)


def _answer_dialogs(qtbot, answers: list[str | None], seen: list[str]) -> QTimer:  # type: ignore[no-untyped-def]
    """Types each answer into the next password dialog (None: closes it), noting the refusal
    each one shows; the dialogs are modal, so a timer acts from inside their event loop."""
    handled: list[QWidget] = []

    def act() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None or dialog in handled or not answers:
            return
        handled.append(dialog)
        if dialog.objectName() != "databasePasswordDialog":  # fail the test, never hang it
            seen.append(f"unexpected {dialog.objectName()}: {getattr(dialog, 'text', str)()}")
            dialog.reject()  # type: ignore[attr-defined]
            return
        message = dialog.findChild(QLabel, "databasePasswordDialog.message")
        seen.append(message.text() if message.isVisible() else "")
        answer = answers.pop(0)
        if answer is None:
            qtbot.mouseClick(
                dialog.findChild(QPushButton, "databasePasswordDialog.cancel"),
                Qt.MouseButton.LeftButton,
            )
            return
        field = dialog.findChild(QLineEdit, "databasePassword")
        assert field.echoMode() == QLineEdit.EchoMode.Password
        qtbot.keyClicks(field, answer)
        qtbot.keyClick(field, Qt.Key.Key_Return)

    timer = QTimer()
    timer.timeout.connect(act)
    timer.start(50)
    return timer


@pytest.mark.postgresql_only
def test_the_app_asks_for_the_database_password_before_sign_in(qtbot, db_path, no_stored_password):  # type: ignore[no-untyped-def]
    from tests.postgres_cluster import APP_PASSWORD
    from ui.app import open_or_recover, parse_args

    seen: list[str] = []
    timer = _answer_dialogs(qtbot, ["not-the-password", APP_PASSWORD], seen)
    try:
        opened = open_or_recover(parse_args(["--db", db_path]))
    finally:
        timer.stop()
    assert opened is not None
    store, _ = opened
    try:
        assert seen[0] == ""
        assert "refused the password" in seen[1] and "not-the-password" not in seen[1]
        assert len(seen) == 2
        page = LoginPage(store)
        qtbot.addWidget(page)
        label = page.findChild(ElidedLabel, "databaseLocation")
        assert label.full_text() == f"Database: {describe(db_path)}"
    finally:
        store.close()


@pytest.mark.postgresql_only
def test_closing_the_password_dialog_ends_start_up_cleanly(qtbot, db_path, no_stored_password):  # type: ignore[no-untyped-def]
    from ui.app import open_or_recover, parse_args

    seen: list[str] = []
    timer = _answer_dialogs(qtbot, [None], seen)
    try:
        assert open_or_recover(parse_args(["--db", db_path])) is None
    finally:
        timer.stop()
    assert seen == [""]


def test_an_unreachable_server_offers_retry_then_closes_cleanly(qtbot, free_port):  # type: ignore[no-untyped-def]
    """No server listens: no password is asked (it would not help), the reason is shown with
    Retry and Close, Retry tries again, Close ends start-up without a traceback."""
    from ui.app import open_or_recover, parse_args

    shown: list[str] = []
    choices = [QMessageBox.StandardButton.Retry, QMessageBox.StandardButton.Close]

    def act() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox) or box in handled or not choices:
            return
        handled.append(box)
        assert box.objectName() == "databaseUnavailable"
        shown.append(box.text())
        box.button(choices.pop(0)).click()

    handled: list[QMessageBox] = []
    timer = QTimer()
    timer.timeout.connect(act)
    timer.start(50)
    try:
        url = f"postgresql://vp@127.0.0.1:{free_port}/vpchecklist?connect_timeout=3"
        assert open_or_recover(parse_args(["--db", url])) is None
    finally:
        timer.stop()
    assert len(shown) == 2 and shown[0] == shown[1]
    assert "127.0.0.1" in shown[0] and "Traceback" not in shown[0]


@pytest.fixture
def free_port() -> int:
    """A local port nothing listens on."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
