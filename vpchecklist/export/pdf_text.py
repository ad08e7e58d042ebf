"""What an exported PDF says, read back with pypdf: its record binding, page size and text.

Bytes in, values out (no database): ``services.copy_check`` compares them with the record as
stored, re-rendered.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from pypdf import PdfReader
from pypdf.errors import PyPdfError

from vpchecklist.export.pdf import COPY_MARK, KEYWORD_ID, PAPERS, read_zone
from vpchecklist.export.pdf import read_binding as binding_of_keywords

_READ_ERRORS = (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError)


@dataclass(frozen=True)
class CopyText:
    """One PDF copy as read back: the record it names and the words on each page."""

    checklist_id: int | None
    record_hash: str | None
    paper: str | None  # "A4", "LETTER", or None for any other page size
    pages: tuple[tuple[str, ...], ...]
    zone: str | None = None  # IANA zone its local times are in (None: not recorded)


def page_lines(text: str) -> tuple[str, ...]:
    """A page's extracted text as non-empty lines with single spaces and without what is
    particular to one copy (``pdf.COPY_MARK``), so two renderings of a record compare equal."""
    lines = (" ".join(COPY_MARK.sub("", line).split()) for line in text.splitlines())
    return tuple(line for line in lines if line)


def _paper_of(width: float, height: float) -> str | None:
    for name, (paper_width, paper_height) in PAPERS.items():
        if abs(width - paper_width) < 1 and abs(height - paper_height) < 1:
            return name
    return None


def text_of(data: bytes) -> tuple[tuple[str, ...], ...]:
    """The lines of each page of a PDF (``page_lines``)."""
    try:
        reader = PdfReader(io.BytesIO(data))
        return tuple(page_lines(page.extract_text() or "") for page in reader.pages)
    except _READ_ERRORS as exc:
        raise ValueError(f"the file is not a readable PDF ({exc})") from exc


def read_copy(data: bytes) -> CopyText:
    """Binding, page size and text of a VP Checklist export; ``ValueError`` with a plain
    sentence for a file that is not a readable PDF or not an export."""
    try:
        reader = PdfReader(io.BytesIO(data))
        info = reader.metadata
        keywords = str(info.get("/Keywords") or "") if info is not None else ""
        box = reader.pages[0].mediabox
        paper = _paper_of(float(box.width), float(box.height))
        pages = tuple(page_lines(page.extract_text() or "") for page in reader.pages)
    except _READ_ERRORS as exc:
        raise ValueError(f"the file is not a readable PDF ({exc})") from exc
    if KEYWORD_ID not in keywords:
        raise ValueError("the file is not a VP Checklist export (no record binding)")
    checklist_id, record_hash = binding_of_keywords(keywords)
    return CopyText(checklist_id, record_hash, paper, pages, read_zone(keywords))
