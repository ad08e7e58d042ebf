"""Issue 12, finding 2: an edited PDF must fail ``verify`` even when an ``export`` audit event
naming its exact bytes has been slipped into the database.

The attacker edits a real export (text drawn over a page, or a line taken out of a page's
content), then records the edited file's SHA-256 as an export of that checklist with the
application's own audit code, so the "this database exported these bytes" check passes.
``verify`` re-derives the record from the database and compares it with the copy's text layer.
"""

from __future__ import annotations

import hashlib
import io
import re
import sqlite3
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ContentStream
from reliability_support import PASSWORDS, cli, create_signed, seed_users
from reportlab.pdfgen.canvas import Canvas

from tests import raw_database
from vpchecklist.export.fonts import REGULAR, register_fonts
from vpchecklist.services import audit, exports, signing
from vpchecklist.store import Store


@pytest.fixture
def exported(store: Store, tmp_path: Path):  # type: ignore[no-untyped-def]
    people = seed_users(store, ["nurse", "auditor"])
    cid = create_signed(store, people["nurse"], PASSWORDS["nurse"], 7)
    copy = tmp_path / "copy.pdf"
    exports.export_one(store, people["auditor"], cid, copy)
    assert exports.verify_pdf(store, copy)[0]
    return store, cid, copy


def forge_export_event(store: Store, checklist_id: int, path: Path) -> None:
    """What an attacker with the database does: claim the edited bytes were exported."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    with store.transaction():
        audit.record(
            "auditor", "export", checklist_id=checklist_id, file=path.name, file_sha256=digest
        )


def write(writer: PdfWriter, path: Path) -> Path:
    with path.open("wb") as out:
        writer.write(out)
    return path


def overlay(text: str, size: tuple[float, float]) -> PdfReader:
    """A one-page PDF holding a white box and ``text``, to lay over a page of the copy."""
    register_fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=size)
    canvas.setFillColorRGB(1, 1, 1)
    canvas.rect(40, 300, 300, 40, stroke=0, fill=1)
    canvas.setFillColorRGB(0, 0, 0)
    canvas.setFont(REGULAR, 9)
    canvas.drawString(45, 315, text)
    canvas.showPage()
    canvas.save()
    return PdfReader(io.BytesIO(buffer.getvalue()))


def test_text_drawn_over_a_page_fails_despite_a_forged_export_event(exported, tmp_path) -> None:  # type: ignore[no-untyped-def]
    store, cid, copy = exported
    reader = PdfReader(str(copy))
    writer = PdfWriter(clone_from=reader)
    box = writer.pages[0].mediabox
    writer.pages[0].merge_page(
        overlay("INR 1.1 — no anticoagulant", (float(box.width), float(box.height))).pages[0]
    )
    edited = write(writer, tmp_path / "edited.pdf")
    forge_export_event(store, cid, edited)

    ok, message = exports.verify_pdf(store, edited)

    assert not ok
    assert "text of this copy differs" in message and "page 1" in message
    assert exports.verify_pdf(store, copy)[0]  # the real copy still verifies


def test_a_line_taken_out_of_a_page_fails_despite_a_forged_export_event(exported, tmp_path) -> None:  # type: ignore[no-untyped-def]
    store, cid, copy = exported
    reader = PdfReader(str(copy))
    writer = PdfWriter(clone_from=reader)
    page = writer.pages[0]
    content = ContentStream(page.get_contents(), writer)
    shows = [i for i, (_, op) in enumerate(content.operations) if op == b"Tj"]
    assert len(shows) > 20
    del content.operations[shows[len(shows) // 2]]  # one line of the body, gone
    page.replace_contents(content)
    edited = write(writer, tmp_path / "edited.pdf")
    assert len(PdfReader(str(edited)).pages) == len(reader.pages)
    forge_export_event(store, cid, edited)

    ok, message = exports.verify_pdf(store, edited)

    assert not ok and "text of this copy differs" in message


def test_a_page_removed_fails_despite_a_forged_export_event(exported, tmp_path) -> None:  # type: ignore[no-untyped-def]
    store, cid, copy = exported
    reader = PdfReader(str(copy))
    assert len(reader.pages) >= 2
    writer = PdfWriter(clone_from=reader)
    writer.remove_page(len(writer.pages) - 1)
    edited = write(writer, tmp_path / "edited.pdf")
    forge_export_event(store, cid, edited)

    ok, message = exports.verify_pdf(store, edited)

    assert not ok and "pages" in message


def test_a_copy_of_another_record_relabelled_fails(store, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A genuine copy of record A whose binding is rewritten to name record B (same hash
    shown is impossible, so the attacker also forges B's hash) is not B's copy."""
    people = seed_users(store, ["nurse", "auditor"])
    first = create_signed(store, people["nurse"], PASSWORDS["nurse"], 8)
    second = create_signed(store, people["nurse"], PASSWORDS["nurse"], 9)
    copy = tmp_path / "first.pdf"
    exports.export_one(store, people["auditor"], first, copy)
    writer = PdfWriter(clone_from=PdfReader(str(copy)))
    keywords = str(writer.metadata["/Keywords"])
    relabelled = re.sub(r"checklist-id=\d+", f"checklist-id={second}", keywords)
    relabelled = re.sub(
        r"record-sha256=[0-9a-f]+",
        f"record-sha256={signing.record_hash(store, second)}",
        relabelled,
    )
    writer.add_metadata({"/Keywords": relabelled})
    edited = write(writer, tmp_path / "relabelled.pdf")
    forge_export_event(store, second, edited)

    ok, message = exports.verify_pdf(store, edited)

    assert not ok and "text of this copy differs" in message


def test_verify_through_the_cli_writes_nothing(exported, db_path) -> None:  # type: ignore[no-untyped-def]
    store, cid, copy = exported
    db = db_path
    store.close()
    if not raw_database.is_postgres(db):
        with sqlite3.connect(db) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    events_before = raw_database.table_counts(db, ["audit_event"])
    before = raw_database.fingerprint(db)

    result = cli(db, "verify", str(copy))

    assert result.returncode == 0, result
    assert f"checklist {cid}" in result.stdout
    assert raw_database.fingerprint(db) == before
    assert raw_database.table_counts(db, ["audit_event"]) == events_before
