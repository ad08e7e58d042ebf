"""Allergies: v1's substring flags, and v2's coded agents with fixed consequences (spec §6.3)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from vpchecklist.templates.model import Item, Template


def substring_flags(template: Template, allergies: Any) -> list[dict[str, Any]]:
    """v1: recognised allergy flags (case-insensitive substring match), in template order."""
    if not isinstance(allergies, list):
        return []
    out = []
    for flag in template.allergy_flags:
        matches = [
            a
            for a in allergies
            if isinstance(a, str) and any(p.lower() in a.lower() for p in flag.patterns)
        ]
        if matches:
            out.append({"id": flag.id, "label": flag.label, "matches": matches})
    return out


def agent_banners(item: Item, value: Any) -> list[dict[str, Any]]:
    """v2: every recorded agent, in the order recorded, for the banner on every page.

    ``matches`` holds the reaction so a banner reads "Latex (urticaria)" as v1's did.
    """
    if not item.agents or not isinstance(value, list):
        return []
    out = []
    for entry in value:
        agent = item.agent(entry["agent"])
        if agent is None:  # pragma: no cover - refused by normalisation
            continue
        out.append(
            {
                "id": agent.id,
                "label": entry.get("name") or agent.label,
                "reaction": entry["reaction"],
                "matches": [entry["reaction"]],
            }
        )
    return out


@dataclass(frozen=True)
class AgentFinding:
    severity: str
    item: str
    message: str


def agent_findings(item: Item, value: Any, answers: dict[str, Any]) -> list[AgentFinding]:
    """v2: the warnings (on the allergies item) and the stops (on the answer they conflict
    with, e.g. the antiseptic) of the recorded agents."""
    if not item.agents or not isinstance(value, list):
        return []
    out = []
    for entry in value:
        agent = item.agent(entry["agent"])
        consequence = agent.consequence if agent is not None else None
        if agent is None or consequence is None or consequence.severity == "banner":
            continue
        name = entry.get("name") or agent.label
        message = consequence.message.format(agent=name, reaction=entry["reaction"])
        if consequence.when_item is None:
            out.append(AgentFinding(consequence.severity, item.id, message))
        elif answers.get(consequence.when_item) == consequence.when_value:
            out.append(AgentFinding(consequence.severity, consequence.when_item, message))
    return out
