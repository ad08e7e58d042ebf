"""verify in another time zone than the export: the copy names the zone its local times are in
and is re-rendered in it, so an unaltered copy passes and an edited one still fails."""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ContentStream

from tests.core.export_fixtures import rich_document, signed_record, unicode_signer
from vpchecklist.export import pdf_text
from vpchecklist.services import audit, checklists, exports
from vpchecklist.services.export_copies import render_pdf
from vpchecklist.services.templates import template_by_hash

pytestmark = pytest.mark.skipif(not hasattr(time, "tzset"), reason="time.tzset is POSIX only")


def _in_zone(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    monkeypatch.setenv("TZ", name)
    time.tzset()


@pytest.fixture
def paris_copy(store, actors, vp1, tmp_path, monkeypatch) -> Iterator[tuple[int, Path]]:  # type: ignore[no-untyped-def]
    """A signed record exported on a workstation in Paris (TZ restored afterwards)."""
    _in_zone(monkeypatch, "Europe/Paris")
    signer = unicode_signer(store, actors["admin"])
    cid = signed_record(store, signer, rich_document(vp1.doc(["L2"])))
    copy = tmp_path / "copy.pdf"
    exports.export_one(store, actors["auditor"], cid, copy)
    yield cid, copy
    monkeypatch.undo()
    time.tzset()


def test_a_copy_made_in_paris_verifies_in_new_york(store, paris_copy, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    cid, copy = paris_copy
    read = pdf_text.read_copy(copy.read_bytes())
    assert read.zone == "Europe/Paris"
    _in_zone(monkeypatch, "America/New_York")
    # The test means something: rendered in New York, the record's text is not the copy's.
    record = checklists.stored_detail(store, cid)
    here = pdf_text.text_of(
        render_pdf(store, record, template_by_hash(record["template"]["hash"]), "A4")
    )
    assert here != read.pages

    ok, message = exports.verify_pdf(store, copy)

    assert ok, message
    assert os.environ["TZ"] == "America/New_York"  # verify left the process's zone as it was
    assert time.tzname[0] == "EST"


def test_an_edited_paris_copy_fails_in_new_york(store, paris_copy, monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    cid, copy = paris_copy
    writer = PdfWriter(clone_from=PdfReader(str(copy)))
    page = writer.pages[0]
    content = ContentStream(page.get_contents(), writer)
    shows = [i for i, (_, op) in enumerate(content.operations) if op == b"Tj"]
    del content.operations[shows[len(shows) // 2]]  # one line of the body, gone
    page.replace_contents(content)
    edited = tmp_path / "edited.pdf"
    with edited.open("wb") as out:
        writer.write(out)
    # Even with an export event slipped in for the edited bytes, the text check refuses it.
    with store.transaction():
        audit.record(
            "auditor",
            "export",
            checklist_id=cid,
            file=edited.name,
            file_sha256=hashlib.sha256(edited.read_bytes()).hexdigest(),
        )
    assert pdf_text.read_copy(edited.read_bytes()).zone == "Europe/Paris"
    _in_zone(monkeypatch, "America/New_York")

    ok, message = exports.verify_pdf(store, edited)

    assert not ok
    assert "text of this copy differs" in message
    assert exports.verify_pdf(store, copy)[0]  # the unaltered copy still passes there
