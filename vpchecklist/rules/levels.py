"""Levels → regions → derived attire and pillow placement (spec §2)."""

from __future__ import annotations

import re
from typing import Any

from vpchecklist.errors import ValidationError
from vpchecklist.templates.model import Derivation, Template

REGION_ORDER = ("thoracic", "lumbar", "sacral")


def parse_levels(raw: Any, template: Template) -> list[str]:
    """Validate a list of levels and return it in cranial-to-caudal order, upper-case."""
    if not isinstance(raw, list) or not raw:
        raise ValidationError("levels", 'give at least one level, e.g. ["L2"]')
    allowed = template.levels.allowed
    seen: list[str] = []
    for entry in raw:
        if not isinstance(entry, str) or not entry.strip():
            raise ValidationError("levels", f"{_show(entry)} is not a level name")
        level = entry.strip().upper()
        if level not in allowed:
            raise ValidationError(
                "levels",
                f"level {_show(entry)} is not allowed; choose from "
                f"{allowed[0]}–{_last_of(allowed, 'T')}, {_range_of(allowed, 'L')}, "
                f"{_range_of(allowed, 'S')}",
            )
        if level in seen:
            raise ValidationError("levels", f"level {level} is listed twice")
        seen.append(level)
    return sorted(seen, key=allowed.index)


def _show(value: Any) -> str:
    text = repr(value) if not isinstance(value, str) else value
    return text if len(text) <= 40 else text[:37] + "…"


def _last_of(allowed: list[str], prefix: str) -> str:
    matching = [lvl for lvl in allowed if lvl.startswith(prefix)]
    return matching[-1] if matching else allowed[-1]


def _range_of(allowed: list[str], prefix: str) -> str:
    matching = [lvl for lvl in allowed if lvl.startswith(prefix)]
    return f"{matching[0]}–{matching[-1]}" if matching else ""


def region_of(level: str, template: Template) -> str:
    return template.levels.regions[level[:1]]


def regions_of(levels: list[str], template: Template) -> list[str]:
    """The set of regions of the levels, cranial to caudal."""
    found = {region_of(level, template) for level in levels}
    ordered = [r for r in REGION_ORDER if r in found]
    return ordered + sorted(found - set(ordered))


def most_cranial_region(levels: list[str], template: Template) -> str:
    first = min(levels, key=template.levels.allowed.index)
    return region_of(first, template)


def derived_answer(derivation: Derivation, levels: list[str], template: Template) -> str:
    """The answer a derivation requires for these levels (e.g. ``gown`` or ``chest``)."""
    if derivation.mixed_rule == "most_cranial":
        return derivation.by_region[most_cranial_region(levels, template)]
    candidates = {derivation.by_region[r] for r in regions_of(levels, template)}
    for preferred in derivation.precedence:
        if preferred in candidates:
            return preferred
    return sorted(candidates)[0]


def is_upper_thoracic(level: str, template: Template) -> bool:
    bound = template.levels.upper_thoracic_warning_through
    if bound is None:
        return False
    allowed = template.levels.allowed
    return allowed.index(level) <= allowed.index(bound)


def has_gap(levels: list[str], template: Template) -> bool:
    """Whether the levels skip one in the allowed order (T12–L1 and L5–S1 are adjacent)."""
    allowed = template.levels.allowed
    positions = sorted(allowed.index(level) for level in levels)
    return any(b - a > 1 for a, b in zip(positions, positions[1:], strict=False))


def level_warnings(levels: list[str], template: Template) -> list[str]:
    """The warnings on ``levels`` (cranial to caudal, valid): upper/mid thoracic (§2), more
    than the template's count and a gap in the order (§6.5). The checklist and the new-checklist
    page show the same sentences."""
    rules = template.levels
    out = []
    upper = [lvl for lvl in levels if is_upper_thoracic(lvl, template)]
    if upper:
        out.append(f"{', '.join(upper)}: {rules.upper_thoracic_warning}")
    if rules.max_count is not None and len(levels) > rules.max_count:
        out.append(rules.too_many_warning.format(count=len(levels)))
    if rules.gap_warning and has_gap(levels, template):
        out.append(rules.gap_warning)
    return out


def deciding_levels(derivation: Derivation, levels: list[str], template: Template) -> list[str]:
    """The levels that decide a derived answer, for "Thoracic level T12 → hospital gown"."""
    if derivation.mixed_rule == "most_cranial":
        return [min(levels, key=template.levels.allowed.index)]
    answer = derived_answer(derivation, levels, template)
    return [lvl for lvl in levels if derivation.by_region[region_of(lvl, template)] == answer]


_LEVEL_TOKEN = re.compile(r"[\s,;/]+")
_LEVEL_RANGE = re.compile(r"^([A-Z])(\d+)-([A-Z])?(\d+)$")


def expand_level_token(token: str, allowed: list[str]) -> list[str] | None:
    """One typed token ("T12", "L2-L4", "T11-L1"; upper case, dashes normalised) → the levels it
    names along the allowed order, or None when it names none. The spine picker and the schedule
    import read typed levels with this one rule."""
    if token in allowed:
        return [token]
    match = _LEVEL_RANGE.match(token)
    if not match:
        return None
    first = f"{match.group(1)}{match.group(2)}"
    last = f"{match.group(3) or match.group(1)}{match.group(4)}"
    if first not in allowed or last not in allowed:
        return None
    a, b = sorted((allowed.index(first), allowed.index(last)))
    return allowed[a : b + 1]


def normalised_level_text(text: str) -> str:
    """Upper case, with any dash (and the spaces around it) written as a plain "-"."""
    return re.sub(r"\s*[-–]\s*", "-", text.strip().upper())


def parse_level_text(text: str, template: Template) -> list[str]:
    """Levels written as text ("T12, L1", "L2-L4", "T11–L1"), as another system sends them:
    ranges expanded along the template's allowed order, then ``parse_levels``' rules."""
    allowed = template.levels.allowed
    levels: list[str] = []
    for token in filter(None, _LEVEL_TOKEN.split(normalised_level_text(text))):
        if not _LEVEL_RANGE.match(token):
            levels.append(token)
            continue
        expanded = expand_level_token(token, allowed)
        if expanded is None:
            raise ValidationError("levels", f"{_show(token)} is not a range of levels")
        levels.extend(lvl for lvl in expanded if lvl not in levels)
    return parse_levels(levels, template)
