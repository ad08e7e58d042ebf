"""Administration in the app: users, backups, settings, template, and start-up recovery of a
damaged database. Real widgets driven with qtbot; assertions on what the user sees or what is
in the database."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QTableWidget,
    QWidget,
)

from tests.conftest import PASSWORDS
from ui.admin import AdminPage
from ui.shell.startup_recovery import RecoveryDialog, recover_from_open_failure
from vpchecklist import demo
from vpchecklist.errors import AuthError, PasswordChangeRequired, StorageError
from vpchecklist.resources import templates_dir
from vpchecklist.services import checklists, settings, users
from vpchecklist.services.auth import authenticate, change_password, check_credentials
from vpchecklist.services.backups import back_up_now, list_backups
from vpchecklist.store import Store, open_store, schema
from vpchecklist.store.backup import check_file
from vpchecklist.store.models import AuditEvent
from vpchecklist.store.pg_backup import check_archive

LEFT = Qt.MouseButton.LeftButton
TEMPORARY = "temporary-pass-1"
OBJECT_NAMES = [
    "admin.users.table",
    "admin.users.add",
    "admin.users.username",
    "admin.users.full_name",
    "admin.users.role",
    "admin.users.password",
    "admin.users.submit",
    "admin.users.disable",
    "admin.users.reset",
    "admin.backups.table",
    "admin.backups.now",
    "admin.backups.progress",
    "admin.settings.idle_minutes",
    "admin.settings.backup_folder",
    "admin.settings.site_name",
    "admin.settings.save",
    "admin.template.load",
]


def child(parent: QWidget, cls: type, name: str):  # type: ignore[no-untyped-def]
    found = parent.findChild(cls, name)
    assert found is not None, f"no {cls.__name__} named {name}"
    return found


def click(qtbot, parent: QWidget, name: str) -> None:  # type: ignore[no-untyped-def]
    push = child(parent, QPushButton, name)
    assert push.isEnabled(), f"{name} is disabled"
    qtbot.mouseClick(push, LEFT)


def type_into(qtbot, parent: QWidget, name: str, text: str) -> None:  # type: ignore[no-untyped-def]
    edit = child(parent, QLineEdit, name)
    edit.clear()
    qtbot.keyClicks(edit, text)


def table_column(table: QTableWidget, column: int) -> list[str]:
    return [table.item(r, column).text() for r in range(table.rowCount())]


def select_user(qtbot, page: AdminPage, username: str) -> None:  # type: ignore[no-untyped-def]
    table = child(page, QTableWidget, "admin.users.table")
    row = table_column(table, 0).index(username)
    rect = table.visualRect(table.model().index(row, 0))
    qtbot.mouseClick(table.viewport(), LEFT, pos=rect.center())
    assert page.users.selected_username() == username


def add_user_through_form(qtbot, page: AdminPage, username: str, full_name: str) -> None:  # type: ignore[no-untyped-def]
    click(qtbot, page, "admin.users.add")
    type_into(qtbot, page, "admin.users.username", username)
    type_into(qtbot, page, "admin.users.full_name", full_name)
    qtbot.mouseClick(child(page, QRadioButton, "admin.users.role.nurse"), LEFT)
    type_into(qtbot, page, "admin.users.password", TEMPORARY)
    click(qtbot, page, "admin.users.submit")


# -- contract ---------------------------------------------------------------------------------


def test_every_named_control_exists_with_an_accessible_name_and_touch_size(admin_page):  # type: ignore[no-untyped-def]
    admin_page.users.show_add_form()
    admin_page.backups.progress.show()
    for name in OBJECT_NAMES:
        widget = admin_page.findChild(QWidget, name)
        assert widget is not None, name
        assert widget.accessibleName(), name
    for tab in (admin_page.users, admin_page.backups, admin_page.settings, admin_page.template):
        admin_page.tabs.setCurrentWidget(tab)
        interactive = (QAbstractButton, QLineEdit, QSpinBox, QProgressBar)
        for widget in tab.findChildren(QWidget):
            internal = widget.objectName().startswith("qt_")  # a spin box's own line edit
            if isinstance(widget, interactive) and widget.isVisible() and not internal:
                assert widget.objectName() and widget.accessibleName(), widget
                assert widget.height() >= 40, (widget.objectName(), widget.height())
    assert "never deleted" in child(admin_page, QLabel, "admin.users.note").text()
    assert admin_page.findChild(QPushButton, "admin.users.delete") is None


def test_idle_minutes_have_touch_sized_minus_and_plus(qtbot, admin_page):  # type: ignore[no-untyped-def]
    admin_page.tabs.setCurrentWidget(admin_page.settings)
    spin = child(admin_page, QSpinBox, "admin.settings.idle_minutes")
    assert spin.value() == 10
    click(qtbot, admin_page, "admin.settings.idle_minutes.more")
    click(qtbot, admin_page, "admin.settings.idle_minutes.more")
    click(qtbot, admin_page, "admin.settings.idle_minutes.less")
    assert spin.value() == 11


# -- users ------------------------------------------------------------------------------------


def test_admin_adds_a_nurse_who_must_change_the_temporary_password(qtbot, admin_page, store):  # type: ignore[no-untyped-def]
    add_user_through_form(qtbot, admin_page, "n.new", "Nora Newcomer")

    table = child(admin_page, QTableWidget, "admin.users.table")
    assert "n.new" in table_column(table, 0)
    assert "Nora Newcomer" in child(admin_page, QLabel, "admin.users.status").text()
    added = next(
        u for u in users.list_users(store, admin_page.users._actor) if u["username"] == "n.new"
    )
    assert added["role"] == "nurse" and added["must_change_password"]
    with pytest.raises(PasswordChangeRequired):
        authenticate(store, "n.new", TEMPORARY)

    try:
        from ui.shell.login_page import LoginPage
    except ImportError:  # the shell's sign-in page is not there: the service path still holds
        change_password(store, "n.new", TEMPORARY, "nora-own-password")
    else:
        login = LoginPage(store)
        qtbot.addWidget(login)
        login.show()
        type_into(qtbot, login, "login.username", "n.new")
        type_into(qtbot, login, "login.password", TEMPORARY)
        with qtbot.waitSignal(login.signed_in, timeout=10_000) as signed:
            click(qtbot, login, "login.submit")
            qtbot.waitUntil(lambda: login.findChild(QDialog, "password_change") is not None)
            dialog = login.findChild(QDialog, "password_change")
            type_into(qtbot, dialog, "password_change.new", "nora-own-password")
            type_into(qtbot, dialog, "password_change.repeat", "nora-own-password")
            click(qtbot, dialog, "password_change.submit")
        assert signed.args[0].username == "n.new"
        # Let the closed dialog (WA_DeleteOnClose) be deleted inside an event loop: deleting it
        # from pytest-qt's bare processEvents after the test crashes PySide6 6.12, because the
        # login page's `finished` slot is a closure holding the dialog itself.
        qtbot.waitUntil(lambda: login.findChild(QDialog, "password_change") is None)
        del dialog
    actor = authenticate(store, "n.new", "nora-own-password")
    assert actor.role == "nurse" and not actor.must_change_password


def test_adding_a_user_with_a_short_password_says_why_in_plain_words(qtbot, admin_page):  # type: ignore[no-untyped-def]
    click(qtbot, admin_page, "admin.users.add")
    type_into(qtbot, admin_page, "admin.users.username", "short.pw")
    type_into(qtbot, admin_page, "admin.users.full_name", "Sam Short")
    type_into(qtbot, admin_page, "admin.users.password", "short")
    click(qtbot, admin_page, "admin.users.submit")
    message = child(admin_page, QLabel, "admin.users.form_message")
    assert message.isVisible()
    assert message.text() == "A password needs at least 10 characters."
    assert "short.pw" not in table_column(child(admin_page, QTableWidget, "admin.users.table"), 0)


def test_a_disabled_user_cannot_sign_in_until_enabled(qtbot, admin_page, store):  # type: ignore[no-untyped-def]
    select_user(qtbot, admin_page, "nurse")
    click(qtbot, admin_page, "admin.users.disable")
    assert "no longer sign in" in child(admin_page, QLabel, "admin.users.status").text()
    with pytest.raises(AuthError, match="disabled"):
        authenticate(store, "nurse", PASSWORDS["nurse"])

    from ui.shell.login_page import LoginPage

    login = LoginPage(store)
    qtbot.addWidget(login)
    login.show()
    type_into(qtbot, login, "login.username", "nurse")
    type_into(qtbot, login, "login.password", PASSWORDS["nurse"])
    click(qtbot, login, "login.submit")
    message = child(login, QLabel, "login.message")
    qtbot.waitUntil(lambda: "disabled" in message.text(), timeout=10_000)
    assert message.text() == "The account nurse is disabled; ask an administrator."

    select_user(qtbot, admin_page, "nurse")
    click(qtbot, admin_page, "admin.users.enable")
    assert authenticate(store, "nurse", PASSWORDS["nurse"]).username == "nurse"


def test_a_locked_user_is_unlocked_from_the_users_tab(qtbot, admin_page, store):  # type: ignore[no-untyped-def]
    for _ in range(5):
        with pytest.raises(AuthError):
            check_credentials(store, "nurse", "not-the-password")
    admin_page.findChild(QWidget, "admin.users").refresh()
    select_user(qtbot, admin_page, "nurse")
    unlock = child(admin_page, QPushButton, "admin.users.enable")
    assert unlock.isEnabled() and unlock.text() == "Unlock"
    click(qtbot, admin_page, "admin.users.enable")
    status = child(admin_page, QLabel, "admin.users.status").text()
    assert status == "nurse is unlocked and can sign in again."
    assert authenticate(store, "nurse", PASSWORDS["nurse"]).username == "nurse"
    unlocks = AuditEvent.select().where(AuditEvent.action == "user_unlock")
    assert [e.username for e in unlocks] == ["admin"]


def test_the_administrator_cannot_disable_their_own_account(qtbot, admin_page):  # type: ignore[no-untyped-def]
    select_user(qtbot, admin_page, "admin")
    assert not child(admin_page, QPushButton, "admin.users.disable").isEnabled()


def test_reset_password_makes_the_user_choose_a_new_one(qtbot, admin_page, store):  # type: ignore[no-untyped-def]
    select_user(qtbot, admin_page, "physician")
    click(qtbot, admin_page, "admin.users.reset")
    dialog = admin_page.users.reset_dialog
    assert dialog is not None and dialog.isVisible()
    type_into(qtbot, dialog, "admin.users.reset.password", "reset-password-9")
    click(qtbot, dialog, "admin.users.reset.submit")
    assert "was reset" in child(admin_page, QLabel, "admin.users.status").text()
    with pytest.raises(PasswordChangeRequired):
        authenticate(store, "physician", "reset-password-9")


# -- backups ----------------------------------------------------------------------------------


def test_back_up_now_writes_a_verified_backup_in_the_folder(qtbot, admin_page, store):  # type: ignore[no-untyped-def]
    admin_page.tabs.setCurrentWidget(admin_page.backups)
    folder = settings.backup_folder(store)
    assert str(folder) in child(admin_page, QLabel, "admin.backups.folder").text()
    assert list_backups(folder) == []

    click(qtbot, admin_page, "admin.backups.now")
    qtbot.waitUntil(lambda: not admin_page.backups.busy, timeout=20_000)

    found = list_backups(folder)
    assert len(found) == 1
    check = check_archive if store.is_postgres else check_file  # a pg_dump file on a server
    assert check(found[0].path) == []
    assert found[0].path.parent == folder
    status = child(admin_page, QLabel, "admin.backups.status").text()
    assert "verified" in status and found[0].path.name in status
    assert child(admin_page, QProgressBar, "admin.backups.progress").value() == 100
    table = child(admin_page, QTableWidget, "admin.backups.table")
    assert table_column(table, 2) == [found[0].path.name]
    assert child(admin_page, QPushButton, "admin.backups.now").isEnabled()


# -- settings ---------------------------------------------------------------------------------


def test_settings_are_saved_and_the_backup_tab_follows_the_new_folder(  # type: ignore[no-untyped-def]
    qtbot, admin_page, store, tmp_path
):
    admin_page.tabs.setCurrentWidget(admin_page.settings)
    spin = child(admin_page, QSpinBox, "admin.settings.idle_minutes")
    spin.selectAll()
    qtbot.keyClicks(spin, "25")
    folder = tmp_path / "elsewhere" / "backups"
    type_into(qtbot, admin_page, "admin.settings.backup_folder", str(folder))
    type_into(qtbot, admin_page, "admin.settings.site_name", "St Example IR suite")
    with qtbot.waitSignal(admin_page.settings_changed) as saved:
        click(qtbot, admin_page, "admin.settings.save")
    assert saved.args[0]["idle_lock_minutes"] == "25"
    assert settings.get_all(store) == {
        "idle_lock_minutes": "25",
        "backup_folder": str(folder),
        "site_name": "St Example IR suite",
        **{k: v for k, v in settings.DEFAULTS.items() if k.startswith(("schedule_", "wristband_"))},
        "anchor_folder": "",
    }
    assert child(admin_page, QLabel, "admin.settings.status").text() == "Settings saved."
    assert str(folder) in child(admin_page, QLabel, "admin.backups.folder").text()


def test_a_relative_backup_folder_is_refused_in_plain_words(qtbot, admin_page, store):  # type: ignore[no-untyped-def]
    admin_page.tabs.setCurrentWidget(admin_page.settings)
    type_into(qtbot, admin_page, "admin.settings.backup_folder", "backups")
    click(qtbot, admin_page, "admin.settings.save")
    assert "full path" in child(admin_page, QLabel, "admin.settings.status").text()
    assert settings.get_all(store)["backup_folder"] == ""


# -- template ---------------------------------------------------------------------------------


def test_loading_a_new_template_version_shows_its_changes_then_activates_it(  # type: ignore[no-untyped-def]
    qtbot, admin_page, store, tmp_path
):
    admin_page.tabs.setCurrentWidget(admin_page.template)
    assert child(admin_page, QLabel, "admin.template.version").text() == "2"
    source = (templates_dir() / "vertebroplasty-v2.toml").read_text(encoding="utf-8")
    changed = source.replace('version = "2"', 'version = "3"', 1).replace(
        'label = "Time-out performed:', 'label = "Team time-out performed:', 1
    )
    new_file = tmp_path / "vertebroplasty-v3.toml"
    new_file.write_text(changed, encoding="utf-8")

    admin_page.template.load_file(str(new_file))
    dialog = admin_page.template.confirm_dialog
    assert dialog is not None and dialog.isVisible()
    changes = [dialog.changes.item(i).text() for i in range(dialog.changes.count())]
    assert any(c.startswith("timeout.performed: label") for c in changes)
    click(qtbot, dialog, "admin.template.activate")

    assert child(admin_page, QLabel, "admin.template.version").text() == "3"
    with store.reading():
        from vpchecklist.services.templates import active_template

        assert active_template().version == "3"


def test_a_broken_template_file_is_refused_before_anything_changes(  # type: ignore[no-untyped-def]
    admin_page, tmp_path
):
    admin_page.tabs.setCurrentWidget(admin_page.template)
    broken = tmp_path / "broken.toml"
    broken.write_text('id = "vertebroplasty"\nversion = \n', encoding="utf-8")
    admin_page.template.load_file(str(broken))
    status = child(admin_page, QLabel, "admin.template.status")
    assert status.text().startswith("This template cannot be used.")
    assert "Traceback" not in status.text()
    assert admin_page.template.confirm_dialog is None
    assert child(admin_page, QLabel, "admin.template.version").text() == "2"


# -- start-up recovery ------------------------------------------------------------------------


def _signed_checklists(store: Store) -> list[tuple[int, str]]:
    reader = check_credentials(store, "demo.auditor", demo.DEMO_PASSWORD, "demo")
    return sorted((c["id"], c["status"]) for c in checklists.search(store, reader))


def _demo_database(path: Path, count: int = 6) -> list[tuple[int, str]]:
    store = open_store(path, demo=True)
    try:
        list(demo.generate(store, count, seed=3))
        back_up_now(store, None, path.parent / "backups")
        return _signed_checklists(store)
    finally:
        store.close()


def test_a_corrupt_database_shows_the_restore_dialog_and_restoring_brings_back_every_record(  # type: ignore[no-untyped-def]
    qtbot, tmp_path
):
    db_path = tmp_path / "site" / "vpchecklist.sqlite"
    before = _demo_database(db_path)
    assert len(before) == 6 and {status for _, status in before} <= {"signed", "postponed"}
    garbage = os.urandom(db_path.stat().st_size)
    db_path.write_bytes(garbage)

    with pytest.raises(StorageError) as opened:
        open_store(db_path)

    dialog = RecoveryDialog(db_path, opened.value)
    qtbot.addWidget(dialog)
    dialog.show()
    assert child(dialog, QLabel, "recovery.headline").text() == "The database file is damaged."
    assert "newest good backup" in child(dialog, QLabel, "recovery.offer").text()
    click(qtbot, dialog, "recovery.restore")  # issue 12: an administrator must confirm
    assert "administrator" in child(dialog, QLabel, "recovery.message").text()
    assert not dialog.restored and db_path.read_bytes() == garbage
    type_into(qtbot, dialog, "recovery.username", "demo.admin")
    type_into(qtbot, dialog, "recovery.password", demo.DEMO_PASSWORD)
    click(qtbot, dialog, "recovery.restore")
    qtbot.waitUntil(lambda: dialog.restored, timeout=20_000)
    assert dialog.result() == QDialog.DialogCode.Accepted

    assert dialog.kept is not None and dialog.kept.read_bytes() == garbage  # moved aside, kept
    store = open_store(db_path, create=False)
    try:
        assert _signed_checklists(store) == before
    finally:
        store.close()


def test_without_a_backup_the_dialog_only_quits_and_never_makes_an_empty_database(  # type: ignore[no-untyped-def]
    qtbot, tmp_path
):
    db_path = tmp_path / "site" / "vpchecklist.sqlite"
    db_path.parent.mkdir(parents=True)
    db_path.write_bytes(b"this is not a database" * 200)
    with pytest.raises(StorageError) as opened:
        open_store(db_path)

    dialog = RecoveryDialog(db_path, opened.value)
    qtbot.addWidget(dialog)
    dialog.show()
    assert not child(dialog, QPushButton, "recovery.restore").isEnabled()
    assert "No good backup" in child(dialog, QLabel, "recovery.offer").text()
    click(qtbot, dialog, "recovery.quit")
    assert dialog.result() == QDialog.DialogCode.Rejected
    assert db_path.read_bytes() == b"this is not a database" * 200
    assert sorted(p.name for p in db_path.parent.iterdir()) == ["vpchecklist.sqlite"]


def test_a_database_from_a_newer_version_is_explained_and_quit_is_the_default(  # type: ignore[no-untyped-def]
    qtbot, tmp_path
):
    db_path = tmp_path / "site" / "vpchecklist.sqlite"
    _demo_database(db_path, count=1)
    with sqlite3.connect(db_path) as conn:
        conn.execute(
            "INSERT INTO schema_version (version, applied_at) VALUES (?, ?)",
            (schema.LATEST_VERSION + 1, "2099-01-01T00:00:00.000000Z"),
        )
    with pytest.raises(StorageError) as opened:
        open_store(db_path)

    dialog = RecoveryDialog(db_path, opened.value)
    qtbot.addWidget(dialog)
    dialog.show()
    headline = child(dialog, QLabel, "recovery.headline").text()
    assert headline == "The database was written by a newer version of VP Checklist."
    assert child(dialog, QPushButton, "recovery.quit").isDefault()
    assert child(dialog, QPushButton, "recovery.restore").isEnabled()


def test_the_function_returns_false_when_the_user_quits(qtbot, tmp_path):  # type: ignore[no-untyped-def]
    db_path = tmp_path / "site" / "vpchecklist.sqlite"
    db_path.parent.mkdir(parents=True)
    db_path.write_bytes(b"\x00garbage" * 512)

    def press_quit() -> None:
        dialog = QApplication.activeModalWidget()
        assert dialog is not None and dialog.objectName() == "recovery.dialog"
        qtbot.mouseClick(child(dialog, QPushButton, "recovery.quit"), LEFT)

    QTimer.singleShot(100, press_quit)
    assert recover_from_open_failure(db_path, StorageError("damaged")) is False
    assert db_path.read_bytes() == b"\x00garbage" * 512


def test_the_function_returns_true_once_the_backup_is_restored(qtbot, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    db_path = tmp_path / "site" / "vpchecklist.sqlite"
    before = _demo_database(db_path, count=2)
    db_path.write_bytes(os.urandom(db_path.stat().st_size))
    with pytest.raises(StorageError) as opened:
        open_store(db_path)
    told: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda parent, title, text: told.append(text))

    def press_restore() -> None:
        dialog = QApplication.activeModalWidget()
        assert dialog is not None and dialog.objectName() == "recovery.dialog"
        child(dialog, QLineEdit, "recovery.username").setText("demo.admin")
        child(dialog, QLineEdit, "recovery.password").setText(demo.DEMO_PASSWORD)
        qtbot.mouseClick(child(dialog, QPushButton, "recovery.restore"), LEFT)

    QTimer.singleShot(100, press_restore)
    assert recover_from_open_failure(db_path, opened.value) is True
    assert told and told[0].startswith("The database was restored from vpchecklist-")
    store = open_store(db_path, create=False)
    try:
        assert _signed_checklists(store) == before
    finally:
        store.close()
