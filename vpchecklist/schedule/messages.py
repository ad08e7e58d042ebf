"""HL7 v2 scheduling (SIU^S12/S13/S14/S15/S17) and order (ORM^O01) messages → appointments.

The library is python-hl7 (``hl7`` on PyPI), not hl7apy: it has no dependencies, parses any
v2.x message without a structure definition for its version and event (interfaces send
site-specific segments and versions; hl7apy refuses or needs tolerant mode and message
profiles for those), and its field access (``extract_field``) answers an empty string for a
field the sender left out, which is exactly the question asked here ("is there an MRN?").
hl7apy's validation would add nothing: every field used is checked below with the same rules
as a typed header.

A message becomes one ``ScheduledVisit`` or one ``Refusal`` — never half of one: every field is
read and checked before anything is stored.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import date, datetime

import hl7

from vpchecklist.errors import ValidationError
from vpchecklist.rules.levels import parse_level_text
from vpchecklist.rules.values import DATE_FORMAT, DATETIME_FORMAT, normalize_header_field
from vpchecklist.templates import Template

log = logging.getLogger(__name__)

MLLP_START = "\x0b"
MLLP_END = "\x1c"
_ENVELOPE = ("FHS", "BHS", "FTS", "BTS")
_LEVELS_PREFIX = re.compile(r"^\s*(vertebral\s+)?levels?\s*[:=-]\s*", re.IGNORECASE)
LEVELS_FIELD = re.compile(r"^(NTE|[A-Z][A-Z0-9]{2}-\d{1,3})$")

# Event → what it does to the appointment it names.
_SIU_EVENTS = {"S12": "book", "S13": "book", "S14": "book", "S15": "cancel", "S17": "cancel"}
_ORDER_CONTROL = {"NW": "book", "SC": "book", "XO": "book", "CA": "cancel", "DC": "cancel"}


@dataclass(frozen=True)
class ReadingRules:
    """What the site configures: which PID-3 identifier is the MRN, where levels are sent."""

    mrn_type: str = "MR"
    mrn_authority: str = ""
    levels_field: str = ""  # "OBR-13", "NTE" (NTE-3 comments) or "" (the nurse picks them)


@dataclass(frozen=True)
class ScheduledVisit:
    """One message, read and checked: book (add or update) or cancel the appointment ``key``."""

    control_id: str
    event: str  # e.g. "SIU^S12"
    action: str  # book | cancel
    key: str  # "appointment:<SCH-1>" or "order:<ORC-2>": the same visit across messages
    mrn: str
    name: str = ""
    date_of_birth: str = ""
    planned_start: str = ""
    physician: str = ""
    levels: list[str] = field(default_factory=list)
    note: str = ""  # e.g. levels sent but not understood: left for the nurse


@dataclass(frozen=True)
class Refusal:
    control_id: str
    reason: str


def decode(data: bytes) -> str:
    """A schedule file's text: UTF-8 when it is (MSH-18 UNICODE UTF-8), else Latin-1 (the
    8-bit set HL7 interfaces default to), so no byte makes a whole file unreadable."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def split_messages(text: str) -> list[str]:
    """The messages of a file: MLLP-framed or plain, segments ended by CR, LF or CR LF, batch
    and file envelopes dropped. Segments before any MSH make a message of their own (refused
    when read) rather than being silently joined to a neighbour."""
    plain = text.replace(MLLP_START, "\n").replace(MLLP_END, "\n").lstrip("\ufeff")
    messages: list[list[str]] = []
    orphan = True
    for raw in re.split(r"\r\n|\r|\n", plain):
        line = raw.strip()
        if not line or line[:3] in _ENVELOPE:
            continue
        if line.startswith("MSH"):
            messages.append([line])
            orphan = False
        elif orphan or not messages:
            messages.append([line])
            orphan = True
        else:
            messages[-1].append(line)
    return ["\r".join(segments) for segments in messages]


