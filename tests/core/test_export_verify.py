"""verify: a fresh copy passes; an addendum, edited bytes, a draft or a foreign file fail."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.core.export_fixtures import (
    SIGNER_PASSWORD,
    rich_document,
    signed_record,
    unicode_signer,
)
from vpchecklist.services import checklists, exports, signing


@pytest.fixture
def signer(store, actors):
    return unicode_signer(store, actors["admin"])


@pytest.fixture
def exported(store, actors, signer, vp1, tmp_path) -> tuple[int, Path]:
    cid = signed_record(store, signer, rich_document(vp1.doc(["L2"])))
    out = tmp_path / "copy.pdf"
    exports.export_one(store, actors["auditor"], cid, out)
    return cid, out


def test_a_fresh_export_verifies(store, exported):
    cid, pdf = exported
    ok, message = exports.verify_pdf(store, pdf)
    assert ok, message
    assert f"checklist {cid}" in message and signing.record_hash(store, cid) in message


def test_an_addendum_after_export_fails_verification(store, signer, actors, exported, tmp_path):
    cid, pdf = exported
    signing.add_addendum(
        store, signer, cid, "Late entry: escort confirmed by phone.", SIGNER_PASSWORD
    )
    ok, message = exports.verify_pdf(store, pdf)
    assert not ok
    assert "addendum" in message
    fresh = tmp_path / "fresh.pdf"
    exports.export_one(store, actors["auditor"], cid, fresh)
    assert exports.verify_pdf(store, fresh)[0]


def test_edited_bytes_fail_verification(store, exported, tmp_path):
    _, pdf = exported
    data = pdf.read_bytes()
    # Same length, still a readable PDF: only the producer text in the metadata changes.
    assert b"ReportLab" in data
    edited = tmp_path / "edited.pdf"
    edited.write_bytes(data.replace(b"ReportLab", b"ReportLaB", 1))
    ok, message = exports.verify_pdf(store, edited)
    assert not ok
    assert "edited" in message


def test_a_truncated_file_fails(store, exported, tmp_path):
    _, pdf = exported
    cut = tmp_path / "cut.pdf"
    cut.write_bytes(pdf.read_bytes()[:2000])
    assert not exports.verify_pdf(store, cut)[0]


def test_a_draft_copy_never_verifies(store, actors, vp, tmp_path):
    cid = checklists.create_from_document(store, actors["nurse"], vp.doc(["L2"]))
    out = tmp_path / "draft.pdf"
    exports.export_one(store, actors["nurse"], cid, out)
    ok, message = exports.verify_pdf(store, out)
    assert not ok and "draft" in message


def test_a_file_that_is_not_an_export_fails(store, tmp_path):
    other = tmp_path / "other.pdf"
    other.write_bytes(b"%PDF-1.4\n% not really\n")
    ok, message = exports.verify_pdf(store, other)
    assert not ok and message.startswith("Not verified")
    ok, message = exports.verify_pdf(store, tmp_path / "missing.pdf")
    assert not ok and "cannot be read" in message
