"""CSV of checklist summaries: one row per checklist (header fields, status, signer, hash)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from vpchecklist.presentation import utc_stamp

COLUMNS = (
    "checklist_id",
    "patient_name",
    "date_of_birth",
    "mrn",
    "levels",
    "planned_start",
    "physician",
    "status",
    "signed_by",
    "signed_at_utc",
    "warnings",
    "template_version",
    "record_sha256",
    "demo",  # "yes" in every row exported from a demo database
)

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(text: str) -> str:
    """Free text that a spreadsheet would run as a formula is prefixed with an apostrophe."""
    return "'" + text if text[:1] in _FORMULA_START else text


def row_of(summary: dict[str, Any], digest: str | None, demo: bool = False) -> list[str]:
    return [
        str(summary["id"]),
        _cell(summary["patient_name"]),
        summary["date_of_birth"],
        _cell(summary["mrn"]),
        " ".join(summary["levels"]),
        summary["planned_start"],
        _cell(summary["physician"]),
        summary["status"],
        _cell(summary.get("signed_by") or ""),
        utc_stamp(summary.get("signed_at")),
        str(summary.get("warning_count", 0)),
        summary.get("template_version") or "",
        digest or "",
        "yes" if demo else "",
    ]


def render(
    summaries: Iterable[dict[str, Any]], hashes: dict[int, str], demo: bool = False
) -> bytes:
    """UTF-8 with a BOM so that spreadsheet programs show accented names correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for summary in summaries:
        writer.writerow(row_of(summary, hashes.get(summary["id"]), demo))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