class _Message:
    """Field access by HL7 position ("PID", 3, repetition, component), unescaped, stripped."""

    def __init__(self, text: str) -> None:
        self.raw = hl7.parse(text)
        self.separators = self.raw.separators

    def _first(self, segment: str) -> hl7.Segment | None:
        # Matched on the whole segment name, not python-hl7's first character of it: a damaged
        # header can split names into components.
        return next((s for s in self.raw if str(s[0]) == segment), None)

    def value(self, segment: str, number: int, repetition: int = 1, component: int = 1) -> str:
        found = self._first(segment)
        if found is None:
            return ""
        try:
            text = found.extract_field(1, number, repetition, component, 1)
        except (IndexError, KeyError):  # the field has fewer parts than asked for: not sent
            return ""
        return str(self.raw.unescape(str(text))).strip()

    def every(self, segment: str, number: int) -> list[str]:
        """The whole field ``number`` of every ``segment`` (NTE comments), unescaped."""
        found = []
        for seg in self.raw:
            if str(seg[0]) == segment and len(seg) > number:
                found.append(str(self.raw.unescape(str(seg[number]))).strip())
        return found

    def repetitions(self, segment: str, number: int) -> int:
        found = self._first(segment)
        if found is None or len(found) <= number:
            return 0
        return len(str(found[number]).split(self.separators[2]))


def _control_id(text: str) -> str:
    """MSH-10 read without the parser, so even a message it cannot parse is named."""
    first = text.split("\r", 1)[0]
    if not first.startswith("MSH") or len(first) < 4:
        return "?"
    parts = first.split(first[3])
    return parts[9].strip()[:60] or "?" if len(parts) > 9 else "?"


def read_message(text: str, rules: ReadingRules, template: Template) -> ScheduledVisit | Refusal:
    """One message → what it asks for, or why it is refused (one sentence, no patient data)."""
    control_id = _control_id(text)
    if not text.startswith("MSH"):
        return Refusal(control_id, "segments without an MSH header are not a message")
    try:
        message = _Message(text)
    except Exception:  # noqa: BLE001 - python-hl7 raises several kinds on garbage
        return Refusal(control_id, "the message cannot be parsed as HL7 v2")
    try:
        return _read(message, control_id, rules, template)
    except ValidationError as error:
        return Refusal(control_id, error.message)
    except Exception as exc:  # noqa: BLE001 - a damaged message is refused, never a crash
        log.warning("schedule message %s unreadable (%s)", control_id, type(exc).__name__)
        return Refusal(control_id, "the message is damaged and cannot be read")


def _read(
    message: _Message, control_id: str, rules: ReadingRules, template: Template
) -> ScheduledVisit:
    kind, trigger = message.value("MSH", 9, 1, 1), message.value("MSH", 9, 1, 2)
    event = f"{kind}^{trigger}"
    if kind == "SIU" and trigger in _SIU_EVENTS:
        action = _SIU_EVENTS[trigger]
        ident = message.value("SCH", 1) or message.value("SCH", 2)
        key = f"appointment:{ident}"
        where = "SCH-1"
    elif kind == "ORM" and trigger == "O01":
        control = message.value("ORC", 1).upper()
        if control not in _ORDER_CONTROL:
            raise ValidationError(
                None, f"order control ORC-1 {control or '(empty)'} is not handled"
            )
        action = _ORDER_CONTROL[control]
        ident = message.value("ORC", 2) or message.value("OBR", 2)
        ident = ident or message.value("ORC", 3) or message.value("OBR", 3)
        key = f"order:{ident}"
        where = "ORC-2"
    else:
        raise ValidationError(None, f"{event} is not a scheduling (SIU) or order (ORM^O01) message")
    if not ident:
        raise ValidationError(None, f"no appointment or order number in {where}")
    mrn = _mrn(message, rules)
    if action == "cancel":
        return ScheduledVisit(control_id, event, action, key, mrn)
    levels, note = _levels(message, rules, template)
    return ScheduledVisit(
        control_id,
        event,
        action,
        key,
        mrn,
        name=_name(message),
        date_of_birth=_birth_date(message),
        planned_start=_planned_start(message, kind),
        physician=_physician(message, kind),
        levels=levels,
        note=note,
    )


