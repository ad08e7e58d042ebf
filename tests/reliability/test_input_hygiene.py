"""Input hygiene (issue 12): names, MRN, physician and free text refuse text-direction
controls, zero-width characters and runs of more than four combining marks; a number with more
than 30 digits or outside the item's range is a plain error, never "Unexpected error"."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from reliability_support import PASSWORDS, assert_clean_stderr, cli, document, seed_users

from vpchecklist.errors import ValidationError
from vpchecklist.services import checklists
from vpchecklist.store.models import Checklist

UNSAFE = {
    "bidi override": "Smith\u202eKCIRTAP",
    "bidi isolate": "Smith\u2067Jones\u2069",
    "right-to-left mark": "Smith\u200f",
    "zero-width space": "Jo\u200bhn Smith",
    "zero-width joiner": "John\u200dSmith",
    "byte-order mark": "\ufeffJohn Smith",
    "five combining marks": "Ze\u0301\u0302\u0303\u0304\u0305ro",
}


@pytest.fixture
def nurse(store):  # type: ignore[no-untyped-def]
    return seed_users(store, ["nurse"])["nurse"]


@pytest.mark.parametrize("kind", sorted(UNSAFE))
@pytest.mark.parametrize("field", ["patient.name", "physician"])
def test_header_names_refuse_unsafe_characters(store, nurse, field: str, kind: str) -> None:  # type: ignore[no-untyped-def]
    doc: dict[str, Any] = copy.deepcopy(document(1))
    if field == "patient.name":
        doc["patient"]["name"] = UNSAFE[kind]
    else:
        doc["physician"] = UNSAFE[kind]
    with pytest.raises(ValidationError) as refused:
        checklists.create_from_document(store, nurse, doc)
    assert refused.value.item_id == field
    assert "contains" in str(refused.value)
    assert Checklist.select().count() == 0


def test_an_mrn_with_an_invisible_character_is_refused(store, nurse) -> None:  # type: ignore[no-untyped-def]
    doc = copy.deepcopy(document(2))
    doc["patient"]["mrn"] = "MRN\u200b123"
    with pytest.raises(ValidationError, match="is not an MRN"):
        checklists.create_from_document(store, nurse, doc)


@pytest.mark.parametrize("kind", sorted(UNSAFE))
def test_free_text_and_reasons_refuse_unsafe_characters(store, nurse, kind: str) -> None:  # type: ignore[no-untyped-def]
    cid = checklists.create_from_document(store, nurse, document(3))
    with pytest.raises(ValidationError, match="contains"):
        checklists.answer(store, nurse, cid, "sedation.iv_access", f"left forearm {UNSAFE[kind]}")
    with pytest.raises(ValidationError, match="contains"):
        checklists.mark_na(store, nurse, cid, "history.pregnancy_excluded", UNSAFE[kind])
    stored = checklists.evaluation(store, nurse, cid).answers["sedation.iv_access"]
    assert stored == document(3)["answers"]["sedation.iv_access"]


def test_ordinary_accents_are_kept(store, nurse) -> None:  # type: ignore[no-untyped-def]
    doc = copy.deepcopy(document(4))
    doc["patient"]["name"] = "Zoë Nguyễn-Müller"
    doc["physician"] = "Dr Łukasz Żółć"
    cid = checklists.create_from_document(store, nurse, doc)
    assert checklists.detail(store, nurse, cid)["header"]["patient"]["name"] == "Zoë Nguyễn-Müller"


@pytest.mark.parametrize(
    "raw",
    ["9" * 5000, 10**5000, "1" * 31, "-" + "1" * 40, "0." + "1" * 40, 3000, "0"],
    ids=[
        "5000-digit text",
        "5000-digit int",
        "31 digits",
        "negative 40",
        "40 decimals",
        "3000",
        "0",
    ],
)
def test_long_or_impossible_numbers_are_plain_errors(store, nurse, raw: Any) -> None:  # type: ignore[no-untyped-def]
    cid = checklists.create_from_document(store, nurse, document(5))
    with pytest.raises(ValidationError) as refused:
        checklists.answer(store, nurse, cid, "history.platelets", raw)
    message = str(refused.value)
    assert message.startswith("history.platelets: ")
    assert "more than 30 digits" in message or "impossible" in message, message
    assert len(message) < 200


def test_the_cli_answers_long_numbers_and_unsafe_names_in_one_sentence(
    store, nurse, tmp_path, db_path
) -> None:  # type: ignore[no-untyped-def]
    cid = checklists.create_from_document(store, nurse, document(6))
    db = db_path
    store.close()
    pw = PASSWORDS["nurse"] + "\n"
    for value in ("9" * 5000, "1" * 31, "5000"):
        result = cli(db, "checklist", "answer", str(cid), "history.platelets", value,
                     "--user", "nurse", "--password-stdin", stdin=pw)  # fmt: skip
        assert result.returncode == 2, result.stderr
        assert_clean_stderr(result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1

    huge = tmp_path / "huge.json"
    huge.write_text('{"answers": {"history.platelets": ' + "9" * 5000 + "}}")
    result = cli(db, "evaluate", str(huge))
    assert result.returncode == 2 and "too many digits" in result.stderr
    assert_clean_stderr(result.stderr)

    doc = copy.deepcopy(document(7))
    doc["patient"]["name"] = UNSAFE["bidi override"]
    named = tmp_path / "bidi.json"
    named.write_text(json.dumps(doc))
    result = cli(db, "checklist", "create", "--from", str(named), "--user", "nurse",
                 "--password-stdin", stdin=pw)  # fmt: skip
    assert result.returncode == 2 and "text-direction" in result.stderr
    assert_clean_stderr(result.stderr)
