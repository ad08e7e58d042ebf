"""Idempotent saves (issue 14): an answer save and a signature carry the caller's request id, so
a retry after a lost connection — whose first attempt may have committed — never writes twice.
Runs on both backends; the real dropped connections are in tests/reliability/test_pg_faults.py.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import PASSWORDS
from tests.documents import LUMBAR_ANSWERS
from vpchecklist.errors import ConnectionLost, ValidationError
from vpchecklist.services import checklists, retries, signing
from vpchecklist.services.retries import new_request_id, with_retries
from vpchecklist.store import open_store, schema
from vpchecklist.store.models import AnswerHistory, AuditEvent, Signature

HEADER = {
    "patient": {"name": "Ida Example", "date_of_birth": "1950-04-03", "mrn": "MRN-14"},
    "levels": ["L2"],
    "planned_start": "2026-03-10T10:00",
    "physician": "Dr A. Radiologist",
}


@pytest.fixture
def draft(store, actors) -> int:  # type: ignore[no-untyped-def]
    doc: dict[str, Any] = {**HEADER, "answers": dict(LUMBAR_ANSWERS), "acknowledgements": {}}
    return checklists.create_from_document(store, actors["nurse"], doc)


def _history(cid: int, item: str) -> list[AnswerHistory]:
    return list(
        AnswerHistory.select()
        .where(AnswerHistory.checklist == cid, AnswerHistory.item_id == item)
        .order_by(AnswerHistory.id)
    )


def test_an_answer_saved_again_with_its_request_id_is_not_written_twice(  # type: ignore[no-untyped-def]
    store, actors, draft
) -> None:
    nurse = actors["nurse"]
    rid = new_request_id()
    before = len(_history(draft, "sedation.baseline_hr"))
    checklists.answer(store, nurse, draft, "sedation.baseline_hr", 81, request_id=rid)
    # Meanwhile another workstation changes the value; the retry must not overwrite it.
    checklists.answer(store, actors["physician"], draft, "sedation.baseline_hr", 82)
    ev = checklists.answer(store, nurse, draft, "sedation.baseline_hr", 81, request_id=rid)
    rows = _history(draft, "sedation.baseline_hr")
    assert len(rows) == before + 2
    assert rows[-2].request_id == rid and rows[-1].request_id != rid
    assert ev.answers["sedation.baseline_hr"] == 82
    saves = AuditEvent.select().where(
        AuditEvent.action == "answer", AuditEvent.checklist_id == draft
    )
    assert saves.count() == 2


def test_a_signature_retried_with_its_request_id_returns_the_first_and_signs_once(  # type: ignore[no-untyped-def]
    store, actors, draft
) -> None:
    nurse = actors["nurse"]
    rid = new_request_id()
    first = signing.sign(store, nurse, draft, PASSWORDS["nurse"], "ready", request_id=rid)
    again = signing.sign(store, nurse, draft, PASSWORDS["nurse"], "ready", request_id=rid)
    assert again == first
    sigs = list(Signature.select().where(Signature.checklist == draft))
    assert [s.request_id for s in sigs] == [rid]
    assert AuditEvent.select().where(AuditEvent.action == "sign").count() == 1
    assert signing.verify_chain(store) == []
    # A new request on the signed record is refused as before (it is read-only now).
    with pytest.raises(Exception, match="read-only|signed"):
        signing.sign(store, nurse, draft, PASSWORDS["nurse"], "ready")


def test_an_addendum_retried_with_its_request_id_is_signed_once(  # type: ignore[no-untyped-def]
    store, actors, draft
) -> None:
    nurse = actors["nurse"]
    signing.sign(store, nurse, draft, PASSWORDS["nurse"], "ready")
    rid = new_request_id()
    first = signing.add_addendum(store, nurse, draft, "Late note.", PASSWORDS["nurse"], rid)
    again = signing.add_addendum(store, nurse, draft, "Late note.", PASSWORDS["nurse"], rid)
    assert again == first
    assert Signature.select().where(Signature.checklist == draft).count() == 2
    assert signing.verify_chain(store) == []


def test_request_ids_are_not_signed_content(store, actors, draft) -> None:  # type: ignore[no-untyped-def]
    """The id lives beside the signature, never in what is hashed."""
    rid = new_request_id()
    signing.sign(store, actors["nurse"], draft, PASSWORDS["nurse"], "ready", request_id=rid)
    signature = Signature.get(Signature.checklist == draft)
    assert rid not in signature.content
    assert all(rid not in (e.detail or "") for e in AuditEvent.select())


def test_only_a_lost_connection_is_retried_and_the_nurse_hears_one_sentence(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(retries, "RETRY_PAUSES_S", (0.0, 0.0))
    heard: list[str] = []
    calls: list[int] = []

    def flaky() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise ConnectionLost("The database server db:5432 could not be reached.")
        return "saved"

    assert with_retries(flaky, "answer", heard.append) == "saved"
    assert (
        heard == ["The server could not be reached — your last answer was not saved; retrying…"] * 2
    )

    def always_lost() -> str:
        raise ConnectionLost("gone")

    with pytest.raises(ConnectionLost) as lost:
        with_retries(always_lost, "signature")
    assert str(lost.value) == (
        "The server could not be reached — your last signature was not saved; "
        "try again when the server answers."
    )

    refused: list[int] = []

    def invalid() -> str:
        refused.append(1)
        raise ValidationError("x", "not a number")

    with pytest.raises(ValidationError):
        with_retries(invalid, "answer", heard.append)
    assert len(refused) == 1


@pytest.mark.sqlite_only
def test_a_version_5_database_gains_the_request_id_columns(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    open_store(path).close()
    conn = sqlite3.connect(path)
    with conn:
        for table in ("answer_history", "signature"):
            conn.execute(f"DROP INDEX {table}_request_id")
            conn.execute(f"ALTER TABLE {table} DROP COLUMN request_id")
        conn.execute("DELETE FROM schema_version WHERE version = 6")
    conn.close()
    store = open_store(path)
    try:
        assert schema.current_version(store.db) == schema.LATEST_VERSION == 6
        for table in ("answer_history", "signature"):
            assert "request_id" in {c.name for c in store.db.get_columns(table)}
            assert any(
                i.name == f"{table}_request_id" and i.unique for i in store.db.get_indexes(table)
            )
        assert store.integrity_problems() == []
    finally:
        store.close()
