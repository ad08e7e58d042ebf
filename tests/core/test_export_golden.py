"""Golden test of the PDF layout: the text pypdf extracts from a fixed sample record's PDF,
page by page, word for word.

``export/textblock.py`` and ``grid.py`` draw on reportlab internals for speed; reportlab is
bounded (``<6``) and this test fails when a reportlab release (or a change of our layout or
wording) moves what the PDF says or where pages break. Inputs are fixed files: a signed record
with a warning, its acknowledgement, N/A, allergies and an addendum (``golden/sample_record.json``,
shaped like ``checklists.detail``) and the template it was made with
(``golden/vertebroplasty-v1.toml``); times print in UTC.

After a deliberate change of layout or wording, review the difference this test prints, then
rewrite the expected text with ``VPCHECKLIST_UPDATE_GOLDEN=1 pytest tests/core/test_export_golden.py``
and commit it with the change.
"""

from __future__ import annotations

import difflib
import io
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader

from vpchecklist.export import pdf
from vpchecklist.templates.loader import load_template

GOLDEN = Path(__file__).parent / "golden"
EXPECTED = GOLDEN / "sample_record.txt"
PAGE_BREAK = "=== page {} ==="


@pytest.fixture
def utc() -> Iterator[None]:
    """Local times in the PDF print in the workstation's zone: pin it to UTC."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    yield
    if before is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = before
    time.tzset()


def sample_text(paper: str) -> str:
    record = json.loads((GOLDEN / "sample_record.json").read_text(encoding="utf-8"))
    template = load_template(GOLDEN / "vertebroplasty-v1.toml")
    data = pdf.render(record, template, paper)
    pages = PdfReader(io.BytesIO(data)).pages
    return "\n".join(
        f"{PAGE_BREAK.format(n)}\n" + "\n".join(" ".join(line.split()) for line in text)
        for n, text in enumerate(((p.extract_text() or "").splitlines() for p in pages), 1)
    )


def test_the_sample_record_pdf_says_exactly_the_golden_text(utc: None) -> None:
    actual = {paper: sample_text(paper) for paper in ("A4", "LETTER")}
    joined = "\n".join(f"##### {paper}\n{text}" for paper, text in actual.items()) + "\n"
    if os.environ.get("VPCHECKLIST_UPDATE_GOLDEN") == "1":
        EXPECTED.write_text(joined, encoding="utf-8")
    expected = EXPECTED.read_text(encoding="utf-8")
    if joined != expected:
        diff = "\n".join(
            difflib.unified_diff(
                expected.splitlines(), joined.splitlines(), "expected", "actual", lineterm="", n=1
            )
        )
        pytest.fail(
            "The sample record's PDF text changed (reportlab release, layout or wording). "
            "Review, then regenerate with VPCHECKLIST_UPDATE_GOLDEN=1:\n" + diff[:6000]
        )


def test_the_golden_text_holds_the_record(utc: None) -> None:
    """The expected file is a real rendering of the record, not an empty or stale stub."""
    text = EXPECTED.read_text(encoding="utf-8")
    record = json.loads((GOLDEN / "sample_record.json").read_text(encoding="utf-8"))
    assert text.count("##### ") == 2 and "=== page 2 ===" in text
    assert record["header"]["patient"]["name"] in text
    assert record["record_hash"] in text
    assert "Correction: platelets repeated at 09:10, 240 ×10⁹/L." in text
