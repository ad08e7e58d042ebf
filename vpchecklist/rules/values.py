"""Turn raw answer values into their canonical form, or refuse them with a specific sentence.

The canonical forms are the ones in spec §3; they are what the database stores, what the
record hash covers and what the CLI prints.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from typing import Any

from vpchecklist.errors import ValidationError
from vpchecklist.rules.unsafe_text import neutralised, unsafe_text_problem
from vpchecklist.templates.model import Item

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
DATE_FORMAT = "%Y-%m-%d"
MAX_TEXT = 1000
MAX_NAME = 200
_DATETIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_BP_RE = re.compile(r"^\s*(\d{1,3})\s*/\s*(\d{1,3})\s*$")
_MRN_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,31}$")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
_EARLIEST_YEAR = 1900
_LATEST_YEAR = 2100


def show(value: Any, limit: int = 40) -> str:
    """A short, safe rendering of a bad value for an error message."""
    try:
        text = value if isinstance(value, str) else repr(value)
    except ValueError:  # an integer too long to write out
        text = "a very long number"
    text = neutralised(_CONTROL_RE.sub("�", text))
    return f'"{text}"' if len(text) <= limit else f'"{text[: limit - 1]}…"'


def clean_text(item_id: str, raw: Any, what: str, limit: int = MAX_TEXT) -> str:
    if not isinstance(raw, str):
        raise ValidationError(item_id, f"{what} must be text, not {show(raw)}")
    text = raw.strip()
    if not text:
        raise ValidationError(item_id, f"{what} must not be empty")
    if len(text) > limit:
        raise ValidationError(
            item_id, f"{what} is too long ({len(text)} characters, at most {limit})"
        )
    if _CONTROL_RE.search(text.replace("\n", " ").replace("\t", " ")):
        raise ValidationError(item_id, f"{what} contains control characters")
    problem = unsafe_text_problem(text)
    if problem is not None:
        raise ValidationError(item_id, f"{what} contains {problem}")
    return text


def parse_datetime(item_id: str, raw: Any) -> datetime:
    """Parse a local ``YYYY-MM-DDTHH:MM`` time; seconds and zones are refused, not guessed."""
    if not isinstance(raw, str) or not _DATETIME_RE.match(raw.strip()):
        raise ValidationError(item_id, f"{show(raw)} is not a date and time like 2026-11-25T10:30")
    try:
        value = datetime.strptime(raw.strip(), DATETIME_FORMAT)
    except ValueError as exc:
        raise ValidationError(item_id, f"{show(raw)} is not a real date and time") from exc
    if not _EARLIEST_YEAR <= value.year <= _LATEST_YEAR:
        raise ValidationError(item_id, f"{show(raw)} is not a plausible year")
    return value


def parse_date(item_id: str, raw: Any, today: date | None = None) -> date:
    if not isinstance(raw, str) or not _DATE_RE.match(raw.strip()):
        raise ValidationError(item_id, f"{show(raw)} is not a date like 1948-03-02")
    try:
        value = datetime.strptime(raw.strip(), DATE_FORMAT).date()
    except ValueError as exc:
        raise ValidationError(item_id, f"{show(raw)} is not a real date") from exc
    if value.year < _EARLIEST_YEAR:
        raise ValidationError(item_id, f"{show(raw)} is before {_EARLIEST_YEAR}")
    if value > (today or date.today()):
        raise ValidationError(item_id, f"{show(raw)} is in the future")
    return value


_NUMBER_RE = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", re.ASCII)
MAX_DIGITS = 30


def parse_number(item_id: str, raw: Any) -> float | int:
    """A finite JSON number, or a plain decimal string (no digit grouping, ASCII digits only)."""
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        raise ValidationError(item_id, f"{show(raw)} is not a number")
    number: float | int
    too_long = f"a number with more than {MAX_DIGITS} digits is not accepted"
    if isinstance(raw, int) and abs(raw) >= 10**MAX_DIGITS:  # str() of a huge int may fail
        raise ValidationError(item_id, too_long)
    if isinstance(raw, str):
        text = raw.strip()
        if not _NUMBER_RE.fullmatch(text):
            raise ValidationError(item_id, f"{show(raw)} is not a number")
        if sum(c.isdigit() for c in text) > MAX_DIGITS:  # before int(): 4,300 digits fail
            raise ValidationError(item_id, too_long)
        number = int(text) if text.lstrip("+-").isdigit() else float(text)
    else:
        number = raw
    try:
        finite = math.isfinite(float(number))
    except OverflowError:
        finite = False
    if not finite:
        raise ValidationError(item_id, f"{show(raw)} is not a number")
    return number


def parse_blood_pressure(item_id: str, raw: Any, systolic_max: int) -> tuple[int, int]:
    if not isinstance(raw, str) or not _BP_RE.match(raw):
        raise ValidationError(item_id, f"{show(raw)} is not a blood pressure like 132/78")
    match = _BP_RE.match(raw)
    assert match is not None
    systolic, diastolic = int(match.group(1)), int(match.group(2))
    if systolic <= diastolic:
        raise ValidationError(
            item_id, f"systolic {systolic} must be higher than diastolic {diastolic}"
        )
    if systolic > systolic_max:
        raise ValidationError(
            item_id, f"systolic {systolic} mmHg is impossible (at most {systolic_max})"
        )
    return systolic, diastolic


def _format_number(value: float | int) -> str:
    return f"{value:g}"


def normalize_value(item: Item, raw: Any) -> Any:
    """Validate a (non-N/A) answer for ``item`` and return its canonical form."""
    iid = item.id
    if item.kind == "confirm":
        if isinstance(raw, str) and raw.strip().lower() in ("yes", "no"):
            return raw.strip().lower()
        raise ValidationError(iid, f'answer "yes" or "no", not {show(raw)}')
    if item.kind == "choice":
        if isinstance(raw, str) and raw.strip() in item.option_ids:
            return raw.strip()
        choices = ", ".join(f'"{o}"' for o in item.option_ids)
        raise ValidationError(iid, f"choose one of {choices}, not {show(raw)}")
    if item.kind == "number":
        number = parse_number(iid, raw)
        assert item.min is not None and item.max is not None
        if not item.min <= number <= item.max:
            unit = f" {item.unit}" if item.unit else ""
            raise ValidationError(
                iid,
                f"{item.label} {_format_number(number)}{unit} is impossible "
                f"(accepted {_format_number(item.min)}–{_format_number(item.max)}{unit})",
            )
        return number
    if item.kind == "datetime":
        return parse_datetime(iid, raw).strftime(DATETIME_FORMAT)
    if item.kind == "text":
        return clean_text(iid, raw, item.label)
    if item.kind == "blood_pressure":
        assert item.blood_pressure is not None
        systolic, diastolic = parse_blood_pressure(iid, raw, item.blood_pressure.systolic_max_valid)
        return f"{systolic}/{diastolic}"
    if item.kind == "allergies":
        if item.agents:
            return _normalize_coded_allergies(item, raw)
        return _normalize_allergies(iid, raw)
    if item.kind == "anticoagulants":
        if item.drugs:
            return _normalize_coded_anticoagulants(item, raw)
        return _normalize_anticoagulants(iid, raw)
    raise ValidationError(iid, f"unsupported kind {item.kind}")  # pragma: no cover


MAX_ENTRIES = 50


def _entries(iid: str, raw: Any, what: str) -> list[dict[str, Any]] | None:
    """``None`` for "none", else the list of entry objects (each still to be checked)."""
    if isinstance(raw, str) and raw.strip().lower() == "none":
        return None
    if not isinstance(raw, list) or not raw:
        raise ValidationError(iid, f'give "none" or a list of {what}, not {show(raw)}')
    if len(raw) > MAX_ENTRIES:
        raise ValidationError(iid, f"at most {MAX_ENTRIES} {what} can be listed")
    for n, entry in enumerate(raw, 1):
        if not isinstance(entry, dict):
            raise ValidationError(iid, f"entry {n} must be an object, not {show(entry)}")
    return raw


def _coded(
    iid: str, entry: dict[str, Any], n: int, key: str, fields: set[str], known: dict[str, bool]
) -> dict[str, str]:
    """Check one coded entry: its id is in the template's table, ``name`` only (and always)
    for an entry that asks for one (``other``), no unknown fields."""
    unknown = set(entry) - fields - {key, "name"}
    if unknown:
        raise ValidationError(iid, f"entry {n}: unknown field {show(sorted(unknown)[0])}")
    code = entry.get(key)
    if not isinstance(code, str) or code.strip() not in known:
        choices = ", ".join(known)
        raise ValidationError(iid, f"entry {n}: {show(code)} is not a known {key} ({choices})")
    code = code.strip()
    out = {key: code}
    if known[code]:
        out["name"] = clean_text(iid, entry.get("name"), f"entry {n}: the name", MAX_NAME)
    elif "name" in entry:
        raise ValidationError(iid, f'entry {n}: only "other" takes a name')
    return out


def _normalize_coded_allergies(item: Item, raw: Any) -> Any:
    iid = item.id
    entries = _entries(iid, raw, "allergies")
    if entries is None:
        return "none"
    known = {a.id: a.asks_name for a in item.agents}
    out = []
    for n, entry in enumerate(entries, 1):
        value = _coded(iid, entry, n, "agent", {"reaction"}, known)
        value["reaction"] = clean_text(
            iid, entry.get("reaction"), f"entry {n}: the reaction", MAX_NAME
        )
        out.append(value)
    return out


def _normalize_coded_anticoagulants(item: Item, raw: Any) -> Any:
    iid = item.id
    entries = _entries(iid, raw, "drugs")
    if entries is None:
        return "none"
    known = {d.id: d.asks_name for d in item.drugs}
    out = []
    for n, entry in enumerate(entries, 1):
        value = _coded(iid, entry, n, "drug", {"last_dose"}, known)
        if "last_dose" not in entry:
            raise ValidationError(iid, f'entry {n}: the field "last_dose" is missing')
        value["last_dose"] = parse_datetime(iid, entry["last_dose"]).strftime(DATETIME_FORMAT)
        out.append(value)
    return out


def _normalize_allergies(iid: str, raw: Any) -> Any:
    if isinstance(raw, str) and raw.strip().lower() == "none":
        return "none"
    if not isinstance(raw, list) or not raw:
        raise ValidationError(iid, f'give "none" or a list of allergies, not {show(raw)}')
    if len(raw) > 50:
        raise ValidationError(iid, "at most 50 allergies can be listed")
    return [clean_text(iid, entry, "an allergy", MAX_NAME) for entry in raw]


def _normalize_anticoagulants(iid: str, raw: Any) -> Any:
    if isinstance(raw, str) and raw.strip().lower() == "none":
        return "none"
    if not isinstance(raw, dict):
        raise ValidationError(
            iid, f'give "none" or the drug, its last dose and whether it was held, not {show(raw)}'
        )
    unknown = set(raw) - {"drug", "last_dose", "held"}
    if unknown:
        raise ValidationError(iid, f"unknown field {show(sorted(unknown)[0])}")
    for field in ("drug", "last_dose", "held"):
        if field not in raw:
            raise ValidationError(iid, f'the field "{field}" is missing')
    held = raw["held"]
    if not (isinstance(held, str) and held.strip().lower() in ("yes", "no")):
        raise ValidationError(iid, f'"held" must be "yes" or "no", not {show(held)}')
    return {
        "drug": clean_text(iid, raw["drug"], "the drug", MAX_NAME),
        "last_dose": parse_datetime(iid, raw["last_dose"]).strftime(DATETIME_FORMAT),
        "held": held.strip().lower(),
    }


def normalize_answer(item: Item, raw: Any) -> Any:
    """Canonical form of an answer, N/A included (``{"na": "reason"}``)."""
    if isinstance(raw, dict) and "na" in raw:
        if not item.na_allowed:
            raise ValidationError(item.id, "this item cannot be marked not applicable")
        if set(raw) != {"na"}:
            raise ValidationError(item.id, 'an N/A answer is only {"na": "reason"}')
        reason = raw["na"]
        if not isinstance(reason, str) or not reason.strip():
            raise ValidationError(item.id, "N/A needs a reason")
        return {"na": clean_text(item.id, reason, "the N/A reason")}
    return normalize_value(item, raw)


def is_na(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {"na"}


HEADER_FIELDS = (
    "patient.name",
    "patient.date_of_birth",
    "patient.mrn",
    "levels",
    "planned_start",
    "physician",
)


def normalize_header_field(field: str, raw: Any, today: date | None = None) -> Any:
    """Canonical form of one header field (levels are handled by ``parse_levels``)."""
    if field == "patient.name":
        return clean_text(field, raw, "the patient's name", MAX_NAME)
    if field == "patient.date_of_birth":
        return parse_date(field, raw, today).strftime(DATE_FORMAT)
    if field == "patient.mrn":
        if not isinstance(raw, str) or not _MRN_RE.match(raw.strip()):
            raise ValidationError(
                field, f"{show(raw)} is not an MRN (1–32 letters, digits, '.', '_', '/' or '-')"
            )
        return raw.strip()
    if field == "planned_start":
        return parse_datetime(field, raw).strftime(DATETIME_FORMAT)
    if field == "physician":
        return clean_text(field, raw, "the physician's name", MAX_NAME)
    raise ValidationError(field, "unknown header field")


def normalize_header(raw: dict[str, Any], today: date | None = None) -> dict[str, Any]:
    """Validate a complete header (patient, planned start, physician; not levels)."""
    patient = raw.get("patient")
    if not isinstance(patient, dict):
        raise ValidationError("patient", "give the patient's name, date_of_birth and mrn")
    out: dict[str, Any] = {}
    for field in HEADER_FIELDS:
        if field == "levels":
            continue
        value = patient.get(field.split(".")[1]) if field.startswith("patient.") else raw.get(field)
        if value is None:
            raise ValidationError(field, "is missing")
        out[field] = normalize_header_field(field, value, today)
    return out
