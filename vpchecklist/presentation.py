"""The words for what is stored: answers, times, acknowledgements and signatures.

Why one module: what a nurse reads on the review page before signing must be, word for word,
what the auditor reads in the record view and what the PDF and CSV print. Two formatters drift
(the review page once said "No known allergies" where the PDF said "None known"), so every
surface calls these functions and none words an answer itself.

Stored values never change here: time stamps stay UTC ISO text and answers stay in their stored
shape; only the wording does. Times are shown in the workstation's zone as "30 Nov 2026, 17:04"
and the zone is named once per page or document (``zone_name``), not after every time.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import datetime
from functools import lru_cache
from typing import Any

from vpchecklist.clock import parse_utc
from vpchecklist.rules.timing import dose_intervals, hours_text
from vpchecklist.rules.values import is_na
from vpchecklist.templates import Item

NOT_ANSWERED = "Not answered"
NO_KNOWN_ALLERGIES = "No known allergies"
NO_ANTICOAGULANTS = "None taken"

# Month names fixed in English: strftime's %b follows the process locale, which Qt sets from
# the desktop, and the PDF must not depend on the desktop's language.
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_WALL_FORMAT = "%Y-%m-%dT%H:%M"


# ---------------------------------------------------------------------------------------------
# Times


def _words(moment: datetime, seconds: bool = False) -> str:
    clock = f"{moment:%H:%M:%S}" if seconds else f"{moment:%H:%M}"
    return f"{moment.day} {_MONTHS[moment.month - 1]} {moment.year}, {clock}"


def _offset(moment: datetime) -> str:
    raw = moment.strftime("%z") or "+0000"
    return f"{raw[:3]}:{raw[3:5]}"


def _zone_key() -> tuple[tuple[str, str], int, int]:
    """What identifies the process's zone (``time.tzset`` updates it). Caches below are keyed
    on it, so a changed ``TZ`` (a test, the golden PDF in UTC) never gets another zone's words."""
    return time.tzname, time.timezone, time.altzone


@lru_cache(maxsize=8)
def _zone_of(key: tuple[tuple[str, str], int, int]) -> tuple[str, str]:
    now = datetime.now().astimezone()
    return now.tzname() or "", _offset(now)


def _zone_now() -> tuple[str, str]:
    """The workstation zone's abbreviation and UTC offset today (cached: rendering 100,000
    rows must not ask the C library each time)."""
    return _zone_of(_zone_key())


def zone_name() -> str:
    """The workstation's zone as named once per page: ``CET (UTC+01:00)``, or just ``UTC``."""
    name, offset = _zone_now()
    if offset == "+00:00" and name in ("UTC", "GMT", ""):
        return "UTC"
    return f"{name} (UTC{offset})" if name else f"UTC{offset}"


def times_note() -> str:
    """The sentence that names the zone once on a page or in a document."""
    return f"Times are local to this workstation: {zone_name()}."


def local_moment(moment: datetime, seconds: bool = False) -> str:
    """An aware moment (a file's time, a lock's expiry) in the workstation's zone:
    ``30 Nov 2026, 17:04``, with ``seconds`` ``30 Nov 2026, 17:04:19`` (audit trails).

    The zone is named once per page, so it is not repeated here, except when the moment falls
    in the other half of a daylight-saving year (``30 Jun 2026, 18:04 CEST``): then the
    page's zone name would be wrong for it.
    """
    moment = moment.astimezone()
    text = _words(moment, seconds)
    if _offset(moment) != _zone_now()[1]:
        text += f" {moment.tzname()}"
    return text


def local_time(stamp: str | None, seconds: bool = False) -> str:
    """A stored UTC stamp in the workstation's zone, worded as ``local_moment``."""
    if not stamp:
        return ""
    return _local_time(stamp, seconds, _zone_key())


@lru_cache(maxsize=8192)
def _local_time(stamp: str, seconds: bool, zone: tuple[tuple[str, str], int, int]) -> str:
    return local_moment(parse_utc(stamp), seconds)


def local_date(stamp: str | None) -> str:
    """The local day of a stored UTC stamp: ``30 Nov 2026``."""
    if not stamp:
        return ""
    moment = parse_utc(stamp).astimezone()
    return f"{moment.day} {_MONTHS[moment.month - 1]} {moment.year}"


def local_time_with_zone(stamp: str | None) -> str:
    """One time on its own in a sentence (a CLI message): ``30 Nov 2026, 17:04 CET``."""
    if not stamp:
        return ""
    moment = parse_utc(stamp).astimezone()
    return f"{_words(moment)} {moment.tzname()}"


