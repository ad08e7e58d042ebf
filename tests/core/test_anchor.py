"""The external anchor: written after signatures and at start-up, compared by audit verify and
the app's start-up check."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import DatabaseMaker
from tests.core.conftest import Checklist
from vpchecklist.services import Actor, checklists, integrity, signing
from vpchecklist.store import Store, anchor, open_store
from vpchecklist.store import events as event_chain

PASSWORD = "nurse-password-1"


def _sign_one(store: Store, nurse: Actor) -> None:
    cid = checklists.create_from_document(store, nurse, Checklist.doc())
    signing.sign(store, nurse, cid, PASSWORD, "ready")


def _marks(store: Store) -> list[dict]:
    path = anchor.path_for(store.database_id)
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_each_signature_appends_the_committed_head(store: Store, actors: dict) -> None:
    _sign_one(store, actors["nurse"])
    _sign_one(store, actors["nurse"])
    marks = _marks(store)
    assert [m["kind"] for m in marks] == ["sign", "sign"]
    with store.reading():
        head = event_chain.head()
    assert (marks[-1]["seq"], marks[-1]["hash"]) == (head.seq, head.hash)
    assert {m["database_id"] for m in marks} == {store.database_id}
    assert oct(anchor.path_for(store.database_id).stat().st_mode & 0o777) == "0o600"


def test_a_refused_signature_anchors_nothing(store: Store, actors: dict) -> None:
    cid = checklists.create_from_document(store, actors["nurse"], Checklist.doc())
    with pytest.raises(Exception):  # noqa: B017 - any refusal
        signing.sign(store, actors["nurse"], cid, "wrong-password-1", "ready")
    assert not anchor.path_for(store.database_id).exists()


def test_the_anchor_folder_can_be_moved_by_environment(
    store: Store, actors: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VPCHECKLIST_ANCHOR_DIR", str(tmp_path / "share"))
    _sign_one(store, actors["nurse"])
    assert (tmp_path / "share" / f"vpchecklist-{store.database_id}.anchor").is_file()


def test_start_up_anchors_a_database_that_agrees_and_reports_one_that_is_behind(
    store: Store, actors: dict, db_path: Path, tmp_path: Path, databases: DatabaseMaker
) -> None:
    _sign_one(store, actors["nurse"])
    store.close()
    older = databases.copy(db_path, tmp_path / "older")  # a copy of the closed database
    store = open_store(db_path)
    _sign_one(store, actors["nurse"])
    assert integrity.check_anchor_at_start(store) == []
    assert _marks(store)[-1]["kind"] == "start"
    anchored = _marks(store)[-1]["seq"]
    database_id = store.database_id
    store.close()
    rolled_back = open_store(older)
    try:
        problems = integrity.check_anchor_at_start(rolled_back)
        assert problems and "behind its anchor" in problems[0]
        assert f"last anchored event {anchored}" in problems[0]
        lines = anchor.path_for(database_id).read_text().splitlines()
        assert json.loads(lines[-1])["kind"] == "start"  # nothing anchored over it
        assert json.loads(lines[-1])["seq"] == anchored
    finally:
        rolled_back.close()
        databases.drop(older)
