"""Fuzzing of every input path: answers, evaluate documents, template edits.

Property: bad input is refused with a ``ValidationError`` / ``TemplateError`` naming what is
wrong, never any other exception, and a refused answer writes nothing.
"""

from __future__ import annotations

import contextlib
import json
import math
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from reliability_support import document, seed_users

from vpchecklist.errors import TemplateError, ValidationError, VPError
from vpchecklist.resources import templates_dir
from vpchecklist.rules import evaluate, normalize_answer
from vpchecklist.services import checklists
from vpchecklist.store.models import Answer, AnswerHistory
from vpchecklist.templates import default_template, load_template_text
from vpchecklist.templates.loader import DEFAULT_TEMPLATE_FILE

TEMPLATE = default_template()
ITEMS = TEMPLATE.items
ITEM_IDS = [i.id for i in ITEMS]
FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# --- value strategies -----------------------------------------------------------------------

CONTROL = st.characters(min_codepoint=0, max_codepoint=0x1F) | st.sampled_from(
    ["\x7f", "\x85", "\u2028", "\u2029", "\u200b", "\ufeff", "\ud7ff", "\U0010ffff"]
)
TEXTS = (
    st.text(max_size=60)
    | st.text(alphabet=CONTROL, min_size=1, max_size=5)
    | st.builds(lambda a, c, b: a + c + b, st.text(max_size=8), CONTROL, st.text(max_size=8))
    | st.sampled_from(
        [
            "",
            " ",
            "yes",
            "no",
            "YES ",
            " No",
            "Yes\n",
            "yes\x00",
            "none",
            "NONE",
            "gown",
            "own_clothes",
            "chest",
            "abdomen",
            "light",
            "fatty",
            "I",
            "IV",
            "V",
            "VI",
            "used",
            "not_needed",
            "clipped",
            "chlorhexidine",
            "povidone_iodine",
            "1.5",
            "1.51",
            "+1.5",
            "-0",
            "1e400",
            "-1e400",
            "nan",
            "NaN",
            "inf",
            "Infinity",
            "1,5",
            "1_000",
            "١٢",
            "１２",
            "0x10",
            ".5",
            "5.",
            "1e-400",
            "128/76",
            "300/10",
            "301/100",
            "80/120",
            "999/1",
            " 120 / 80 ",
            "120/80/60",
            "2026-03-10T08:00",
            "0001-01-01T00:00",
            "9999-12-31T23:59",
            "1899-12-31T23:59",
            "1900-01-01T00:00",
            "2100-12-31T23:59",
            "2101-01-01T00:00",
            "2026-02-30T10:00",
            "2026-03-10T24:00",
            "2026-03-10T10:00:00",
            "2026-03-10T10:00Z",
            "2026-03-10 10:00",
            "２０２６-03-10T10:00",
            "2026-03-10T10:00+01:00",
            "a" * 1001,
            "x" * 100_000,
            "é" * 999,
            "🦴" * 500,
        ]
    )
)
NUMBERS = (
    st.integers()
    | st.integers(min_value=-(10**400), max_value=10**400)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.sampled_from([0, 1.5, 1.51, 49, 50, 0.5, 10, 10.0001, 2000, 2001, -0.0, 1e308, 5e-324])
)
SCALARS = st.none() | st.booleans() | NUMBERS | TEXTS
JSONISH = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXTS, inner, max_size=4),
    max_leaves=12,
)
NA = st.fixed_dictionaries({"na": SCALARS}) | st.fixed_dictionaries({"na": TEXTS, "extra": SCALARS})
ANTICOAG = st.fixed_dictionaries(
    {},
    optional={
        "drug": SCALARS,
        "last_dose": TEXTS | NUMBERS,
        "held": TEXTS | st.booleans(),
        "dose": SCALARS,
    },
)
ALLERGIES = st.lists(TEXTS | NUMBERS | st.none(), max_size=60)
ANSWERS = (
    JSONISH | NA | ANTICOAG | ALLERGIES | st.tuples(SCALARS) | st.sets(st.integers(), max_size=2)
)