@lru_cache(maxsize=4096)
def utc_stamp(stamp: str | None) -> str:
    """A stored UTC stamp to the second, for columns that are UTC by contract (the CSV's
    ``signed_at_utc``, the PDF's "Signed (UTC)"): ``2026-11-30 16:04:19 UTC``."""
    if not stamp:
        return ""
    return parse_utc(stamp).strftime("%Y-%m-%d %H:%M:%S UTC")


@lru_cache(maxsize=8192)
def wall_time(text: str | None) -> str:
    """A local wall time as entered (``2026-11-30T17:00``: the planned start, a fasting time)
    in words: ``30 Nov 2026, 17:00``. Text that is not such a time is returned as it is."""
    if not text:
        return ""
    try:
        return _words(datetime.strptime(text, _WALL_FORMAT))
    except ValueError:
        return text


_STORED_ZONE = re.compile(r"^(?P<name>\S*) \((?P<offset>[+-]\d\d:\d\d)\)$")


def stored_zone_name(label: str | None) -> str:
    """The zone stored with a record (``CET (+01:00)``, ``UTC (+00:00)``) worded as
    ``zone_name`` words the workstation's: ``CET (UTC+01:00)``, ``UTC``."""
    match = _STORED_ZONE.match(label or "")
    if match is None:
        return label or ""
    name, offset = match["name"], match["offset"]
    if offset == "+00:00" and name in ("UTC", "GMT", ""):
        return "UTC"
    return f"{name} (UTC{offset})" if name else f"UTC{offset}"


# ---------------------------------------------------------------------------------------------
# Answers


def mrn_words(mrn: str) -> str:
    """An MRN with its label once: "MRN 00801", but "MRN00801" as it is (never "MRN MRN00801").
    The value itself is never shortened: it is compared with wristbands and hospital systems."""
    return mrn if mrn.strip().upper().startswith("MRN") else f"MRN {mrn}"


