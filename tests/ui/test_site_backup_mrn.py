"""Issue 13: the site's name in the window header (finding 6), a backup folder checked when it
is saved (not by tomorrow's backup), and an MRN that begins with "MRN" never labelled twice."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton

from ui.auditor.record_view import RecordDialog
from ui.checklist import ChecklistPage
from vpchecklist import demo
from vpchecklist.errors import ValidationError
from vpchecklist.presentation import mrn_words
from vpchecklist.services import checklists, settings
from vpchecklist.services.templates import template_by_hash
from vpchecklist.store import open_store


def test_the_window_header_names_the_site(qtbot, make_window, store, actors, passwords, drive):  # type: ignore[no-untyped-def]
    settings.update(store, actors["admin"], {"site_name": "St Mary's Spine Unit"})
    window = make_window()
    drive.signed_in(window, "nurse", passwords["nurse"])
    site = window.findChild(QLabel, "session.site")
    assert site.isVisible() and "St Mary's Spine Unit" in site.text()


def test_a_backup_folder_that_cannot_be_written_is_refused_when_saved(qtbot, admin_page, store):  # type: ignore[no-untyped-def]
    admin_page.tabs.setCurrentWidget(admin_page.settings)
    folder = admin_page.findChild(QLineEdit, "admin.settings.backup_folder")
    folder.clear()
    qtbot.keyClicks(folder, "/proc/nope")
    qtbot.mouseClick(
        admin_page.findChild(QPushButton, "admin.settings.save"), Qt.MouseButton.LeftButton
    )
    status = admin_page.findChild(QLabel, "admin.settings.status").text()
    assert "cannot write backups to /proc/nope" in status
    assert "unexpected" not in status.lower()
    assert settings.get_all(store)["backup_folder"] == ""


def test_the_service_refuses_the_folder_too(store, actors, tmp_path):  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError, match="cannot write backups to /proc/nope"):
        settings.update(store, actors["admin"], {"backup_folder": "/proc/nope"})
    made = tmp_path / "new" / "backups"
    settings.update(store, actors["admin"], {"backup_folder": str(made)})
    assert made.is_dir() and not list(made.iterdir())  # made, probe file removed


def test_an_mrn_starting_with_mrn_is_labelled_once(qtbot, db_path):  # type: ignore[no-untyped-def]
    assert mrn_words("MRN00801") == "MRN00801" and mrn_words("00801") == "MRN 00801"
    store = open_store(db_path, demo=True)
    try:
        (cid,) = demo.generate(store, 1, seed=5)
        auditor = demo.ensure_demo_users(store)["demo.auditor"]
        record = checklists.detail(store, auditor, cid)
        with store.reading():
            template = template_by_hash(record["template"]["hash"])
        dialog = RecordDialog(record, template)
        qtbot.addWidget(dialog)
        mrn = record["header"]["patient"]["mrn"]
        assert mrn.startswith("MRN")
        texts = [label.text() for label in dialog.findChildren(QLabel)]
        assert any(mrn in t for t in texts)
        assert not any(f"MRN {mrn}" in t for t in texts)
        page = ChecklistPage(store, demo.ensure_demo_users(store)["demo.nurse"], cid)
        qtbot.addWidget(page)
        texts = [label.text() for label in page.findChildren(QLabel)]
        assert any(mrn in t for t in texts)
        assert not any(f"MRN {mrn}" in t for t in texts)
    finally:
        store.close()