def _names_item(message: str, item_id: str) -> bool:
    return item_id in message


# --- answers through the service -----------------------------------------------------------


@pytest.fixture
def draft(store, tmp_path):  # type: ignore[no-untyped-def]
    people = seed_users(store, ["nurse"])
    doc = document(1)
    doc["answers"] = {}
    doc["acknowledgements"] = {}
    cid = checklists.create_from_document(store, people["nurse"], doc)
    return store, people["nurse"], cid


def _snapshot(cid: int) -> tuple[list[tuple[str, str]], int]:
    answers = sorted((a.item_id, a.value) for a in Answer.select().where(Answer.checklist == cid))
    return answers, AnswerHistory.select().count()


@FUZZ
@given(item_id=st.sampled_from(ITEM_IDS), raw=ANSWERS)
def test_answer_accepts_canonical_or_refuses_naming_the_item(draft, item_id, raw):  # type: ignore[no-untyped-def]
    store, nurse, cid = draft
    before = _snapshot(cid)
    try:
        checklists.answer(store, nurse, cid, item_id, raw)
    except ValidationError as exc:
        assert _names_item(str(exc), item_id), str(exc)
        assert "Traceback" not in str(exc)
        assert len(str(exc)) < 600, "a refusal is one short sentence"
        assert _snapshot(cid) == before, "a refused answer must write nothing"
        return
    except VPError as exc:  # pragma: no cover - a failure is reported by the assert
        pytest.fail(f"{type(exc).__name__} instead of ValidationError for {item_id}: {exc}")
    item = TEMPLATE.item(item_id)
    assert item is not None
    stored = Answer.get(Answer.checklist == cid, Answer.item_id == item_id)
    value = json.loads(stored.value)
    # Canonical: normalising the stored form gives the same form back, and it is plain JSON.
    assert normalize_answer(item, value) == value
    assert json.dumps(value, allow_nan=False)
    if isinstance(value, float):
        assert math.isfinite(value)


@FUZZ
@given(item_id=st.sampled_from(ITEM_IDS), reason=SCALARS)
def test_mark_na_refuses_or_stores_reason(draft, item_id, reason):  # type: ignore[no-untyped-def]
    store, nurse, cid = draft
    before = _snapshot(cid)
    try:
        checklists.mark_na(store, nurse, cid, item_id, reason)
    except ValidationError as exc:
        assert item_id in str(exc)
        assert _snapshot(cid) == before
        return
    item = TEMPLATE.item(item_id)
    assert item is not None and item.na_allowed
    stored = json.loads(Answer.get(Answer.checklist == cid, Answer.item_id == item_id).value)
    assert set(stored) == {"na"} and stored["na"].strip() == stored["na"] != ""


@FUZZ
@given(
    item_id=st.sampled_from(ITEM_IDS + ["levels", "nope.item"]), reason=SCALARS, physician=SCALARS
)
def test_acknowledge_never_crashes(draft, item_id, reason, physician):  # type: ignore[no-untyped-def]
    store, nurse, cid = draft
    try:
        checklists.acknowledge(store, nurse, cid, item_id, reason, physician)
    except ValidationError as exc:
        assert item_id in str(exc), str(exc)


# --- evaluate documents ---------------------------------------------------------------------

