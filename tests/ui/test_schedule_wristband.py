"""Issue 16 in the app: today's scheduled visit on the worklist, "Start checklist" with the
identity locked (a change needs a reason), and the wristband scan: a matching barcode answers
"yes" (scanned), another patient's is a hard stop."""

from __future__ import annotations

import json
from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QLabel, QLineEdit, QTableWidget, QWidget

from vpchecklist.services import schedule, settings
from vpchecklist.store.models import Answer, Appointment, AuditEvent, Checklist
from vpchecklist.wristband import WRISTBAND_ITEM

LEFT = Qt.MouseButton.LeftButton


def todays_message(mrn: str = "MRN00123") -> str:
    day = date.today().strftime("%Y%m%d")
    return (
        f"MSH|^~\\&|RIS|RAD|VPCHECKLIST|IR|{day}0700||SIU^S12^SIU_S12|T0001|P|2.5.1\r"
        f"SCH|APT2001^RIS|APT2001^RIS|||||VP||60|MIN|^^60^{day}1030\r"
        f"PID|1||{mrn}^^^HOSP^MR||Example^Ada||19480302|F\r"
        "NTE|1||Levels: L2\r"
        "AIP|1|A|1^Nowak^Anna^^^Dr|IR\r"
    )


def widget(window, name: str, kind: type = QWidget):  # type: ignore[no-untyped-def]
    found = window.findChild(kind, name)
    assert found is not None, name
    return found


def scheduled_worklist(qtbot, make_window, store, actors, passwords, drive):  # type: ignore[no-untyped-def]
    settings.update(store, actors["admin"], {"schedule_levels_field": "NTE"})
    summary = schedule.import_messages(store, actors["nurse"], todays_message())
    assert summary.added == 1
    window = make_window()
    drive.signed_in(window, "nurse", passwords["nurse"])
    table = widget(window, "worklist.schedule", QTableWidget)
    qtbot.waitUntil(lambda: table.rowCount() == 1, timeout=5000)
    return window, table


def test_a_nurse_starts_from_the_schedule_and_scans_the_wristband(
    qtbot, make_window, store, actors, passwords, drive
):
    window, table = scheduled_worklist(qtbot, make_window, store, actors, passwords, drive)
    assert table.item(0, 1).text() == "Ada Example"
    assert table.item(0, 2).text() == "MRN00123"
    qtbot.mouseClick(widget(window, "worklist.schedule.start"), LEFT)

    page = window.new_page
    assert page is not None and page.isVisible()
    for name, text in (
        ("new.patient_name", "Ada Example"),
        ("new.date_of_birth", "1948-03-02"),
        ("new.mrn", "MRN00123"),
    ):
        field = widget(window, name, QLineEdit)
        assert field.text() == text and field.isReadOnly(), name
    qtbot.keyClicks(widget(window, "new.mrn"), "9")  # locked: typing changes nothing
    assert widget(window, "new.mrn", QLineEdit).text() == "MRN00123"
    assert widget(window, "new.identity.locked", QLabel).isVisible()
    assert widget(window, "new.physician", QLineEdit).text() == "Dr Anna Nowak"
    assert widget(window, "new.levels.L2", QAbstractButton).isChecked()
    qtbot.mouseClick(widget(window, "new.create"), LEFT)
    qtbot.waitUntil(lambda: window.checklist_page is not None and window.checklist_page.isVisible())
    (checklist,) = Checklist.select()
    assert (checklist.patient_name, checklist.mrn) == ("Ada Example", "MRN00123")
    visit = Appointment.get()
    assert (visit.status, visit.checklist_id) == ("started", checklist.id)

    # A matching wristband: the scanner types the code and Enter.
    scan = widget(window, f"{WRISTBAND_ITEM}.scan", QLineEdit)
    qtbot.waitUntil(scan.isVisible)
    scan.setFocus()
    qtbot.keyClicks(scan, "MRN00123")
    qtbot.keyClick(scan, Qt.Key.Key_Return)
    provenance = widget(window, f"{WRISTBAND_ITEM}.provenance", QLabel)
    assert provenance.text() == "(scanned)"
    assert widget(window, f"{WRISTBAND_ITEM}.yes", QAbstractButton).isChecked()
    row = Answer.get(Answer.checklist == checklist.id, Answer.item_id == WRISTBAND_ITEM)
    assert (json.loads(row.value), row.provenance) == ("yes", "scanned")
    assert not widget(window, f"{WRISTBAND_ITEM}.scan_stop", QLabel).isVisible()
    # The review page words it the same way the PDF does.
    qtbot.mouseClick(widget(window, "checklist.review"), LEFT)
    review = widget(window, "review.answers")
    qtbot.waitUntil(lambda: "Yes (scanned)" in review.toPlainText())
    window.checklist_page.go_to_item(WRISTBAND_ITEM)  # back to the card, as a link would

    # Another patient's wristband: a hard stop naming both MRNs.
    qtbot.keyClicks(scan, "MRN99999")
    qtbot.keyClick(scan, Qt.Key.Key_Return)
    stop = widget(window, f"{WRISTBAND_ITEM}.scan_stop", QLabel)
    assert stop.isVisible()
    assert stop.text() == "Wristband MRN99999 does not match this checklist's MRN00123."
    assert widget(window, f"{WRISTBAND_ITEM}.no", QAbstractButton).isChecked()
    page = window.checklist_page
    assert any("wristband" in f.message.lower() for f in page.session.evaluation.stops), (
        page.session.evaluation.stops
    )

    # Answered by hand again: recorded as such.
    qtbot.mouseClick(widget(window, f"{WRISTBAND_ITEM}.yes"), LEFT)
    assert provenance.text() == "(confirmed by hand)"
    assert not stop.isVisible()
    row = Answer.get(Answer.checklist == checklist.id, Answer.item_id == WRISTBAND_ITEM)
    assert (json.loads(row.value), row.provenance) == ("yes", "by_hand")


