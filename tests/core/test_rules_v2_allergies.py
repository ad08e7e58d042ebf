"""Spec §6.3: allergies as coded agents with fixed consequences, through ``evaluate``'s JSON.
Stops are reported on skin.antiseptic, warnings on history.allergies, and every recorded agent
is on the banner."""

from __future__ import annotations

import pytest

from vpchecklist.templates import bundled_template

ITEM = "history.allergies"

#: Spec §6.3 by hand: agents whose consequence is a warning, with words of the message.
WARNING_AGENTS = {
    "iodinated_contrast": "non-iodinated",
    "local_anaesthetic": "alternative agent",
    "latex": "latex-free",
    "opioid": "sedation plan",
    "benzodiazepine": "sedation plan",
    "pmma_cement": "physician decides",
}
#: Agents that stop with the antiseptic of the same name.
ANTISEPTIC_AGENTS = ["chlorhexidine", "povidone_iodine"]
BANNER_ONLY = ["adhesive", "other"]
OTHER_ANTISEPTIC = {"chlorhexidine": "povidone_iodine", "povidone_iodine": "chlorhexidine"}


def agent(agent_id: str, reaction: str = "hives", **extra: str) -> dict[str, str]:
    return {"agent": agent_id, "reaction": reaction, **extra}


def test_the_template_agents_are_the_spec_list():
    agents = [a.id for a in bundled_template("2").item(ITEM).agents]
    assert sorted(agents) == sorted([*WARNING_AGENTS, *ANTISEPTIC_AGENTS, *BANNER_ONLY])


@pytest.mark.parametrize("agent_id", ANTISEPTIC_AGENTS)
def test_antiseptic_allergy_with_that_antiseptic_is_a_hard_stop_on_the_antiseptic(vp, agent_id):
    result = vp.run(
        vp.doc(["L2"], history__allergies=[agent(agent_id, "rash")], skin__antiseptic=agent_id)
    )
    message = vp.only(result, "stops", "skin.antiseptic")
    assert agent_id.split("_")[0] in message.lower() and "(rash)" in message
    assert [f["id"] for f in result["allergy_flags"]] == [agent_id]


@pytest.mark.parametrize("agent_id", ANTISEPTIC_AGENTS)
def test_antiseptic_allergy_with_the_other_antiseptic_is_only_a_banner(vp, agent_id):
    doc = vp.doc(
        ["L2"],
        history__allergies=[agent(agent_id, "rash")],
        skin__antiseptic=OTHER_ANTISEPTIC[agent_id],
    )
    result = vp.run(doc)
    vp.clean(result)
    label = bundled_template("2").item(ITEM).agent(agent_id).label
    assert result["allergy_flags"] == [
        {"id": agent_id, "label": label, "reaction": "rash", "matches": ["rash"]}
    ]


def test_povidone_iodine_allergy_never_meets_the_antiseptic_as_contrast(vp):
    """The v1 bug: "povidone-iodine" was flagged as contrast and never met the antiseptic."""
    doc = vp.doc(
        ["L2"], history__allergies=[agent("povidone_iodine")], skin__antiseptic="povidone_iodine"
    )
    result = vp.run(doc)
    assert [s["item"] for s in result["stops"]] == ["skin.antiseptic"]
    assert result["warnings"] == []


@pytest.mark.parametrize(("agent_id", "words"), WARNING_AGENTS.items())
def test_warning_agents_warn_on_the_allergies(vp, agent_id, words):
    result = vp.answer(ITEM, [agent(agent_id, "anaphylaxis")])
    message = vp.only(result, "warnings", ITEM)
    assert words in message and "(anaphylaxis)" in message
    assert [f["id"] for f in result["allergy_flags"]] == [agent_id]
    assert result["ready_to_sign"] is False


@pytest.mark.parametrize("agent_id", BANNER_ONLY)
def test_banner_only_agents_block_nothing(vp, agent_id):
    extra = {"name": "Penicillin"} if agent_id == "other" else {}
    result = vp.answer(ITEM, [agent(agent_id, "rash", **extra)])
    vp.clean(result)
    expected = "Penicillin" if agent_id == "other" else "Adhesive / dressing"
    assert [(f["id"], f["label"]) for f in result["allergy_flags"]] == [(agent_id, expected)]


def test_every_agent_is_on_the_banner_in_the_order_recorded(vp):
    allergies = [
        agent("latex", "urticaria"),
        agent("other", "rash", name="Penicillin"),
        agent("opioid", "nausea"),
    ]
    result = vp.answer(ITEM, allergies)
    assert [(f["label"], f["reaction"]) for f in result["allergy_flags"]] == [
        ("Latex", "urticaria"),
        ("Penicillin", "rash"),
        ("Opioid", "nausea"),
    ]
    assert [w["item"] for w in result["warnings"]] == [ITEM, ITEM]


def test_no_substring_guessing(vp):
    """An "other" named penicillin with "no local reaction" is not a local anaesthetic."""
    result = vp.answer(ITEM, [agent("other", "no local reaction", name="penicillin")])
    vp.clean(result)


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ([agent("iodine")], "not a known agent"),
        ([agent("Latex")], "not a known agent"),
        ([{"agent": "latex"}], "reaction"),
        ([agent("latex", "")], "reaction"),
        ([agent("other")], "name"),
        ([agent("latex", name="gloves")], "only"),
        ([agent("latex", severity="high")], "unknown field"),
        (["latex"], "object"),
        ([], "list"),
        ("latex", "list"),
    ],
)
def test_malformed_allergies_are_input_errors(vp, value, words):
    result = vp.answer(ITEM, value)
    assert words in vp.only(result, "errors", ITEM)
    assert result["allergy_flags"] == []


def test_none_is_quiet(vp):
    result = vp.answer(ITEM, "none")
    vp.clean(result)
    assert result["allergy_flags"] == []
