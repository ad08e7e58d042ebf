"""How derivations and section states read on screen (answers: ``vpchecklist.presentation``).

Pure functions over the template and the core's Evaluation: the page shows what the core
decided (requirements, warnings, stops); nothing here decides a clinical rule.
"""

from __future__ import annotations

from vpchecklist.rules.evaluation import Evaluation
from vpchecklist.rules.levels import deciding_levels, region_of
from vpchecklist.templates.model import Item, Section, Template

LEVELS_ID = "levels"  # the warning on the checklist's levels (upper thoracic) has no item


def show_datetime(value: str) -> str:
    """``2026-11-25T10:30`` → ``2026-11-25 10:30``: the text an input field shows for editing
    (the field accepts both). How an answer *reads* is ``vpchecklist.presentation``'s."""
    return value.replace("T", " ", 1)


def derivation_text(template: Template, ev: Evaluation, item: Item) -> str | None:
    """E.g. "Thoracic level T12 → hospital gown, opening at the back".

    The required answer is the core's (``ev.requirements``), and so are the levels that decide
    it (``deciding_levels``), so the nurse sees *why* it is required.
    """
    if not item.derived_from or not ev.levels:
        return None
    required = ev.requirements.get(item.id)
    if required is None:
        return None
    derivation = template.derivations[item.derived_from]
    driving = deciding_levels(derivation, ev.levels, template) or list(ev.levels)
    regions: list[str] = []
    for lvl in driving:
        region = region_of(lvl, template)
        if region not in regions:
            regions.append(region)
    words = "/".join(regions).capitalize()
    plural = "s" if len(driving) > 1 else ""
    explanation = derivation.explanations.get(required) or item.option_label(required)
    text = f"{words} level{plural} {', '.join(driving)} → {explanation}"
    if len(ev.regions) > 1:
        text += f" (levels span {' and '.join(ev.regions)})"
    return text


def recommended_words(template: Template, ev: Evaluation, item: Item) -> tuple[str | None, str]:
    """(option, "recommended for T8") for an item the levels derive; (None, "") otherwise."""
    if not item.derived_from or not ev.levels:
        return None, ""
    required = ev.requirements.get(item.id)
    if required is None:
        return None, ""
    derivation = template.derivations[item.derived_from]
    driving = deciding_levels(derivation, ev.levels, template) or list(ev.levels)
    return required, f"recommended for {', '.join(driving)}"


def physician_choice_text(template: Template, ev: Evaluation, item: Item) -> str | None:
    """For levels in more than one region, when the template follows the most cranial level
    (the pillow), the placement is the physician's choice: say so, and how to record it."""
    if not item.derived_from or not ev.levels or len(ev.regions) < 2:
        return None
    derivation = template.derivations[item.derived_from]
    if derivation.mixed_rule != "most_cranial":
        return None
    required = ev.requirements.get(item.id)
    if required is None:
        return None
    cranial = deciding_levels(derivation, ev.levels, template)[0]
    default = derivation.explanations.get(required) or item.option_label(required)
    return (
        f"Physician's choice — levels span {' and '.join(ev.regions)}. The default follows "
        f"the most cranial level, {cranial}: {default}. If the physician chooses otherwise, "
        "select their choice above and record their reason and name in the form that appears."
    )


def section_item_ids(section: Section, first: bool) -> list[str]:
    ids = [item.id for item in section.items]
    return [LEVELS_ID, *ids] if first else ids


def section_state(section: Section, ev: Evaluation, first: bool = False) -> str:
    """``stop``, ``warning`` (unacknowledged), ``open`` (something missing) or ``complete``."""
    ids = set(section_item_ids(section, first))
    if any(f.item in ids for f in ev.stops) or any(f.item in ids for f in ev.errors):
        return "stop"
    if any(f.item in ids for f in ev.unacknowledged):
        return "warning"
    if any(m in ids for m in ev.missing):
        return "open"
    return "complete"


#: The hard-stop mark: in the bundled DejaVu fonts (the "no entry" sign is not; it drew an empty
#: box in the section list).
STOP_MARK = "✖"
STATE_MARKS = {"stop": STOP_MARK, "warning": "⚠", "open": "○", "complete": "✓"}
STATE_WORDS = {
    "stop": "hard stop",
    "warning": "warning to acknowledge",
    "open": "not complete",
    "complete": "complete",
}


def first_missing(template: Template, ev: Evaluation) -> str | None:
    """The first unanswered item in template order: where an interrupted nurse resumes."""
    missing = set(ev.missing)
    return next((item.id for item in template.items if item.id in missing), None)
