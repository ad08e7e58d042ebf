"""What an exported PDF says, read back with pypdf: its record binding and its text layer.

Bytes in, values out (no database): ``services.exports.verify_pdf`` compares them with the
record as stored.
"""

from __future__ import annotations

import io

from pypdf import PdfReader
from pypdf.errors import PyPdfError

from vpchecklist.export.pdf import KEYWORD_ID
from vpchecklist.export.pdf import read_binding as binding_of_keywords

_READ_ERRORS = (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError)


def _reader(data: bytes) -> PdfReader:
    try:
        return PdfReader(io.BytesIO(data))
    except _READ_ERRORS as exc:
        raise ValueError(f"the file is not a readable PDF ({exc})") from exc


def read_binding(data: bytes) -> tuple[int | None, str | None]:
    """The checklist id and record hash a VP Checklist export carries in its metadata."""
    try:
        info = _reader(data).metadata
        keywords = str(info.get("/Keywords") or "") if info is not None else ""
    except _READ_ERRORS as exc:
        raise ValueError(f"the file is not a readable PDF ({exc})") from exc
    if KEYWORD_ID not in keywords:
        raise ValueError("the file is not a VP Checklist export (no record binding)")
    return binding_of_keywords(keywords)
