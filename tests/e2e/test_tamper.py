"""Tamper test (issue 3): with the read-only triggers out of the way, edit signed content past
the product (``sqlite3`` on the file; on PostgreSQL the superuser with triggers disabled) →
``vpchecklist audit verify`` exits 1 and names the tampered checklist."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from cli_support import complete_doc, run_cli, seed

from tests import raw_database


@pytest.fixture
def signed(cli_db: Path) -> tuple[Path, int, int, int]:
    """Three closed records in one hash chain (two ready, one postponed)."""
    (first,) = seed(cli_db, complete_doc(mrn="MRN-1"), sign="ready")
    (second,) = seed(cli_db, complete_doc(mrn="MRN-2", history__inr=1.2), sign="ready")
    (third,) = seed(
        cli_db, complete_doc(mrn="MRN-3", consent__signed="no"), sign="postponed",
        reason="consent missing",
    )  # fmt: skip
    assert run_cli(cli_db, "audit", "verify").returncode == 0
    return cli_db, first, second, third


def _tamper(db: Path, *statements: tuple[str, tuple[object, ...]]) -> None:
    changed = raw_database.tamper(db, *statements)
    assert changed == [1] * len(statements), (statements, changed)


def _named(stderr: str) -> set[int]:
    """The checklist ids of the final 'Tampering detected in checklist(s): …' line."""
    match = re.search(r"checklist\(s\): ([\d, ]+)\.", stderr)
    assert match, stderr
    return {int(x) for x in match.group(1).split(",")}


TAMPERING: dict[str, Callable[[int], tuple[str, tuple[object, ...]]]] = {
    "signed answer value": lambda cid: (
        "UPDATE answer SET value = '\"no\"' WHERE checklist_id = ? "
        "AND item_id = 'consent.risks_explained'",
        (cid,),
    ),
    "signer printed name": lambda cid: (
        "UPDATE signature SET printed_name = 'Someone Else' WHERE checklist_id = ?",
        (cid,),
    ),
    "deleted signature": lambda cid: ("DELETE FROM signature WHERE checklist_id = ?", (cid,)),
    "patient in header": lambda cid: (
        "UPDATE checklist SET patient_name = 'Other Patient' WHERE id = ?",
        (cid,),
    ),
    "deleted answer": lambda cid: (
        "DELETE FROM answer WHERE checklist_id = ? AND item_id = 'timeout.performed'",
        (cid,),
    ),
    "signature meaning": lambda cid: (
        "UPDATE signature SET meaning = 'postponed', reason = 'x' WHERE checklist_id = ?",
        (cid,),
    ),
}


@pytest.mark.parametrize("what", list(TAMPERING))
def test_tampering_is_detected_and_names_the_checklist(
    signed: tuple[Path, int, int, int], what: str
) -> None:
    db, first, second, third = signed
    _tamper(db, TAMPERING[what](second))
    result = run_cli(db, "audit", "verify")
    assert result.returncode == 1, result.stdout
    assert "Traceback" not in result.stderr
    named = _named(result.stderr)
    if what == "deleted signature":
        # The gap also breaks the next link of the chain, which may be reported as well.
        assert second in named and named <= {second, third}, named
    else:
        assert named == {second}
    assert f"checklist {second}" in result.stderr


def test_answer_value_changed_on_an_acknowledged_warning(cli_db: Path) -> None:
    doc = complete_doc(history__inr=1.6)
    doc["acknowledgements"] = {"history.inr": {"reason": "IR agrees", "physician_informed": "Dr X"}}
    (cid,) = seed(cli_db, doc, sign="ready")
    _tamper(
        cli_db,
        ("UPDATE answer SET value = '1.0' WHERE checklist_id = ? AND item_id = 'history.inr'",
         (cid,)),
        ("UPDATE acknowledgement SET reason = 'never warned' WHERE checklist_id = ?", (cid,)),
    )  # fmt: skip
    result = run_cli(cli_db, "audit", "verify")
    assert result.returncode == 1
    assert _named(result.stderr) == {cid}
    assert f"checklist {cid}" in result.stderr


def test_status_reverted_to_draft_is_detected(signed: tuple[Path, int, int, int]) -> None:
    db, first, _, _ = signed
    _tamper(db, ("UPDATE checklist SET status = 'draft' WHERE id = ?", (first,)))
    result = run_cli(db, "audit", "verify")
    assert result.returncode == 1
    assert first in _named(result.stderr)
