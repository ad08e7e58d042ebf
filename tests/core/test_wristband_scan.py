"""Wristband scan (issue 16): the MRN in the code answers the check "yes" (scanned), another
MRN answers it "no" with the hard-stop sentence; typed answers are "confirmed by hand"."""

from __future__ import annotations

import json

import pytest

from vpchecklist import presentation
from vpchecklist.errors import ValidationError
from vpchecklist.services import Actor, checklists, settings, signing, wristband
from vpchecklist.store import Store
from vpchecklist.store.models import Answer, AuditEvent, Signature
from vpchecklist.templates import default_template
from vpchecklist.wristband import WRISTBAND_ITEM, check_pattern, mrn_from_code


def _draft(store: Store, nurse: Actor, mrn: str = "MRN00123") -> int:
    header = checklists.parse_header(
        {
            "patient": {"name": "Ada Example", "date_of_birth": "1948-03-02", "mrn": mrn},
            "levels": ["L2"],
            "planned_start": "2026-12-01T10:30",
            "physician": "Dr Example",
        },
        default_template(),
    )
    return checklists.start_checklist(store, nurse, header)


def _answer_row(checklist_id: int) -> Answer:
    return Answer.get(Answer.checklist == checklist_id, Answer.item_id == WRISTBAND_ITEM)


def test_a_matching_scan_answers_yes_scanned(store: Store, actors: dict[str, Actor]) -> None:
    cid = _draft(store, actors["nurse"])
    result = wristband.scan(store, actors["nurse"], cid, "MRN00123")
    assert result.matched and result.message == ""
    row = _answer_row(cid)
    assert (json.loads(row.value), row.provenance) == ("yes", "scanned")
    entry = checklists.detail(store, actors["nurse"], cid)["answers"][WRISTBAND_ITEM]
    assert presentation.provenance_text(entry) == "scanned"
    event = AuditEvent.select().where(AuditEvent.action == "answer").get()
    assert json.loads(event.detail)["provenance"] == "scanned"


def test_a_site_pattern_finds_the_mrn_inside_a_longer_code(
    store: Store, actors: dict[str, Actor]
) -> None:
    settings.update(store, actors["admin"], {"wristband_mrn_pattern": r"^PID\|(?P<mrn>[^|]+)\|"})
    cid = _draft(store, actors["nurse"])
    assert wristband.scan(store, actors["nurse"], cid, "PID|MRN00123|Example^Ada|19480302").matched


def test_a_different_mrn_is_a_hard_stop_in_words(store: Store, actors: dict[str, Actor]) -> None:
    cid = _draft(store, actors["nurse"])
    result = wristband.scan(store, actors["nurse"], cid, "MRN00999")
    assert not result.matched
    assert result.message == ("Wristband MRN00999 does not match this checklist's MRN00123.")
    row = _answer_row(cid)
    assert (json.loads(row.value), row.provenance) == ("no", "scanned")


def test_typed_yes_is_confirmed_by_hand_and_a_later_scan_replaces_it(
    store: Store, actors: dict[str, Actor]
) -> None:
    cid = _draft(store, actors["nurse"])
    checklists.answer(store, actors["nurse"], cid, WRISTBAND_ITEM, "yes")
    entry = checklists.detail(store, actors["nurse"], cid)["answers"][WRISTBAND_ITEM]
    assert presentation.provenance_text(entry) == "confirmed by hand"
    wristband.scan(store, actors["nurse"], cid, "mrn00123")  # same MRN, scanner in lower case
    assert _answer_row(cid).provenance == "scanned"


def test_other_answers_record_no_provenance(store: Store, actors: dict[str, Actor]) -> None:
    cid = _draft(store, actors["nurse"])
    checklists.answer(store, actors["nurse"], cid, "consent.signed", "yes")
    row = Answer.get(Answer.checklist == cid, Answer.item_id == "consent.signed")
    assert row.provenance is None


def test_a_code_without_an_mrn_changes_nothing_and_is_audited(
    store: Store, actors: dict[str, Actor]
) -> None:
    settings.update(store, actors["admin"], {"wristband_mrn_pattern": r"MRN:(?P<mrn>\w+)"})
    cid = _draft(store, actors["nurse"])
    with pytest.raises(ValidationError, match="no MRN"):
        wristband.scan(store, actors["nurse"], cid, "hello")
    assert Answer.select().where(Answer.checklist == cid).count() == 0
    assert AuditEvent.select().where(AuditEvent.outcome == "refused").count() == 1


def test_the_provenance_is_part_of_what_is_signed(store: Store, actors: dict[str, Actor]) -> None:
    from tests.documents import BENIGN_ANSWERS

    nurse = actors["nurse"]
    cid = _draft(store, nurse)
    for item_id, value in BENIGN_ANSWERS.items():
        if item_id != WRISTBAND_ITEM and default_template().item(item_id) is not None:
            checklists.answer(store, nurse, cid, item_id, value)
    for item_id, value in {
        "clothing.attire": "own_clothes",
        "positioning.pillow_torso": "abdomen",
    }.items():
        checklists.answer(store, nurse, cid, item_id, value)
    wristband.scan(store, nurse, cid, "MRN00123")
    signing.sign(store, nurse, cid, "nurse-password-1", "ready")
    content = json.loads(Signature.get(Signature.checklist == cid).content)
    scanned = [a for a in content["answers"] if a["item"] == WRISTBAND_ITEM]
    assert scanned[0]["provenance"] == "scanned"
    others = [a for a in content["answers"] if a["item"] != WRISTBAND_ITEM]
    assert all("provenance" not in a for a in others)
    assert signing.verify_chain(store) == []


def test_patterns_are_checked_before_they_are_stored() -> None:
    with pytest.raises(ValueError, match="group named mrn"):
        check_pattern(r"\d+")
    with pytest.raises(ValueError, match="not a regular expression"):
        check_pattern(r"(?P<mrn>")
    assert mrn_from_code("  MRN00123\n", r"(?P<mrn>[A-Z0-9]+)") == "MRN00123"


def test_the_pdf_prints_how_the_wristband_was_confirmed(
    store: Store, actors: dict[str, Actor], tmp_path
) -> None:  # type: ignore[no-untyped-def]
    from export_fixtures import pages_text

    from vpchecklist.services import exports

    nurse = actors["nurse"]
    scanned = _draft(store, nurse)
    wristband.scan(store, nurse, scanned, "MRN00123")
    by_hand = _draft(store, nurse, "MRN00456")
    checklists.answer(store, nurse, by_hand, WRISTBAND_ITEM, "yes")
    for cid, words in ((scanned, "(scanned)"), (by_hand, "(confirmed by hand)")):
        path = exports.export_one(store, nurse, cid, tmp_path / f"{cid}.pdf").path
        assert any(words in page for page in pages_text(path)), words