HEADER_VALUES = SCALARS | JSONISH
DOCS = st.fixed_dictionaries(
    {},
    optional={
        "patient": st.fixed_dictionaries(
            {},
            optional={
                "name": HEADER_VALUES,
                "date_of_birth": HEADER_VALUES,
                "mrn": HEADER_VALUES,
                "ssn": SCALARS,
            },
        )
        | SCALARS,
        "levels": st.lists(
            TEXTS
            | st.sampled_from(["T1", "T6", "T7", "L5", "S1", "S5", "C5", "t12", " L1 ", "L6"])
            | SCALARS,
            max_size=6,
        )
        | SCALARS,
        "planned_start": HEADER_VALUES,
        "physician": HEADER_VALUES,
        "answers": st.dictionaries(st.sampled_from(ITEM_IDS) | TEXTS, ANSWERS, max_size=12)
        | SCALARS,
        "acknowledgements": st.dictionaries(
            st.sampled_from(ITEM_IDS + ["levels"]) | TEXTS,
            st.fixed_dictionaries({}, optional={"reason": SCALARS, "physician_informed": SCALARS})
            | SCALARS,
            max_size=4,
        )
        | SCALARS,
        "extra": SCALARS,
    },
)


@settings(max_examples=200, deadline=None)
@given(doc=DOCS | JSONISH)
def test_evaluate_never_raises_on_content(doc):  # type: ignore[no-untyped-def]
    if not isinstance(doc, dict):
        with pytest.raises(ValidationError):
            evaluate(TEMPLATE, doc)
        return
    ev = evaluate(TEMPLATE, doc)
    out = ev.to_json()
    json.dumps(out, allow_nan=False)  # the CLI prints it: must be valid JSON
    for finding in ev.errors + ev.warnings + ev.stops:
        assert isinstance(finding.item, str) and finding.message  # item is the key as given


@settings(max_examples=100, deadline=None)
@given(item_id=st.sampled_from(ITEM_IDS), raw=ANSWERS, seed=st.integers(0, 50))
def test_evaluate_one_bad_answer_in_a_full_document(item_id, raw, seed):  # type: ignore[no-untyped-def]
    doc = document(seed, levels=["T12", "L1"])
    doc["answers"][item_id] = raw
    ev = evaluate(TEMPLATE, doc)
    others = {f.item for f in ev.errors} - {item_id}
    assert not others or others <= {"sedation.last_clear_liquids", "sedation.last_solids"}, others


# --- template edits -------------------------------------------------------------------------

SOURCE = (templates_dir() / DEFAULT_TEMPLATE_FILE).read_text(encoding="utf-8")
DATA = tomllib.loads(SOURCE)


def _dump_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_dump_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return (
            "{"
            + ", ".join(f"{json.dumps(str(k))} = {_dump_value(v)}" for k, v in value.items())
            + "}"
        )
    raise TypeError(type(value))  # pragma: no cover


def dump_toml(data: dict[str, Any]) -> str:
    """A tiny TOML writer: every table inline, enough for the template's shape."""
    return "\n".join(f"{json.dumps(str(k))} = {_dump_value(v)}" for k, v in data.items()) + "\n"


def test_dumper_round_trips_the_bundled_template() -> None:
    loaded = load_template_text(dump_toml(DATA), "round-trip")
    assert [i.id for i in loaded.items] == ITEM_IDS


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*prefix, i))
    return out


ALL_PATHS = [p for p in _paths(DATA) if p]
TOML_VALUES = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=True)
    | st.text(max_size=30)
    | st.sampled_from(
        [
            "{x}",
            "{hours}",
            "{value}",
            "{meal}",
            "{0}",
            "%s",
            "T1",
            "thoracic",
            "gown",
            "yes",
            "number",
            "choice",
            "confirm",
            "warning",
            "stop",
            "",
        ]
    )
    | st.lists(st.text(max_size=5) | st.integers(), max_size=3)
    | st.just({})
    | st.just([])
)


@st.composite
def mutated_data(draw: st.DrawFn) -> dict[str, Any]:
    data = json.loads(json.dumps(DATA))
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(ALL_PATHS))
        parent = data
        try:
            for part in path[:-1]:
                parent = parent[part]
        except (KeyError, IndexError, TypeError):
            continue
        action = draw(st.sampled_from(["set", "delete", "duplicate"]))
        key = path[-1]
        try:
            if action == "delete":
                del parent[key]
            elif action == "duplicate" and isinstance(parent, list):
                parent.insert(key, json.loads(json.dumps(parent[key])))
            else:
                value = draw(TOML_VALUES)
                if value is None:
                    continue
                parent[key] = value
        except (KeyError, IndexError, TypeError):
            continue
    return data


