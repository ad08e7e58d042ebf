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


class NoConsequence(_Strict):
    """What a "no" to a confirm item means (spec §6.1): a hard stop or a warning, with its words."""

    severity: Literal["stop", "warning"]
    message: str = Field(min_length=1)


class HoldDrug(_Strict):
    """One row of the anticoagulant hold table (spec §6.2): a hold in hours, or (for a drug not
    in the table, such as ``other``) the warning that asks the physician to confirm the hold."""

    id: str = Field(pattern=r"^[a-z_0-9]+$")
    label: str = Field(min_length=1)
    hold_hours: float | None = Field(default=None, gt=0, le=24 * 60)
    warning: str = ""
    asks_name: bool = False

    @model_validator(mode="after")
    def _has_a_consequence(self) -> HoldDrug:
        if self.hold_hours is None and not self.warning:
            raise ValueError(f"drug '{self.id}' has no hold (hold_hours) and no warning")
        if self.hold_hours is not None and self.warning:
            raise ValueError(f"drug '{self.id}' has both a hold and a warning; give one")
        check_placeholders(self.warning, {"drug"})
        return self


class AgentConsequence(_Strict):
    """What a recorded allergy agent means (spec §6.3). ``banner`` only shows it on every page;
    ``warning`` and ``stop`` fire always, or only when ``when_item`` is answered ``when_value``
    (then the finding is reported on ``when_item``, e.g. the antiseptic)."""

    severity: Literal["banner", "warning", "stop"]
    message: str = ""
    when_item: str | None = None
    when_value: str | None = None

    @model_validator(mode="after")
    def _complete(self) -> AgentConsequence:
        if self.severity != "banner" and not self.message:
            raise ValueError(f"a {self.severity} consequence needs a message")
        if (self.when_item is None) != (self.when_value is None):
            raise ValueError("give both when_item and when_value, or neither")
        if self.severity == "stop" and self.when_item is None:
            raise ValueError("a stop consequence needs when_item and when_value")
        check_placeholders(self.message, {"agent", "reaction"})
        return self


