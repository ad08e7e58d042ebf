"""Evaluate a checklist document: derived requirements, warnings, stops, errors, missing items.

A *document* has the shape of the ``evaluate`` file (spec and issue contract): ``patient``,
``levels``, ``planned_start``, ``physician``, ``answers`` and ``acknowledgements``. Stored
checklists are turned into the same shape, so the CLI, the services and the UI share one
evaluation and can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from vpchecklist.errors import ValidationError
from vpchecklist.rules.allergies import agent_banners, agent_findings, substring_flags
from vpchecklist.rules.levels import derived_answer, level_warnings, parse_levels, regions_of
from vpchecklist.rules.timing import DoseInterval, dose_intervals, elapsed_hours, hours_text
from vpchecklist.rules.values import (
    clean_text,
    is_na,
    normalize_answer,
    normalize_header_field,
    show,
)
from vpchecklist.templates.loader import bundled_for_document
from vpchecklist.templates.model import (
    AboveCheck,
    AllergyConflictCheck,
    BelowCheck,
    EqualsCheck,
    FieldEqualsCheck,
    HoursBeforePlannedStartCheck,
    Item,
    NotAfterPlannedStartCheck,
    OneOfCheck,
    Template,
)

DOCUMENT_KEYS = {
    "patient",
    "levels",
    "planned_start",
    "physician",
    "answers",
    "acknowledgements",
    "template_version",
}
PATIENT_KEYS = ("name", "date_of_birth", "mrn")


@dataclass(frozen=True)
class Finding:
    item: str
    message: str

    def to_json(self) -> dict[str, str]:
        return {"item": self.item, "message": self.message}


@dataclass
class Evaluation:
    levels: list[str] | None = None
    regions: list[str] = field(default_factory=list)
    requirements: dict[str, str | None] = field(default_factory=dict)
    warnings: list[Finding] = field(default_factory=list)
    stops: list[Finding] = field(default_factory=list)
    errors: list[Finding] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    acknowledged: set[str] = field(default_factory=set)
    allergy_flags: list[dict[str, Any]] = field(default_factory=list)
    answers: dict[str, Any] = field(default_factory=dict)
    header: dict[str, Any] = field(default_factory=dict)
    template_version: str = ""
    #: Each recorded anticoagulant against its hold (v2), for the review page and the PDF.
    doses: list[DoseInterval] = field(default_factory=list)

    @property
    def unacknowledged(self) -> list[Finding]:
        return [w for w in self.warnings if w.item not in self.acknowledged]

    @property
    def ready_to_sign(self) -> bool:
        return not (self.errors or self.stops or self.missing or self.unacknowledged)

    def blockers(self) -> list[str]:
        """Plain sentences: everything that keeps this checklist from being signed as ready."""
        out = [f"error in {f.item}: {f.message}" for f in self.errors]
        out += [f"missing: {item_id}" for item_id in self.missing]
        out += [f"hard stop on {f.item}: {f.message}" for f in self.stops]
        out += [f"warning not acknowledged on {f.item}: {f.message}" for f in self.unacknowledged]
        return out

    def findings_for(self, item_id: str) -> dict[str, list[str]]:
        pick = lambda xs: [f.message for f in xs if f.item == item_id]  # noqa: E731
        return {
            "warnings": pick(self.warnings),
            "stops": pick(self.stops),
            "errors": pick(self.errors),
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "levels": self.levels,
            "regions": self.regions,
            "requirements": self.requirements,
            "warnings": [
                dict(w.to_json(), acknowledged=w.item in self.acknowledged) for w in self.warnings
            ],
            "stops": [s.to_json() for s in self.stops],
            "errors": [e.to_json() for e in self.errors],
            "missing": self.missing,
            "allergy_flags": self.allergy_flags,
            "anticoagulant_holds": [d.to_json() for d in self.doses],
            "template_version": (
                int(self.template_version)
                if self.template_version.isdigit()
                else self.template_version
            ),
            "ready_to_sign": self.ready_to_sign,
        }


def allergy_flags(template: Template, answers: dict[str, Any]) -> list[dict[str, Any]]:
    """The allergy banner: v2's recorded agents, or v1's recognised substring flags."""
    for item in template.items:
        if item.kind == "allergies" and item.agents:
            return agent_banners(item, answers.get(item.id))
    return substring_flags(template, answers.get("history.allergies"))


def _header(doc: dict[str, Any], ev: Evaluation, today: date | None) -> None:
    patient = doc.get("patient")
    if patient is not None and not isinstance(patient, dict):
        ev.errors.append(Finding("patient", "must be an object with name, date_of_birth and mrn"))
        patient = None
    patient = patient or {}
    for key in patient:
        if key not in PATIENT_KEYS:
            ev.errors.append(Finding(f"patient.{key}", "unknown patient field"))
    fields = [(f"patient.{k}", patient.get(k)) for k in PATIENT_KEYS]
    fields += [("planned_start", doc.get("planned_start")), ("physician", doc.get("physician"))]
    for name, raw in fields:
        if raw is None:
            ev.missing.append(name)
            continue
        try:
            ev.header[name] = normalize_header_field(name, raw, today)
        except ValidationError as exc:
            ev.errors.append(Finding(name, exc.message))


def _levels(doc: dict[str, Any], template: Template, ev: Evaluation) -> None:
    raw = doc.get("levels")
    if raw is None:
        ev.missing.append("levels")
        return
    try:
        ev.levels = parse_levels(raw, template)
    except ValidationError as exc:
        ev.errors.append(Finding("levels", exc.message))
        return
    ev.regions = regions_of(ev.levels, template)
    ev.warnings += [Finding("levels", text) for text in level_warnings(ev.levels, template)]


def _answers(doc: dict[str, Any], template: Template, ev: Evaluation) -> set[str]:
    raw_answers = doc.get("answers", {})
    invalid: set[str] = set()
    if not isinstance(raw_answers, dict):
        ev.errors.append(Finding("answers", "must be an object mapping item ids to answers"))
        return invalid
    for item_id, raw in raw_answers.items():
        item = template.item(item_id)
        if item is None:
            ev.errors.append(Finding(str(item_id), "unknown item id"))
            continue
        try:
            ev.answers[item_id] = normalize_answer(item, raw)
        except ValidationError as exc:
            ev.errors.append(Finding(item_id, exc.message))
            invalid.add(item_id)
    return invalid


def _acknowledgements(doc: dict[str, Any], template: Template, ev: Evaluation) -> None:
    raw = doc.get("acknowledgements", {})
    if not isinstance(raw, dict):
        ev.errors.append(Finding("acknowledgements", "must be an object keyed by item id"))
        return
    for item_id, ack in raw.items():
        if item_id != "levels" and template.item(item_id) is None:
            ev.errors.append(Finding(str(item_id), "acknowledgement for an unknown item id"))
            continue
        try:
            if not isinstance(ack, dict):
                raise ValidationError(
                    item_id, "an acknowledgement needs a reason and physician_informed"
                )
            clean_text(item_id, ack.get("reason"), "the acknowledgement reason")
            clean_text(item_id, ack.get("physician_informed"), "the physician informed")
        except ValidationError as exc:
            ev.errors.append(Finding(item_id, exc.message))
            continue
        ev.acknowledged.add(item_id)


def _hours_before(value: str, planned: str) -> float:
    return elapsed_hours(value, planned)


def _fmt(number: float) -> str:
    return f"{number:g}"


def _check_item(item: Item, value: Any, ev: Evaluation, template: Template) -> None:
    planned = ev.header.get("planned_start")
    for check in item.checks:
        fired: str | None = None
        if (
            isinstance(check, EqualsCheck)
            and value == check.value
            or isinstance(check, OneOfCheck)
            and value in check.values
            or isinstance(check, AboveCheck)
            and value > check.limit
            or isinstance(check, BelowCheck)
            and value < check.limit
        ):
            fired = check.message
        elif isinstance(check, FieldEqualsCheck) and isinstance(value, dict):
            fired = check.message if value.get(check.field) == check.value else None
        elif isinstance(check, NotAfterPlannedStartCheck) and planned:
            fired = check.message if _hours_before(value, planned) < 0 else None
        elif isinstance(check, HoursBeforePlannedStartCheck) and planned:
            fired = _fasting(check, value, planned, ev)
        elif isinstance(check, AllergyConflictCheck) and value == check.value:
            flags = {f["id"] for f in ev.allergy_flags}
            fired = check.message if check.allergy_flag in flags else None
        if fired:
            _record(ev, check.severity, Finding(item.id, fired))
    if item.kind == "confirm" and value == "no":
        _confirm_no(item, ev)
    if item.drugs:
        _holds(item, value, ev)
    if item.blood_pressure is not None and isinstance(value, str):
        rule = item.blood_pressure
        systolic, diastolic = (int(part) for part in value.split("/"))
        if (
            systolic > rule.warn_systolic_above
            or systolic < rule.warn_systolic_below
            or diastolic > rule.warn_diastolic_above
        ):
            ev.warnings.append(Finding(item.id, rule.message.format(value=value)))
    if item.derived_from and ev.levels:
        derivation = template.derivations[item.derived_from]
        required = derived_answer(derivation, ev.levels, template)
        acceptable = [required, *derivation.also_acceptable.get(required, [])]
        if value not in acceptable:
            _record(ev, derivation.mismatch_severity, Finding(item.id, derivation.mismatch_message))


def _confirm_no(item: Item, ev: Evaluation) -> None:
    """Spec §6.1: "no" means what the template states; a required item that states nothing
    fails closed (a hard stop), in every template version."""
    if item.on_no is not None:
        _record(ev, item.on_no.severity, Finding(item.id, item.on_no.message))
    elif item.required and not item.states_meaning_of_answers():
        ev.stops.append(Finding(item.id, f"{item.label}: answered no"))


def _holds(item: Item, value: Any, ev: Evaluation) -> None:
    """Spec §6.2: each drug against its hold; a dose after the start is an input error."""
    doses = dose_intervals(item, value, ev.header.get("planned_start"))
    ev.doses = doses
    for dose in doses:
        if dose.after_start:
            ev.errors.append(
                Finding(item.id, f"{dose.name}: the last dose is after the planned start")
            )
        elif dose.too_short:
            assert dose.hours_before_start is not None and dose.hold_hours is not None
            message = item.hold_message.format(
                drug=dose.name,
                hours_since=hours_text(dose.hours_before_start),
                hours_required=hours_text(dose.hold_hours),
            )
            ev.warnings.append(Finding(item.id, message))
        elif dose.hold_hours is None:
            drug = item.drug(dose.drug)
            if drug is not None and drug.warning:
                ev.warnings.append(Finding(item.id, drug.warning.format(drug=dose.name)))


def _fasting(
    check: HoursBeforePlannedStartCheck, value: str, planned: str, ev: Evaluation
) -> str | None:
    hours = _hours_before(value, planned)
    if hours < 0:
        return None  # already an input error
    detail = {"meal": ""}
    minimum = check.min_hours
    if minimum is None and check.depends_on and check.min_hours_by_value:
        choice = ev.answers.get(check.depends_on)
        if not isinstance(choice, str):
            # Unknown meal type: judge by the strictest interval so nothing slips through.
            minimum = max(check.min_hours_by_value.values())
            detail["meal"] = "meal type not given"
        else:
            minimum = check.min_hours_by_value[choice]
            detail["meal"] = choice
    assert minimum is not None
    if hours < minimum:
        return check.message.format(hours=_fmt(minimum), meal=detail["meal"])
    return None


def _record(ev: Evaluation, severity: str, finding: Finding) -> None:
    {"warning": ev.warnings, "stop": ev.stops, "error": ev.errors}[severity].append(finding)


def evaluate(template: Template, doc: Any, today: date | None = None) -> Evaluation:
    """Evaluate a checklist document against a template; never raises on content problems.

    Only a document that is not a JSON object at all raises ``ValidationError``.
    """
    if not isinstance(doc, dict):
        raise ValidationError(None, f"The checklist must be a JSON object, not {show(doc)}.")
    ev = Evaluation(template_version=template.version)
    for key in doc:
        if key not in DOCUMENT_KEYS:
            ev.errors.append(Finding(str(key), "unknown field in the checklist file"))
    _header(doc, ev, today)
    _levels(doc, template, ev)
    invalid = _answers(doc, template, ev)
    ev.allergy_flags = allergy_flags(template, ev.answers)
    if ev.levels:
        ev.requirements = {
            d.item: derived_answer(d, ev.levels, template) for d in template.derivations.values()
        }
    else:
        ev.requirements = {d.item: None for d in template.derivations.values()}
    for item in template.items:
        value = ev.answers.get(item.id)
        if value is None:
            if item.required and item.id not in invalid:
                ev.missing.append(item.id)
            continue
        if not is_na(value):
            _check_item(item, value, ev, template)
            for found in agent_findings(item, value, ev.answers):
                _record(ev, found.severity, Finding(found.item, found.message))
    _acknowledgements(doc, template, ev)
    order = {item.id: n for n, item in enumerate(template.items)}
    for findings in (ev.warnings, ev.stops, ev.errors):
        findings.sort(key=lambda f: order.get(f.item, -1))
    return ev


def evaluate_document(doc: Any, today: date | None = None) -> Evaluation:
    """Evaluate a checklist file against the bundled template it pins with
    ``"template_version"``, else the active bundled one (``ValidationError`` for an unknown
    version: there is nothing to evaluate against)."""
    if not isinstance(doc, dict):
        raise ValidationError(None, f"The checklist must be a JSON object, not {show(doc)}.")
    return evaluate(bundled_for_document(doc), doc, today)