def _mrn(message: _Message, rules: ReadingRules) -> str:
    wanted = f"identifier type {rules.mrn_type}" if rules.mrn_type else "an identifier"
    if rules.mrn_authority:
        wanted += f" from {rules.mrn_authority}"
    for repetition in range(1, message.repetitions("PID", 3) + 1):
        ident = message.value("PID", 3, repetition, 1)
        authority = message.value("PID", 3, repetition, 4).split(message.separators[4])[0]
        kind = message.value("PID", 3, repetition, 5)
        if not ident:
            continue
        if rules.mrn_type and kind.upper() != rules.mrn_type.upper():
            continue
        if rules.mrn_authority and authority.upper() != rules.mrn_authority.upper():
            continue
        try:
            return str(normalize_header_field("patient.mrn", ident))
        except ValidationError:
            raise ValidationError(None, "the MRN in PID-3 is not a valid MRN") from None
    raise ValidationError(None, f"no MRN in PID-3 ({wanted})")


def _name(message: _Message) -> str:
    family, given, middle = (message.value("PID", 5, 1, c) for c in (1, 2, 3))
    words = " ".join(w for w in (given, middle, family) if w)
    if not words:
        raise ValidationError(None, "no patient name in PID-5")
    try:
        return str(normalize_header_field("patient.name", words))
    except ValidationError:
        raise ValidationError(None, "the patient name in PID-5 cannot be used") from None


def _hl7_moment(text: str) -> datetime:
    if not re.fullmatch(r"\d{8,14}(\.\d{1,4})?([+-]\d{4})?", text):
        raise ValueError(text)
    return hl7.parse_datetime(text)


def _birth_date(message: _Message) -> str:
    text = message.value("PID", 7)
    if not text:
        raise ValidationError(None, "no birth date in PID-7")
    try:
        born: date = _hl7_moment(text).date()
        return str(normalize_header_field("patient.date_of_birth", born.strftime(DATE_FORMAT)))
    except (ValueError, ValidationError):
        raise ValidationError(None, "the birth date in PID-7 is not a date") from None


def _planned_start(message: _Message, kind: str) -> str:
    if kind == "SIU":
        sources = [("SCH-11", message.value("SCH", 11, 1, 4)), ("AIS-4", message.value("AIS", 4))]
    else:
        sources = [("OBR-7", message.value("OBR", 7)), ("OBR-27", message.value("OBR", 27, 1, 4))]
    for where, text in sources:
        if not text:
            continue
        if len(text) < 12:
            raise ValidationError(None, f"the planned start in {where} has no time of day")
        try:
            moment = _hl7_moment(text)
        except ValueError:
            raise ValidationError(None, f"the planned start in {where} is not a date") from None
        if moment.tzinfo is not None:  # an instant: shown as the workstation's wall time
            moment = moment.astimezone().replace(tzinfo=None)
        return moment.strftime(DATETIME_FORMAT)
    names = " or ".join(where for where, _ in sources)
    raise ValidationError(None, f"no planned start in {names}")


def _physician(message: _Message, kind: str) -> str:
    """AIP-3 (the first scheduled person) or OBR-16 (ordering provider), as "Dr Given Family"."""
    segment, number = ("AIP", 3) if kind == "SIU" else ("OBR", 16)
    family, given, prefix = (message.value(segment, number, 1, c) for c in (2, 3, 6))
    words = " ".join(w for w in (prefix, given, family) if w)
    return words[:200]


def _levels(message: _Message, rules: ReadingRules, template: Template) -> tuple[list[str], str]:
    """Levels from the site's field, with the typed-levels rules; anything not understood is
    left for the nurse (with a note), never guessed."""
    where = rules.levels_field
    if not where:
        return [], ""
    if where == "NTE":
        texts = message.every("NTE", 3)
    else:
        segment, number = where.split("-")
        texts = [message.value(segment, int(number))]
    texts = [_LEVELS_PREFIX.sub("", t) for t in texts if t]
    for text in texts:
        try:
            return parse_level_text(text, template), ""
        except ValidationError:
            continue
    if texts:
        return [], f"the levels in {where} are not understood; the nurse picks them"
    return [], ""
