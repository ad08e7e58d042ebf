"""Pydantic schema of a checklist template, with the cross-checks a TOML schema cannot express."""

from __future__ import annotations

import string
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Severity = Literal["warning", "stop", "error"]
Kind = Literal[
    "confirm",
    "choice",
    "number",
    "datetime",
    "text",
    "allergies",
    "anticoagulants",
    "blood_pressure",
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def check_placeholders(message: str, allowed: set[str]) -> None:
    """Refuse at load time a message that would fail when the warning is first formatted."""
    try:
        fields = [name for _text, name, _spec, _conv in string.Formatter().parse(message)]
    except ValueError as exc:
        raise ValueError(f"message {message!r} has broken braces ({exc})") from None
    for name in fields:
        if name is not None and name not in allowed:
            shown = ", ".join("{" + a + "}" for a in sorted(allowed)) or "none"
            raise ValueError(f"message placeholder {{{name}}} is unknown (allowed: {shown})")


class _Check(_Strict):
    severity: Severity
    message: str = Field(min_length=1)


class EqualsCheck(_Check):
    type: Literal["equals"]
    value: str


class OneOfCheck(_Check):
    type: Literal["one_of"]
    values: list[str] = Field(min_length=1)


class AboveCheck(_Check):
    """Fires when the number is strictly greater than ``limit``."""

    type: Literal["above"]
    limit: float


class BelowCheck(_Check):
    """Fires when the number is strictly less than ``limit``."""

    type: Literal["below"]
    limit: float


class FieldEqualsCheck(_Check):
    type: Literal["field_equals"]
    field: str
    value: str


class NotAfterPlannedStartCheck(_Check):
    type: Literal["not_after_planned_start"]


class HoursBeforePlannedStartCheck(_Check):
    """Fires when the time is less than the minimum interval before the planned start."""

    type: Literal["hours_before_planned_start"]
    min_hours: float | None = None
    depends_on: str | None = None
    min_hours_by_value: dict[str, float] | None = None

    @model_validator(mode="after")
    def _one_rule(self) -> HoursBeforePlannedStartCheck:
        check_placeholders(self.message, {"hours", "meal"})
        if (self.min_hours is None) == (self.min_hours_by_value is None):
            raise ValueError("give either min_hours or depends_on with min_hours_by_value")
        if self.min_hours_by_value is not None and not self.depends_on:
            raise ValueError("min_hours_by_value needs depends_on")
        return self


class AllergyConflictCheck(_Check):
    type: Literal["allergy_conflict"]
    value: str
    allergy_flag: str


Check = Annotated[
    EqualsCheck
    | OneOfCheck
    | AboveCheck
    | BelowCheck
    | FieldEqualsCheck
    | NotAfterPlannedStartCheck
    | HoursBeforePlannedStartCheck
    | AllergyConflictCheck,
    Field(discriminator="type"),
]


class Option(_Strict):
    id: str = Field(min_length=1)
    label: str = Field(min_length=1)


class BloodPressureRule(_Strict):
    systolic_max_valid: int
    warn_systolic_above: int
    warn_systolic_below: int
    warn_diastolic_above: int
    message: str

    @model_validator(mode="after")
    def _message_fits(self) -> BloodPressureRule:
        check_placeholders(self.message, {"value"})
        return self


class Item(_Strict):
    id: str = Field(pattern=r"^[a-z_]+\.[a-z_0-9]+$")
    kind: Kind
    label: str = Field(min_length=1)
    help: str = ""
    required: bool = False
    na_allowed: bool = False
    unit: str = ""
    min: float | None = None
    max: float | None = None
    decimals: int = Field(default=2, ge=0, le=4)
    options: list[Option] = []
    checks: list[Check] = []
    derived_from: str | None = None
    blood_pressure: BloodPressureRule | None = None

    @property
    def option_ids(self) -> list[str]:
        return [o.id for o in self.options]

    def option_label(self, option_id: str) -> str:
        return next((o.label for o in self.options if o.id == option_id), option_id)

    @model_validator(mode="after")
    def _kind_fits(self) -> Item:
        if self.kind == "choice" and len(self.options) < 2:
            raise ValueError("a choice item needs at least two options")
        if self.kind != "choice" and self.options:
            raise ValueError(f"options are only for choice items, not {self.kind}")
        if self.kind == "blood_pressure" and self.blood_pressure is None:
            raise ValueError("a blood_pressure item needs a [blood_pressure] rule")
        if self.kind == "number" and (self.min is None or self.max is None or self.min >= self.max):
            raise ValueError("a number item needs min < max")
        for check in self.checks:
            self._check_fits(check)
            if not isinstance(check, HoursBeforePlannedStartCheck):
                check_placeholders(check.message, set())
        return self

    def _check_fits(self, check: Check) -> None:
        allowed_values = {"confirm": ["yes", "no"], "choice": self.option_ids}.get(self.kind)
        if isinstance(check, AboveCheck | BelowCheck) and self.kind != "number":
            raise ValueError(f"check '{check.type}' needs a number item")
        if isinstance(check, NotAfterPlannedStartCheck | HoursBeforePlannedStartCheck) and (
            self.kind != "datetime"
        ):
            raise ValueError(f"check '{check.type}' needs a datetime item")
        if isinstance(check, EqualsCheck | AllergyConflictCheck) and (
            allowed_values is None or check.value not in allowed_values
        ):
            raise ValueError(f"check value '{check.value}' is not an answer of this item")
        if isinstance(check, OneOfCheck):
            bad = [v for v in check.values if allowed_values is None or v not in allowed_values]
            if bad:
                raise ValueError(f"check values {bad} are not answers of this item")
        if isinstance(check, FieldEqualsCheck) and self.kind != "anticoagulants":
            raise ValueError("check 'field_equals' needs an anticoagulants item")


class Section(_Strict):
    id: str = Field(pattern=r"^[a-z_]+$")
    title: str = Field(min_length=1)
    subtitle: str = ""
    items: list[Item] = Field(min_length=1)


class LevelRules(_Strict):
    allowed: list[str] = Field(min_length=1)
    regions: dict[str, str]
    upper_thoracic_warning_through: str | None = None
    upper_thoracic_warning: str = ""

    @model_validator(mode="after")
    def _consistent(self) -> LevelRules:
        if len(set(self.allowed)) != len(self.allowed):
            raise ValueError("levels.allowed lists a level twice")
        for level in self.allowed:
            if level[:1] not in self.regions:
                raise ValueError(f"level {level} has no region in levels.regions")
        bound = self.upper_thoracic_warning_through
        if bound is not None and bound not in self.allowed:
            raise ValueError(f"upper_thoracic_warning_through {bound} is not an allowed level")
        return self


class Derivation(_Strict):
    item: str
    by_region: dict[str, str]
    precedence: list[str] = []
    mixed_rule: Literal["precedence", "most_cranial"] = "precedence"
    also_acceptable: dict[str, list[str]] = {}
    mismatch_severity: Severity
    mismatch_message: str
    explanations: dict[str, str] = {}


class AllergyFlag(_Strict):
    id: str
    label: str
    patterns: list[str] = Field(min_length=1)


class CompletionRules(_Strict):
    """Thresholds of the completion-pattern signals ("ticked, not done"): site values kept with
    the template so a record is always judged by the values of the version it was made with.
    A template without a ``[completion]`` table gets these defaults."""

    fast_answer_seconds: float = Field(default=1.5, gt=0)
    rushed_section_min_items: int = Field(default=4, ge=1)
    rushed_section_median_seconds: float = Field(default=1.5, gt=0)
    rushed_total_seconds: float = Field(default=90, gt=0)
    timeout_item: str = "timeout.performed"
    timeout_early_minutes: float = Field(default=60, gt=0)


class Template(_Strict):
    id: str = Field(pattern=r"^[a-z0-9_-]+$")
    version: str = Field(min_length=1)
    title: str
    description: str = ""
    levels: LevelRules
    derivations: dict[str, Derivation] = {}
    allergy_flags: list[AllergyFlag] = []
    sections: list[Section] = Field(min_length=1)
    completion: CompletionRules = CompletionRules()
    #: SHA-256 of the file's bytes; set by the loader, never by the file.
    content_hash: str = ""

    @property
    def items(self) -> list[Item]:
        return [item for section in self.sections for item in section.items]

    def item(self, item_id: str) -> Item | None:
        return self._index().get(item_id)

    def section_of(self, item_id: str) -> Section | None:
        return next((s for s in self.sections if any(i.id == item_id for i in s.items)), None)

    def _index(self) -> dict[str, Item]:
        cached = self.__dict__.get("_item_index")
        if cached is None:
            cached = {item.id: item for item in self.items}
            self.__dict__["_item_index"] = cached
        return cached

    @model_validator(mode="after")
    def _cross_references(self) -> Template:
        seen: set[str] = set()
        section_ids = [s.id for s in self.sections]
        if len(set(section_ids)) != len(section_ids):
            raise ValueError("a section id is used twice")
        for section in self.sections:
            for item in section.items:
                where = f"item {item.id}"
                if item.id in seen:
                    raise ValueError(f"{where}: id used twice")
                seen.add(item.id)
                if not item.id.startswith(section.id + "."):
                    raise ValueError(f"{where}: id must start with its section '{section.id}.'")
                if item.derived_from and item.derived_from not in self.derivations:
                    raise ValueError(f"{where}: unknown derivation '{item.derived_from}'")
        index = {i.id: i for i in self.items}
        flag_ids = {f.id for f in self.allergy_flags}
        for item in self.items:
            for check in item.checks:
                if isinstance(check, HoursBeforePlannedStartCheck) and check.depends_on:
                    dep = index.get(check.depends_on)
                    if dep is None or dep.kind != "choice":
                        raise ValueError(
                            f"item {item.id}: depends_on '{check.depends_on}' is not a choice item"
                        )
                    keys = set(check.min_hours_by_value or {})
                    if keys != set(dep.option_ids):
                        raise ValueError(
                            f"item {item.id}: min_hours_by_value must cover {dep.option_ids}"
                        )
                if isinstance(check, AllergyConflictCheck) and check.allergy_flag not in flag_ids:
                    raise ValueError(f"item {item.id}: unknown allergy flag '{check.allergy_flag}'")
        if "completion" in self.model_fields_set:
            timeout = index.get(self.completion.timeout_item)
            if timeout is None or timeout.kind != "confirm":
                raise ValueError(
                    f"completion.timeout_item '{self.completion.timeout_item}' is not a confirm item"
                )
        regions = set(self.levels.regions.values())
        for name, derivation in self.derivations.items():
            target = index.get(derivation.item)
            if target is None or target.kind != "choice":
                raise ValueError(
                    f"derivation {name}: item '{derivation.item}' is not a choice item"
                )
            if set(derivation.by_region) != regions:
                raise ValueError(
                    f"derivation {name}: by_region must name exactly {sorted(regions)}"
                )
            values = set(derivation.by_region.values()) | set(derivation.precedence)
            for accepted in derivation.also_acceptable.values():
                values |= set(accepted)
            bad = values - set(target.option_ids)
            if bad:
                raise ValueError(f"derivation {name}: {sorted(bad)} are not options of {target.id}")
        return self
