"""Schedule import (issue 16): a day's file of real-shaped HL7 messages, stored and refused
exactly; a refused message changes nothing; starting a checklist from a visit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vpchecklist.errors import PermissionDenied, ValidationError
from vpchecklist.schedule.messages import ReadingRules, read_message, split_messages
from vpchecklist.services import Actor, checklists, schedule, settings
from vpchecklist.store import Store
from vpchecklist.store.models import Appointment, AuditEvent, Checklist
from vpchecklist.templates import default_template

DAY = Path(__file__).parent / "data" / "schedule-day.hl7"


def _import_day(store: Store, actors: dict[str, Actor]) -> schedule.ImportSummary:
    settings.update(store, actors["admin"], {"schedule_levels_field": "NTE"})
    return schedule.import_file(store, actors["nurse"], DAY)


def _stored() -> dict[str, dict]:
    return {
        row.key: {
            "mrn": row.mrn,
            "name": row.patient_name,
            "date_of_birth": row.date_of_birth,
            "planned_start": row.planned_start,
            "physician": row.physician,
            "levels": json.loads(row.levels),
            "status": row.status,
            "last_message": row.message_control_id,
        }
        for row in Appointment.select()
    }


def test_the_day_file_has_every_kind_of_message() -> None:
    text = DAY.read_bytes().decode()
    messages = split_messages(text)
    assert len(messages) >= 10
    kinds = {m.split("|")[8] for m in messages if m.count("|") > 9}
    assert {"SIU^S12^SIU_S12", "SIU^S14^SIU_S12", "SIU^S15^SIU_S12", "ORM^O01^ORM_O01"} <= kinds
    assert "\x0b" in text and "\x1c" in text  # one MLLP-framed message


def test_a_day_file_is_stored_and_refused_exactly(store: Store, actors: dict[str, Actor]) -> None:
    summary = _import_day(store, actors)
    assert summary.counts() == {"added": 6, "updated": 1, "cancelled": 1, "refused": 7}
    assert [(r.control_id, r.reason) for r in summary.refused] == [
        ("MSG0008", "the birth date in PID-7 is not a date"),
        ("MSG0009", "no MRN in PID-3 (identifier type MR)"),
        ("MSG0011", "no appointment or order number in SCH-1"),
        ("?", "the message cannot be parsed as HL7 v2"),
        ("MSG0012", "ADT^A01 is not a scheduling (SIU) or order (ORM^O01) message"),
        ("MSG0014", "the planned start in SCH-11 is not a date"),
        ("MSG0013", "it cancels a visit never imported"),  # read well; refused when stored
    ]
    assert summary.notes == [
        ("MSG0007", "the levels in NTE are not understood; the nurse picks them")
    ]
    assert _stored() == {
        "appointment:APT1001": {
            "mrn": "MRN00123",  # the MR identifier, not the PI one before it
            "name": "Ada Maria Example",
            "date_of_birth": "1948-03-02",
            "planned_start": "2026-12-01T11:00",  # moved by the S14
            "physician": "Dr Anna Nowak",
            "levels": ["T12", "L1"],
            "status": "scheduled",
            "last_message": "MSG0003",
        },
        "appointment:APT1002": {
            "mrn": "MRN00456",
            "name": "Bruno Sample",
            "date_of_birth": "1951-07-14",
            "planned_start": "2026-12-01T13:00",  # AIS-4; the refused S14 changed nothing
            "physician": "Dr Jan Kowalski",
            "levels": [],
            "status": "scheduled",
            "last_message": "MSG0002",
        },
        "appointment:APT1003": {
            "mrn": "MRN00789",
            "name": "Carla Test",
            "date_of_birth": "1940-01-01",
            "planned_start": "2026-12-01T14:30",
            "physician": "Dr Anna Nowak",
            "levels": ["L2", "L3", "L4"],
            "status": "cancelled",
            "last_message": "MSG0005",
        },
        "order:ORD5001": {
            "mrn": "MRN01011",
            "name": "Dan Order",
            "date_of_birth": "1955-05-05",
            "planned_start": "2026-12-02T10:00",  # OBR-7
            "physician": "Dr Jan Kowalski",  # OBR-16
            "levels": ["L3"],
            "status": "scheduled",
            "last_message": "MSG0006",
        },
        "order:ORD5002": {
            "mrn": "MRN01213",
            "name": "Eva Levelless",
            "date_of_birth": "1960-12-24",
            "planned_start": "2026-12-02T11:30",
            "physician": "Dr Jan Kowalski",
            "levels": [],  # "L9" is no level: left for the nurse
            "status": "scheduled",
            "last_message": "MSG0007",
        },
        "appointment:APT1004": {  # the MLLP-framed one
            "mrn": "MRN01617",
            "name": "Hugo J Framed",
            "date_of_birth": "1947-08-30",
            "planned_start": "2026-12-01T16:00",
            "physician": "Dr Anna Nowak",
            "levels": ["L1"],
            "status": "scheduled",
            "last_message": "MSG0010",
        },
    }


def test_the_cancel_of_a_visit_never_imported_is_refused(
    store: Store, actors: dict[str, Actor]
) -> None:
    summary = _import_day(store, actors)
    # The S15 for APT9999 reads well but names no stored visit: refused when stored.
    assert ("MSG0013", "it cancels a visit never imported") in [
        (r.control_id, r.reason) for r in summary.refused
    ]


def test_one_audit_event_per_file_with_counts_and_no_patient_data(
    store: Store, actors: dict[str, Actor]
) -> None:
    _import_day(store, actors)
    events = list(AuditEvent.select().where(AuditEvent.action == "schedule_import"))
    assert len(events) == 1
    detail = json.loads(events[0].detail)
    assert (events[0].username, events[0].outcome) == ("nurse", "ok")
    assert detail["added"] == 6 and detail["source"] == "schedule-day.hl7"
    assert {r["control_id"] for r in detail["refusals"]} >= {"MSG0008", "MSG0009", "MSG0013"}
    for secret in ("MRN00123", "Example", "1948-03-02"):
        assert secret not in events[0].detail


def test_importing_the_same_file_again_updates_without_duplicates(
    store: Store, actors: dict[str, Actor]
) -> None:
    _import_day(store, actors)
    again = schedule.import_file(store, actors["nurse"], DAY)
    assert again.added == 0
    assert Appointment.select().count() == 6


def test_an_auditor_may_not_import_and_the_refusal_is_audited(
    store: Store, actors: dict[str, Actor]
) -> None:
    with pytest.raises(PermissionDenied):
        schedule.import_file(store, actors["auditor"], DAY)
    assert Appointment.select().count() == 0
    refused = AuditEvent.select().where(AuditEvent.outcome == "refused").get()
    assert refused.action == "create" and refused.username == "auditor"


def test_the_mrn_identifier_type_and_authority_are_site_settings(
    store: Store, actors: dict[str, Actor]
) -> None:
    text = DAY.read_bytes().decode()
    first = split_messages(text)[0]
    template = default_template()
    assert read_message(first, ReadingRules(mrn_type="PI"), template).mrn == "PI778812"
    refused = read_message(first, ReadingRules(mrn_authority="OTHERHOSP"), template)
    assert refused.reason == "no MRN in PID-3 (identifier type MR from OTHERHOSP)"
    assert read_message(first, ReadingRules(mrn_authority="hosp"), template).mrn == "MRN00123"


def test_levels_come_from_the_configured_field_or_are_left_for_the_nurse() -> None:
    template = default_template()
    order = split_messages(DAY.read_bytes().decode())[5]
    assert read_message(order, ReadingRules(levels_field=""), template).levels == []
    assert read_message(order, ReadingRules(levels_field="NTE"), template).levels == ["L3"]
    with_obr13 = order.replace("||||||||67890", "|||||L2-L4|||67890", 1)
    assert read_message(with_obr13, ReadingRules(levels_field="OBR-13"), template).levels == [
        "L2",
        "L3",
        "L4",
    ]


def test_a_planned_start_with_a_zone_is_shown_as_the_workstations_wall_time() -> None:
    from datetime import datetime

    template = default_template()
    first = split_messages(DAY.read_bytes().decode())[0]
    zoned = first.replace("^20261201103000^", "^202612011030+0500^")
    expected = datetime.fromisoformat("2026-12-01T10:30+05:00").astimezone()
    visit = read_message(zoned, ReadingRules(), template)
    assert visit.planned_start == expected.strftime("%Y-%m-%dT%H:%M")


def test_a_bad_levels_setting_is_refused(store: Store, actors: dict[str, Actor]) -> None:
    with pytest.raises(ValidationError, match="OBR-13"):
        settings.update(store, actors["admin"], {"schedule_levels_field": "levels please"})


def _header(visit: dict, **changes: str) -> checklists.Header:
    raw = {
        "patient": {
            "name": changes.get("name", visit["name"]),
            "date_of_birth": changes.get("date_of_birth", visit["date_of_birth"]),
            "mrn": changes.get("mrn", visit["mrn"]),
        },
        "levels": visit["levels"] or ["L2"],
        "planned_start": visit["planned_start"],
        "physician": visit["physician"] or "Dr Example",
    }
    return checklists.parse_header(raw, default_template())


def test_starting_from_a_visit_links_it_and_audits_the_visit(
    store: Store, actors: dict[str, Actor]
) -> None:
    _import_day(store, actors)
    row = Appointment.get(Appointment.key == "appointment:APT1001")
    visit = schedule.appointment(store, actors["nurse"], row.id)
    checklist_id = schedule.start_from_appointment(store, actors["nurse"], row.id, _header(visit))
    stored = Checklist.get_by_id(checklist_id)
    assert (stored.patient_name, stored.mrn, stored.date_of_birth) == (
        "Ada Maria Example",
        "MRN00123",
        "1948-03-02",
    )
    assert schedule.appointment(store, actors["nurse"], row.id)["status"] == "started"
    event = AuditEvent.select().order_by(AuditEvent.id.desc()).get()
    assert event.action == "create" and json.loads(event.detail)["appointment"] == row.id
    with pytest.raises(ValidationError, match="started"):
        schedule.start_from_appointment(store, actors["nurse"], row.id, _header(visit))


def test_changing_a_scheduled_identity_needs_a_reason_and_is_audited(
    store: Store, actors: dict[str, Actor]
) -> None:
    _import_day(store, actors)
    row = Appointment.get(Appointment.key == "appointment:APT1002")
    visit = schedule.appointment(store, actors["nurse"], row.id)
    changed = _header(visit, mrn="MRN00457")
    with pytest.raises(ValidationError, match="MRN differs from the schedule"):
        schedule.start_from_appointment(store, actors["nurse"], row.id, changed)
    assert Checklist.select().count() == 0
    checklist_id = schedule.start_from_appointment(
        store, actors["nurse"], row.id, changed, "wristband shows MRN00457; registration erred"
    )
    event = AuditEvent.select().where(AuditEvent.checklist_id == checklist_id).get()
    detail = json.loads(event.detail)
    assert detail["identity_changed"] == ["mrn"]
    assert detail["reason"] == "wristband shows MRN00457; registration erred"


def test_a_cancelled_visit_cannot_be_started(store: Store, actors: dict[str, Actor]) -> None:
    _import_day(store, actors)
    row = Appointment.get(Appointment.key == "appointment:APT1003")
    visit = schedule.appointment(store, actors["nurse"], row.id)
    with pytest.raises(ValidationError, match="cancelled"):
        schedule.start_from_appointment(store, actors["nurse"], row.id, _header(visit))


def test_upcoming_lists_visits_from_the_day_on(store: Store, actors: dict[str, Actor]) -> None:
    from datetime import date

    _import_day(store, actors)
    later = schedule.upcoming(store, actors["nurse"], date(2026, 12, 2))
    assert [v["mrn"] for v in later] == ["MRN01011", "MRN01213"]
    first_day = schedule.upcoming(store, actors["nurse"], date(2026, 12, 1), only_day=True)
    assert [v["planned_start"] for v in first_day] == sorted(v["planned_start"] for v in first_day)
    assert len(first_day) == 4
    assert set(first_day[0]) == {
        "id",
        "mrn",
        "name",
        "date_of_birth",
        "planned_start",
        "physician",
        "levels",
        "status",
        "checklist_id",
    }
