"""PDF copies read back with pypdf: complete, unicode-clean, headed on every page, audited."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.core.export_fixtures import (
    LONG_IV,
    PATIENT,
    SIGNER,
    SIGNER_PASSWORD,
    has,
    pages_text,
    rich_document,
    signed_record,
    unicode_signer,
)
from vpchecklist.errors import PermissionDenied
from vpchecklist.presentation import answer_lines, local_time
from vpchecklist.services import audit, checklists, exports, signing
from vpchecklist.templates import bundled_template


@pytest.fixture
def signer(store, actors):
    return unicode_signer(store, actors["admin"])


@pytest.fixture
def rich_id(store, signer, vp1):
    return signed_record(store, signer, rich_document(vp1.doc(["T12", "L1"])))


def export(store, actor, cid, tmp_path: Path, paper: str = "A4") -> Path:
    out = tmp_path / f"record-{cid}-{paper}.pdf"
    exports.export_one(store, actor, cid, out, paper)
    return out


def test_every_answer_who_and_when_is_in_the_pdf(store, actors, rich_id, tmp_path):
    pdf = export(store, actors["auditor"], rich_id, tmp_path)
    text = " ".join(pages_text(pdf))
    record = checklists.detail(store, actors["auditor"], rich_id)
    template = bundled_template("1")
    for section in template.sections:
        assert section.title in text
        for item in section.items:
            assert has(text, item.label), item.id
            answer = record["answers"][item.id]
            for line in answer_lines(item, answer["value"]):
                assert has(text, line), (item.id, line)
    assert has(text, LONG_IV)
    assert "Apixaban 5 mg" in text and "Held: yes" in text
    assert "N/A — Post-menopausal patient (aged 84)" in text
    assert text.count(SIGNER) >= len(template.items)  # who answered, on every row


def test_warning_acknowledgement_signature_and_hash_are_in_the_pdf(
    store, actors, rich_id, tmp_path
):
    pdf = export(store, actors["auditor"], rich_id, tmp_path)
    text = " ".join(pages_text(pdf))
    digest = signing.record_hash(store, rich_id)
    assert digest and digest in text
    assert "INR" in text and "WARNING:" in text
    assert has(text, "Discussed with IR; proceed with local haemostasis and a 22 G needle")
    assert "Physician informed: Dr Amara Okafor" in text
    assert "Pre-procedure checks completed — ready for procedure" in text
    assert f"Printed name {SIGNER}" in text
    signed_at = checklists.detail(store, actors["auditor"], rich_id)["signatures"][0]["signed_at"]
    assert "Signed (UTC)" in text and f"Signed {local_time(signed_at)}" in text
    assert "vertebroplasty" in text and "version 1" in text
    assert bundled_template("1").content_hash in text
    assert (
        "ALLERGY ALERT: Iodinated contrast (Iodinated contrast (hives)); Latex (Latex gloves)"
        in text
    )


def test_every_page_has_the_header_and_page_x_of_y(store, actors, rich_id, tmp_path):
    pdf = export(store, actors["auditor"], rich_id, tmp_path)
    pages = pages_text(pdf)
    assert len(pages) >= 2
    for number, text in enumerate(pages, start=1):
        assert PATIENT in text
        assert "DOB 1941-07-14" in text
        assert "· MRN-0042 ·" in text  # the value once: no "MRN MRN-0042" (issue 13)
        assert "Levels T12, L1" in text
        assert f"Record #{rich_id}" in text
        assert f"Page {number} of {len(pages)}" in text


def test_unicode_names_extract_intact(store, actors, rich_id, tmp_path):
    pdf = export(store, actors["auditor"], rich_id, tmp_path)
    text = " ".join(pages_text(pdf))
    assert "Łucja Nowak-Żółć" in text
    assert "Nguyễn Thị Hạnh" in text
    fonts = {
        str(font["/BaseFont"])
        for page in PdfReader(str(pdf)).pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert all("DejaVuSans" in f for f in fonts), fonts  # embedded subsets, no base-14 fonts


def test_metadata_title_author_subject_and_binding(store, actors, rich_id, tmp_path):
    pdf = export(store, actors["auditor"], rich_id, tmp_path)
    meta = PdfReader(str(pdf)).metadata
    assert meta.author == "VP Checklist"
    assert meta.subject == f"Checklist record {rich_id}"
    assert PATIENT in meta.title
    assert f"checklist-id={rich_id};" in meta["/Keywords"]
    assert f"record-sha256={signing.record_hash(store, rich_id)};" in meta["/Keywords"]


def test_a4_and_letter(store, actors, rich_id, tmp_path):
    a4 = PdfReader(str(export(store, actors["auditor"], rich_id, tmp_path, "A4")))
    letter = PdfReader(str(export(store, actors["auditor"], rich_id, tmp_path, "letter")))
    assert [round(float(v)) for v in a4.pages[0].mediabox[2:]] == [595, 842]
    assert [round(float(v)) for v in letter.pages[0].mediabox[2:]] == [612, 792]


def test_draft_has_a_watermark_on_every_page(store, actors, vp, tmp_path):
    cid = checklists.create_from_document(store, actors["nurse"], vp.doc(["L2"]))
    pages = pages_text(export(store, actors["nurse"], cid, tmp_path))
    assert all("DRAFT" in text for text in pages)
    assert "not a valid record" in pages[0]


def test_signed_record_has_no_watermark(store, actors, rich_id, tmp_path):
    assert not any(
        "DRAFT" in t for t in pages_text(export(store, actors["auditor"], rich_id, tmp_path))
    )


def test_postponed_record_shows_stop_and_reason(store, signer, actors, vp, tmp_path):
    doc = vp.doc(["L4"], consent__signed="no")
    cid = signed_record(
        store, signer, doc, "postponed", "Consent form not signed; rebooked for Friday"
    )
    text = " ".join(pages_text(export(store, actors["auditor"], cid, tmp_path)))
    assert "NOT READY — procedure postponed" in text
    assert "Reason for postponement: Consent form not signed; rebooked for Friday" in text
    assert "HARD STOP:" in text and "Hard stops" in text
    assert "Meaning Not ready — procedure postponed" in text


def test_addendum_appears_with_its_own_signature(store, signer, actors, rich_id, tmp_path):
    signing.add_addendum(
        store,
        signer,
        rich_id,
        "Correction: platelets repeated at 09:10, 240 ×10⁹/L.",
        SIGNER_PASSWORD,
    )
    text = " ".join(pages_text(export(store, actors["auditor"], rich_id, tmp_path)))
    assert "Addendum 1" in text
    assert "Correction: platelets repeated at 09:10, 240 ×10⁹/L." in text
    assert "Addendum to the signed record" in text
    assert signing.record_hash(store, rich_id) in text


def test_export_is_audited_once_with_the_file_hash(store, actors, rich_id, tmp_path):
    before = audit.events(store, actors["auditor"])
    pdf = export(store, actors["auditor"], rich_id, tmp_path)
    after = audit.events(store, actors["auditor"])
    assert len(after) == len(before) + 1  # one event: no separate "view"
    events = [e for e in after if e["action"] == "export"]
    event = events[-1]
    assert event["user"] == "auditor" and event["checklist_id"] == rich_id
    assert event["detail"]["file_sha256"] == hashlib.sha256(pdf.read_bytes()).hexdigest()
    assert event["detail"]["record_hash"] == signing.record_hash(store, rich_id)


def test_a_role_without_export_is_refused_and_audited(store, actors, rich_id, tmp_path):
    out = tmp_path / "no.pdf"
    with pytest.raises(PermissionDenied):
        exports.export_one(store, actors["admin"], rich_id, out)
    assert not out.exists()
    refused = [e for e in audit.events(store, actors["auditor"]) if e["action"] == "export"]
    assert refused[-1]["outcome"] == "refused"


def test_missing_folder_is_a_plain_error_and_leaves_nothing(store, actors, rich_id, tmp_path):
    with pytest.raises(exports.ExportError, match="does not exist"):
        exports.export_one(store, actors["auditor"], rich_id, tmp_path / "nope" / "x.pdf")


def test_long_tables_split_with_repeated_header_rows(store, signer, actors, vp, vp1, tmp_path):
    doc = rich_document(vp1.doc(["L2"]))
    allergies = [
        f"Allergen {n}: generalised urticaria and angioedema after exposure" for n in range(50)
    ]
    doc["answers"]["history.allergies"] = allergies
    cid = signed_record(store, signer, doc)
    pages = pages_text(export(store, actors["auditor"], cid, tmp_path))
    text = " ".join(pages)
    for n in range(50):
        assert f"Allergen {n}:" in text
    # The history table is taller than a page: it splits and repeats its header row.
    history = [n for n, p in enumerate(pages) if "Allergen" in p]
    assert len(history) >= 2
    for n in history:
        assert "Item Answer Answered by, when (local time)" in pages[n]


def test_export_reads_the_same_record_as_detail(store, actors, rich_id):
    before = len(audit.events(store, actors["auditor"]))
    loaded, template = exports.load_record(store, actors["auditor"], rich_id)
    assert len(audit.events(store, actors["auditor"])) == before  # no "view" event
    assert loaded == checklists.detail(store, actors["auditor"], rich_id)
    assert template.content_hash == loaded["template"]["hash"]