def _number(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _with_unit(text: str, item: Item | None, default: str = "") -> str:
    unit = (item.unit if item is not None else "") or default
    return f"{text} {unit}" if unit else text


def _yes_no(value: Any) -> str:
    return {"yes": "yes", "no": "no"}.get(str(value), str(value))


def _coded_name(entry: dict[str, Any], code: str, label: str | None, asks_name: bool) -> str:
    """A coded agent or drug by its template label, or by the name given for ``other``."""
    given = str(entry.get("name") or "").strip()
    if asks_name and given:
        return given
    return label or given or code


def _allergy(item: Item | None, entry: Any) -> str:
    """One recorded allergy: v1's free text as typed; template v2's coded
    ``{"agent": ID, "reaction": text}`` as ``Latex — hives`` (``other`` by its given name)."""
    if not isinstance(entry, dict):
        return str(entry)
    code = str(entry.get("agent", ""))
    agent = item.agent(code) if item is not None else None
    name = _coded_name(
        entry, code, agent.label if agent else None, agent.asks_name if agent else True
    )
    reaction = str(entry.get("reaction") or "").strip()
    return f"{name} — {reaction}" if reaction else name


def _allergies(item: Item | None, value: Any) -> list[str]:
    if value == "none":
        return [NO_KNOWN_ALLERGIES]
    entries = value if isinstance(value, list) else [value]
    return [_allergy(item, entry) for entry in entries]


def hold_words(hours_before_start: float | None, hold_hours: float | None) -> str:
    """How long before the start a drug was last taken against its hold, as the picker, the
    review page and the PDF say it: ``50 h before the start, hold 72 h``."""
    parts = []
    if hours_before_start is not None:
        parts.append(f"{hours_text(hours_before_start)} h before the start")
    if hold_hours is None:
        parts.append("not in the hold table: the physician confirms the hold")
    else:
        parts.append(f"hold {hours_text(hold_hours)} h")
    return ", ".join(parts)


def _drug(item: Item | None, entry: dict[str, Any], planned_start: str | None = None) -> str:
    """One drug of template v2's coded list (``{"drug": ID, "last_dose": …}``, ``other`` by
    its given name) with its last dose, the hours before the start and the hold:
    ``Apixaban — last dose 8 Mar 2026, 08:00; 50 h before the start, hold 72 h``."""
    code = str(entry.get("drug", ""))
    drug = item.drug(code) if item is not None else None
    name = _coded_name(entry, code, drug.label if drug else None, drug.asks_name if drug else True)
    text = f"{name} — last dose {wall_time(entry.get('last_dose'))}"
    if item is None or drug is None:
        return text
    dose = dose_intervals(item, [entry], planned_start)[0]
    return f"{text}; {hold_words(dose.hours_before_start, dose.hold_hours)}"


def _anticoagulants(item: Item | None, value: Any, planned_start: str | None = None) -> list[str]:
    if value == "none":
        return [NO_ANTICOAGULANTS]
    if isinstance(value, list):
        return [_drug(item, e, planned_start) if isinstance(e, dict) else str(e) for e in value]
    if isinstance(value, dict):  # template v1: one drug, its last dose, held or not
        return [
            str(value.get("drug", "")),
            f"Last dose: {wall_time(value.get('last_dose'))}",
            f"Held: {_yes_no(value.get('held'))}",
        ]
    return [str(value)]


AnswerWords = Callable[[Item | None, Any], list[str]]

# One entry per item kind. A new kind (or a new stored shape of one) is worded by adding or
# extending its function here, and every surface shows it the same way.
KIND_WORDS: dict[str, AnswerWords] = {
    "confirm": lambda item, v: ["Yes" if v == "yes" else "No" if v == "no" else str(v)],
    "choice": lambda item, v: [item.option_label(str(v)) if item is not None else str(v)],
    "number": lambda item, v: [_with_unit(_number(v), item)],
    "datetime": lambda item, v: [wall_time(str(v))],
    "blood_pressure": lambda item, v: [_with_unit(str(v), item, "mmHg")],
    "allergies": _allergies,
    "anticoagulants": _anticoagulants,
}


def answer_lines(item: Item | None, value: Any, planned_start: str | None = None) -> list[str]:
    """A stored answer in words, one line per fact (an allergy or a drug per line).

    ``item`` is None for an item the template no longer has; its value is shown as text.
    ``planned_start`` (the record's) lets a drug say how long before the start it was taken.
    """
    if value is None:
        return [NOT_ANSWERED]
    if is_na(value):
        return [f"N/A — {value['na']}"]
    if item is not None and item.kind == "anticoagulants":
        return _anticoagulants(item, value, planned_start)
    words = KIND_WORDS.get(item.kind if item is not None else "")
    if words is not None:
        return words(item, value)
    return [_plain(v) for v in value] if isinstance(value, list) else [_plain(value)]


def _plain(value: Any) -> str:
    """A value whose item is unknown, readable without its template: ``agent: latex, …``."""
    if isinstance(value, dict):
        return ", ".join(f"{key}: {_plain(part)}" for key, part in value.items())
    return str(value)


def answer_text(
    item: Item | None, value: Any, sep: str = "; ", planned_start: str | None = None
) -> str:
    """``answer_lines`` on one line (a table cell, a CSV field)."""
    return sep.join(answer_lines(item, value, planned_start))


# ---------------------------------------------------------------------------------------------
# People, acknowledgements, signatures


def who(entry: dict[str, Any], prefix: str) -> str:
    """The full name of who answered or acknowledged (``prefix`` ``answered``/``acknowledged``),
    the user name when the record has no full name."""
    return str(entry.get(f"{prefix}_by_name") or entry.get(f"{prefix}_by") or "")


PROVENANCE_WORDS = {"scanned": "scanned", "by_hand": "confirmed by hand"}


def provenance_text(entry: dict[str, Any] | None) -> str:
    """How a confirmation was made ("scanned" from the wristband's barcode, "confirmed by
    hand"), "" for answers that record none: the review page and the PDF print the same."""
    if not entry or not entry.get("provenance"):
        return ""
    return PROVENANCE_WORDS.get(str(entry["provenance"]), str(entry["provenance"]))


def acknowledgement_lines(ack: dict[str, Any]) -> list[str]:
    """An acknowledged warning: who and when, the reason, the physician informed."""
    by = who(ack, "acknowledged")
    when = local_time(ack.get("acknowledged_at"))
    first = "Acknowledged" + (f" by {by}" if by else "") + (f", {when}" if when else "")
    return [
        first,
        f"Reason: {ack.get('reason', '')}",
        f"Physician informed: {ack.get('physician_informed', '')}",
    ]


ROLE_NAMES = {
    "nurse": "Nurse",
    "physician": "Physician",
    "auditor": "Auditor",
    "admin": "Administrator",
}


def role_name(role: str) -> str:
    return ROLE_NAMES.get(role, role)


def signature_fields(signature: dict[str, Any]) -> list[tuple[str, str]]:
    """A signature as (label, words) pairs: the PDF's signature table and the review page's
    signature block show these same pairs."""
    fields = [
        ("Printed name", str(signature["printed_name"])),
        ("Role", role_name(str(signature["role"]))),
        ("Meaning", str(signature["meaning_text"])),
    ]
    if signature.get("reason"):
        label = "Reason for postponement" if signature["meaning"] == "postponed" else "Reason"
        fields.append((label, str(signature["reason"])))
    fields.append(("Signed", local_time(signature["signed_at"])))
    return fields
