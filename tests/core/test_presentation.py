"""The words of stored values: times in the workstation's zone, the zone named once, answers in
one wording (the UI and PDF side of this is tests/ui/test_one_wording.py)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from vpchecklist import presentation
from vpchecklist.presentation import (
    answer_lines,
    local_time,
    local_time_with_zone,
    stored_zone_name,
    utc_stamp,
    wall_time,
    zone_name,
)
from vpchecklist.templates import bundled_template

WINTER = "2026-11-30T16:04:19.577966Z"
SUMMER = "2026-06-30T16:04:19.577966Z"


@pytest.fixture
def zone(monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """Set the workstation's zone for one test (``zone("Europe/Paris")``)."""

    def use(name: str) -> None:
        monkeypatch.setenv("TZ", name)
        time.tzset()

    yield use
    monkeypatch.undo()
    time.tzset()


def test_a_stored_utc_time_reads_in_the_workstation_zone(zone):
    zone("Europe/Paris")
    times = {local_time(WINTER), local_time(SUMMER)}
    # Whichever half of the year this runs in, the page names that zone once; the time from
    # the other half says its own zone, because the page's name would be wrong for it.
    assert times in (
        {"30 Nov 2026, 17:04", "30 Jun 2026, 18:04 CEST"},
        {"30 Nov 2026, 17:04 CET", "30 Jun 2026, 18:04"},
    )
    assert zone_name() in ("CET (UTC+01:00)", "CEST (UTC+02:00)")
    assert local_time_with_zone(WINTER) == "30 Nov 2026, 17:04 CET"


def test_utc_workstation_is_named_utc_without_an_offset(zone):
    zone("UTC")
    assert local_time(WINTER) == "30 Nov 2026, 16:04"
    assert zone_name() == "UTC"
    assert presentation.times_note() == "Times are local to this workstation: UTC."


def test_a_zone_west_of_utc_can_change_the_date(zone):
    zone("America/New_York")
    assert local_time("2026-12-01T02:30:00.000000Z") == "30 Nov 2026, 21:30"
    assert zone_name() in ("EST (UTC-05:00)", "EDT (UTC-04:00)")


def test_entered_wall_times_are_worded_without_conversion(zone):
    zone("Asia/Tokyo")
    assert wall_time("2026-03-09T20:00") == "9 Mar 2026, 20:00"
    assert wall_time("not a time") == "not a time"
    assert wall_time(None) == ""


def test_stored_zone_labels_and_utc_columns():
    assert stored_zone_name("UTC (+00:00)") == "UTC"
    assert stored_zone_name("CET (+01:00)") == "CET (UTC+01:00)"
    assert stored_zone_name("") == ""
    assert utc_stamp(WINTER) == "2026-11-30 16:04:19 UTC"
    assert utc_stamp(None) == "" and local_time(None) == ""


def test_every_answer_shape_of_template_v1_has_its_words():
    template = bundled_template("1")
    item = template.item
    cases = [
        ("identity.wristband_checked", "yes", ["Yes"]),
        ("identity.wristband_checked", "no", ["No"]),
        (
            "identity.site_marked",
            {"na": "marked under fluoroscopy"},
            ["N/A — marked under fluoroscopy"],
        ),
        ("consent.interpreter", "not_needed", ["Not needed"]),
        ("history.inr", 1.0, ["1"]),
        ("history.inr", 1.25, ["1.25"]),
        ("sedation.baseline_spo2", 97, ["97 %"]),
        ("sedation.baseline_bp", "128/76", ["128/76 mmHg"]),
        ("sedation.last_solids", "2026-03-09T20:00", ["9 Mar 2026, 20:00"]),
        ("sedation.iv_access", "left forearm, 20 G", ["left forearm, 20 G"]),
        ("history.allergies", "none", ["No known allergies"]),
        ("history.allergies", ["Latex", "Penicillin"], ["Latex", "Penicillin"]),
        ("history.anticoagulants", "none", ["None taken"]),
        (
            "history.anticoagulants",
            {"drug": "Warfarin", "last_dose": "2026-03-05T18:00", "held": "yes"},
            ["Warfarin", "Last dose: 5 Mar 2026, 18:00", "Held: yes"],
        ),
        ("timeout.performed", None, ["Not answered"]),
    ]
    for item_id, value, words in cases:
        assert answer_lines(item(item_id), value) == words, (item_id, value)
    # An item the template no longer has is shown as its stored text, never dropped.
    assert answer_lines(None, "kept") == ["kept"]


