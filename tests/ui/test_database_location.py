"""Issue 14: the app shows which database it is on (the sign-in screen, the admin area), and a
broken configuration file stops start-up with one plain sentence, not a traceback."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel, QLineEdit, QMessageBox

import main
from ui.admin import AdminPage
from ui.operations import wait_for_background
from ui.widgets import ElidedLabel
from vpchecklist.store import open_store


def _config(text: str) -> Path:
    path = Path(os.environ["VPCHECKLIST_HOME"]) / "config" / "vpchecklist.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_the_sign_in_screen_names_the_database_file(qtbot, make_window, db_path):  # type: ignore[no-untyped-def]
    window = make_window()
    label = window.login.findChild(ElidedLabel, "databaseLocation")
    assert label is not None and label.isVisible()
    assert label.full_text() == f"Database: {db_path}"
    assert label.toolTip() == f"Database: {db_path}"
    shown = label.text()
    assert shown.startswith("Database: ") and shown.endswith("vpchecklist.sqlite")
    card = window.login.findChild(QLabel, "login.title").parentWidget()
    assert label.geometry().right() <= card.contentsRect().right()


def test_a_long_path_loses_its_middle_and_keeps_the_file_name(qtbot, tmp_path, make_window):  # type: ignore[no-untyped-def]
    deep = tmp_path.joinpath(*(f"department-folder-{n}" for n in range(12)), "room-2.sqlite")
    store = open_store(deep)
    try:
        from ui.shell.login_page import LoginPage

        page = LoginPage(store)
        qtbot.addWidget(page)
        page.resize(1280, 800)
        page.show()
        qtbot.waitExposed(page)
        label = page.findChild(ElidedLabel, "databaseLocation")
        shown = label.text()
        assert "…" in shown and shown.startswith("Database: /") and shown.endswith("room-2.sqlite")
        assert label.fontMetrics().horizontalAdvance(shown) <= label.contentsRect().width()
        assert label.full_text() == f"Database: {deep}"
        page.close()
    finally:
        store.close()


@pytest.fixture
def admin_page(qtbot, store, actors):  # type: ignore[no-untyped-def]
    page = AdminPage(store, actors["admin"])
    qtbot.addWidget(page)
    page.resize(1280, 800)
    page.show()
    qtbot.waitExposed(page)
    yield page
    wait_for_background()


def test_the_admin_settings_show_the_database_read_only(qtbot, admin_page, db_path):  # type: ignore[no-untyped-def]
    admin_page.tabs.setCurrentWidget(admin_page.settings)
    line = admin_page.findChild(QLineEdit, "adminDatabaseLocation")
    assert line is not None and line.isVisible() and line.isReadOnly()
    assert line.text() == str(db_path)
    qtbot.keyClicks(line, "elsewhere")
    assert line.text() == str(db_path)
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