class AllergyAgent(_Strict):
    id: str = Field(pattern=r"^[a-z_0-9]+$")
    label: str = Field(min_length=1)
    asks_name: bool = False
    consequence: AgentConsequence | None = None

    @model_validator(mode="after")
    def _has_a_consequence(self) -> AllergyAgent:
        if self.consequence is None:
            raise ValueError(f"agent '{self.id}' has no consequence (banner, warning or stop)")
        return self


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
    #: A typical reason for N/A on this item, offered as the reason field's placeholder: the
    #: wording is clinical, so it is template data (one item's example never shows on another).
    na_hint: str = ""
    unit: str = ""
    min: float | None = None
    max: float | None = None
    decimals: int = Field(default=2, ge=0, le=4)
    options: list[Option] = []
    checks: list[Check] = []
    derived_from: str | None = None
    blood_pressure: BloodPressureRule | None = None
    #: Confirm items: what "no" means (spec §6.1); required on every required confirm item of a
    #: format-2 template whose "yes" is the safe answer.
    on_no: NoConsequence | None = None
    #: Anticoagulants items (format 2): the hold table, and the warning when a hold is too short.
    drugs: list[HoldDrug] = []
    hold_message: str = ""
    #: Allergies items (format 2): the coded agents and what each means.
    agents: list[AllergyAgent] = []

    @property
    def option_ids(self) -> list[str]:
        return [o.id for o in self.options]

    def option_label(self, option_id: str) -> str:
        return next((o.label for o in self.options if o.id == option_id), option_id)

    def drug(self, drug_id: str) -> HoldDrug | None:
        return next((d for d in self.drugs if d.id == drug_id), None)

    def agent(self, agent_id: str) -> AllergyAgent | None:
        return next((a for a in self.agents if a.id == agent_id), None)

    @property
    def answer_checks(self) -> list[EqualsCheck | OneOfCheck]:
        return [c for c in self.checks if isinstance(c, EqualsCheck | OneOfCheck)]

    def states_meaning_of_answers(self) -> bool:
        """Whether the template says what this confirm item's answers mean: an ``on_no``, or a
        check on an answer (``history.active_infection`` states what "yes" means, so its "no"
        is the safe answer). A required confirm item that states nothing fails closed on "no"."""
        return self.on_no is not None or bool(self.answer_checks)

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
        if self.on_no is not None and self.kind != "confirm":
            raise ValueError("on_no is only for confirm items")
        if (self.drugs or self.hold_message) and self.kind != "anticoagulants":
            raise ValueError("drugs and hold_message are only for anticoagulants items")
        if self.agents and self.kind != "allergies":
            raise ValueError("agents are only for allergies items")
        self._tables_fit()
        if self.on_no is not None:
            check_placeholders(self.on_no.message, set())
        for check in self.checks:
            self._check_fits(check)
            if not isinstance(check, HoursBeforePlannedStartCheck):
                check_placeholders(check.message, set())
        return self

    def _tables_fit(self) -> None:
        for name, ids in (
            ("drug", [d.id for d in self.drugs]),
            ("agent", [a.id for a in self.agents]),
        ):
            twice = sorted({i for i in ids if ids.count(i) > 1})
            if twice:
                raise ValueError(f"{name} '{twice[0]}' is listed twice")
        if self.drugs and not self.hold_message:
            raise ValueError("a hold table needs hold_message")
        check_placeholders(self.hold_message, {"drug", "hours_since", "hours_required"})

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
    #: Spec §6.5: more levels than this raise ``too_many_warning`` ({count} = how many).
    max_count: int | None = Field(default=None, ge=1)
    too_many_warning: str = ""
    #: Spec §6.5: levels with a gap in the ``allowed`` order raise this warning (when set).
    gap_warning: str = ""

    @model_validator(mode="after")
    def _consistent(self) -> LevelRules:
        if len(set(self.allowed)) != len(self.allowed):
            raise ValueError("levels.allowed lists a level twice")
        for level in self.allowed:
            if level[:1] not in self.regions:
                raise ValueError(f"level {level} has no region in levels.regions")
        if self.max_count is not None and not self.too_many_warning:
            raise ValueError("levels.max_count needs too_many_warning")
        check_placeholders(self.too_many_warning, {"count"})
        check_placeholders(self.gap_warning, set())
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
    #: 2 = spec §6: every required confirm item states what "no" means, allergies are coded
    #: agents and anticoagulants are checked against a hold table.
    format: Literal[1, 2] = 1
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
                if self.format >= 2:
                    _format_2_fits(item)
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
            for agent in item.agents:
                _conflict_fits(item, agent, index)
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


def _format_2_fits(item: Item) -> None:
    """The loader's refusals for a format-2 template (spec §6.1–§6.3)."""
    where = f"item {item.id}"
    if item.kind == "confirm" and item.required and not item.states_meaning_of_answers():
        raise ValueError(
            f'{where}: a required confirm item must state what "no" means '
            '(on_no = { severity = "stop" or "warning", message = "…" })'
        )
    if item.kind == "allergies" and not item.agents:
        raise ValueError(f"{where}: an allergies item needs its table of coded agents")
    if item.kind == "anticoagulants" and not item.drugs:
        raise ValueError(f"{where}: an anticoagulants item needs its hold table (drugs)")


def _conflict_fits(item: Item, agent: AllergyAgent, index: dict[str, Item]) -> None:
    consequence = agent.consequence
    if consequence is None or consequence.when_item is None:
        return
    target = index.get(consequence.when_item)
    if target is None or target.kind != "choice":
        raise ValueError(
            f"item {item.id}: agent '{agent.id}' when_item '{consequence.when_item}' "
            "is not a choice item"
        )
    if consequence.when_value not in target.option_ids:
        raise ValueError(
            f"item {item.id}: agent '{agent.id}' when_value '{consequence.when_value}' "
            f"is not an option of {target.id}"
        )
