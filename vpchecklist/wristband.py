"""The wristband barcode: which MRN a scanned code holds, and the words of its provenance.

A USB scanner types the code and Enter into a text field; the site's pattern (a setting) says
where the MRN is in the code. Pure: the scan verb is ``services.wristband``.
"""

from __future__ import annotations

import re

from vpchecklist.presentation import mrn_words

WRISTBAND_ITEM = "identity.wristband_checked"
DEFAULT_PATTERN = r"(?P<mrn>[A-Za-z0-9][A-Za-z0-9._/-]{0,31})"

SCANNED = "scanned"
BY_HAND = "by_hand"


def check_pattern(pattern: str) -> str:
    """The pattern as stored, or ValueError with the reason (bad syntax, no ``mrn`` group)."""
    try:
        compiled = re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"the pattern is not a regular expression ({exc.msg})") from None
    if "mrn" not in compiled.groupindex:
        raise ValueError("the pattern needs a group named mrn, e.g. MRN:(?P<mrn>\\w+)")
    return pattern


def mrn_from_code(code: str, pattern: str) -> str | None:
    """The MRN in a scanned code: the ``mrn`` group of the first match (the whole code must not
    match: wristbands carry the name and birth date beside the MRN)."""
    match = re.search(pattern, code.strip())
    if match is None or not match.group("mrn"):
        return None
    return match.group("mrn").strip()


def same_mrn(first: str, second: str) -> bool:
    return first.strip().casefold() == second.strip().casefold()


def mismatch_message(scanned: str, expected: str) -> str:
    return f"Wristband {mrn_words(scanned)} does not match this checklist's {mrn_words(expected)}."