def _must_work_or_refuse(text: str) -> None:
    try:
        template = load_template_text(text, "fuzz.toml")
    except TemplateError as exc:
        assert "fuzz.toml" in str(exc)
        return
    # A template that loads must be usable: evaluating documents against it never crashes.
    for seed, levels in ((1, ["T5", "L1"]), (2, ["S1"])):
        doc = document(seed, "warning", levels)
        doc["answers"]["sedation.baseline_bp"] = "190/120"
        doc["answers"]["sedation.last_solids"] = "2026-03-10T09:00"
        doc["answers"]["sedation.last_clear_liquids"] = "2026-03-10T10:30"
        with contextlib.suppress(ValidationError):
            evaluate(template, doc)


@settings(max_examples=150, deadline=None)
@given(data=mutated_data())
def test_template_dict_edits_load_or_refuse(data):  # type: ignore[no-untyped-def]
    _must_work_or_refuse(dump_toml(data))


TEXT_EDITS = st.sampled_from(
    [
        "",
        "=",
        "[",
        "]",
        "[[",
        '"',
        "'''",
        "\n",
        "\x00",
        "\x7f",
        "#",
        "{",
        "}",
        ",",
        "nan",
        "inf",
        "1e999",
        "99999999999999999999",
        "true",
        "\\u0000",
        "[levels]\n",
        "[[sections]]\n",
        "é",
        "\ufeff",
    ]
) | st.text(max_size=10)


@settings(max_examples=150, deadline=None)
@given(
    edits=st.lists(
        st.tuples(st.integers(0, len(SOURCE)), st.integers(0, 40), TEXT_EDITS),
        min_size=1,
        max_size=4,
    )
)
def test_template_text_edits_load_or_refuse(edits):  # type: ignore[no-untyped-def]
    text = SOURCE
    for position, cut, insert in edits:
        text = text[:position] + insert + text[position + cut :]
    _must_work_or_refuse(text)


NUMBER_LINE = re.compile(r"^(\s*(?:limit|min|max|min_hours)\s*=\s*)([-0-9.e]+)", re.M)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.sampled_from(["nan", "inf", "-inf", "0", "-1", "1e308", "-0.0"]), min_size=1, max_size=4
    ),
    st.randoms(use_true_random=False),
)
def test_template_threshold_edits_load_or_refuse(values, rnd):  # type: ignore[no-untyped-def]
    matches = list(NUMBER_LINE.finditer(SOURCE))
    assume(matches)
    text = SOURCE
    for value in values:
        m = rnd.choice(list(NUMBER_LINE.finditer(text)))
        text = text[: m.start(2)] + value + text[m.end(2) :]
    _must_work_or_refuse(text)


def test_template_file_path_in_message(tmp_path: Path) -> None:
    from vpchecklist.templates.loader import load_template

    bad = tmp_path / "broken.toml"
    bad.write_bytes(b"\xff\xfe not utf-8")
    with pytest.raises(TemplateError, match="broken.toml"):
        load_template(bad)


@pytest.mark.parametrize(
    ("original", "edited"),
    [
        ("{value} mmHg", "{x} mmHg"),  # blood-pressure warning message
        ("less than {hours} h", "less than {hour} h"),  # fasting warning messages
        ("({meal} meal)", "({meal meal)"),
        ("Clear liquids less than", "Clear {0} liquids less than"),
    ],
)
def test_template_message_placeholders_checked_at_load(original: str, edited: str) -> None:
    """A message with an unknown ``{placeholder}`` must be refused when the template loads,
    not crash ``evaluate`` (KeyError / IndexError / ValueError) the first time it fires."""
    assert original in SOURCE
    _must_work_or_refuse(SOURCE.replace(original, edited))