def test_acknowledgements_and_signatures_are_worded_once(zone):
    zone("UTC")
    ack = {
        "reason": "INR checked twice",
        "physician_informed": "Dr Okafor",
        "acknowledged_by": "nina",
        "acknowledged_by_name": "Nina Nurse",
        "acknowledged_at": WINTER,
    }
    assert presentation.acknowledgement_lines(ack) == [
        "Acknowledged by Nina Nurse, 30 Nov 2026, 16:04",
        "Reason: INR checked twice",
        "Physician informed: Dr Okafor",
    ]
    signature = {
        "printed_name": "Nina Nurse",
        "role": "nurse",
        "meaning": "postponed",
        "meaning_text": "Not ready — procedure postponed",
        "reason": "Consent missing",
        "signed_at": WINTER,
    }
    assert presentation.signature_fields(signature) == [
        ("Printed name", "Nina Nurse"),
        ("Role", "Nurse"),
        ("Meaning", "Not ready — procedure postponed"),
        ("Reason for postponement", "Consent missing"),
        ("Signed", "30 Nov 2026, 16:04"),
    ]


def test_audit_trails_keep_seconds_and_other_moments_read_alike(zone):
    zone("Europe/Paris")
    assert local_time(WINTER, seconds=True) == "30 Nov 2026, 17:04:19"
    assert presentation.local_date(WINTER) == "30 Nov 2026"
    assert presentation.local_moment(presentation.parse_utc(WINTER)) == "30 Nov 2026, 17:04"


def test_the_coded_lists_of_template_v2_have_their_words():
    template = bundled_template("2")
    allergies = template.item("history.allergies")
    drugs = template.item("history.anticoagulants")
    assert answer_lines(
        allergies,
        [
            {"agent": "iodinated_contrast", "reaction": "hives"},
            {"agent": "other", "name": "Sulfonamides", "reaction": "rash"},
            {"agent": "latex", "reaction": ""},
        ],
    ) == ["Iodinated contrast — hives", "Sulfonamides — rash", "Latex"]
    assert answer_lines(
        drugs,
        [
            {"drug": "warfarin", "last_dose": "2026-03-05T18:00"},
            {"drug": "other", "name": "Cilostazol", "last_dose": "2026-03-01T08:00"},
        ],
    ) == [
        "Warfarin — last dose 5 Mar 2026, 18:00; hold 120 h",
        "Cilostazol — last dose 1 Mar 2026, 08:00; "
        "not in the hold table: the physician confirms the hold",
    ]
    # With the record's planned start: the real hours before it, beside the hold.
    assert answer_lines(
        drugs,
        [
            {"drug": "warfarin", "last_dose": "2026-03-05T18:00"},
            {"drug": "heparin_iv", "last_dose": "2026-03-10T06:30"},
        ],
        "2026-03-10T10:00",
    ) == [
        "Warfarin — last dose 5 Mar 2026, 18:00; 112 h before the start, hold 120 h",
        "Heparin (IV, unfractionated) — last dose 10 Mar 2026, 06:30; "
        "3.5 h before the start, hold 6 h",
    ]
    assert answer_lines(allergies, "none") == ["No known allergies"]
    assert answer_lines(drugs, "none") == ["None taken"]
    # An item the template no longer has: the stored codes are still shown, never dropped.
    assert answer_lines(None, [{"agent": "latex", "reaction": "hives"}]) == [
        "agent: latex, reaction: hives"
    ]