def test_changing_a_scheduled_identity_asks_for_a_reason(
    qtbot, make_window, store, actors, passwords, drive
):
    window, _table = scheduled_worklist(qtbot, make_window, store, actors, passwords, drive)
    qtbot.mouseClick(widget(window, "worklist.schedule.start"), LEFT)
    qtbot.mouseClick(widget(window, "new.identity.change"), LEFT)
    mrn = widget(window, "new.mrn", QLineEdit)
    assert not mrn.isReadOnly()
    mrn.clear()
    qtbot.keyClicks(mrn, "MRN00124")
    qtbot.mouseClick(widget(window, "new.create"), LEFT)
    error = widget(window, "new.error", QLabel)
    assert "MRN differs from the schedule: give a reason" in error.text()
    assert Checklist.select().count() == 0

    reason = widget(window, "new.identity.reason", QLineEdit)
    qtbot.keyClicks(reason, "Registration typo; wristband and ID card show MRN00124")
    qtbot.mouseClick(widget(window, "new.create"), LEFT)
    qtbot.waitUntil(lambda: window.checklist_page is not None and window.checklist_page.isVisible())
    (checklist,) = Checklist.select()
    assert checklist.mrn == "MRN00124"
    event = (
        AuditEvent.select()
        .where(AuditEvent.action == "create", AuditEvent.checklist_id == checklist.id)
        .get()
    )
    detail = json.loads(event.detail)
    assert detail["identity_changed"] == ["mrn"]
    assert detail["reason"].startswith("Registration typo")


def test_manual_entry_stays_unlocked(qtbot, make_window, store, actors, passwords, drive):
    window, table = scheduled_worklist(qtbot, make_window, store, actors, passwords, drive)
    qtbot.mouseClick(widget(window, "worklist.new"), LEFT)
    assert not widget(window, "new.mrn", QLineEdit).isReadOnly()
    assert not widget(window, "new.identity.locked", QLabel).isVisible()


def test_the_app_imports_the_drop_folder_off_the_ui_thread(
    qtbot, make_window, store, actors, passwords, drive, tmp_path
):
    import os
    import time

    folder = tmp_path / "inbox"
    folder.mkdir()
    settings.update(store, actors["admin"], {"schedule_drop_folder": str(folder)})
    dropped = folder / "today.hl7"
    dropped.write_bytes(("\x0b" + todays_message() + "\x1c\r").encode())
    past = time.time() - 60
    os.utime(dropped, (past, past))
    window = make_window()
    drive.signed_in(window, "nurse", passwords["nurse"])
    table = widget(window, "worklist.schedule", QTableWidget)
    qtbot.waitUntil(lambda: table.rowCount() == 1, timeout=10000)
    assert table.item(0, 2).text() == "MRN00123"
    assert (folder / "done" / "today.hl7").exists() and not dropped.exists()


def test_an_administrator_sets_the_hospital_settings_in_the_app(
    qtbot, make_window, store, actors, passwords, drive, tmp_path
):
    window = make_window()
    drive.signed_in(window, "admin", passwords["admin"])
    admin_page = window.home
    admin_page.tabs.setCurrentWidget(admin_page.settings)
    folder = widget(window, "admin.settings.schedule_drop_folder", QLineEdit)
    folder.setText("relative/inbox")
    qtbot.mouseClick(widget(window, "admin.settings.save"), LEFT)
    status = widget(window, "admin.settings.status", QLabel)
    assert "must be a full path" in status.text()

    folder.setText(str(tmp_path / "inbox"))
    levels = widget(window, "admin.settings.schedule_levels_field", QLineEdit)
    levels.setText("obr-13")
    pattern = widget(window, "admin.settings.wristband_mrn_pattern", QLineEdit)
    pattern.setText(r"\d+")
    qtbot.mouseClick(widget(window, "admin.settings.save"), LEFT)
    assert "group named mrn" in status.text()

    pattern.setText(r"MRN:(?P<mrn>\w+)")
    qtbot.mouseClick(widget(window, "admin.settings.save"), LEFT)
    assert status.text() == "Settings saved."
    stored = settings.get_all(store)
    assert stored["schedule_drop_folder"] == str(tmp_path / "inbox")
    assert stored["schedule_levels_field"] == "OBR-13"
    assert stored["wristband_mrn_pattern"] == r"MRN:(?P<mrn>\w+)"
