"""Tampering with the database past the product (triggers dropped with plain sqlite3, or
disabled by the PostgreSQL superuser) is found by ``vpchecklist audit verify``: exit 1, naming
the record."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from reliability_support import PASSWORDS, assert_clean_stderr, cli, create_signed, seed_users

from tests import raw_database
from tests.conftest import DatabaseMaker
from tests.raw_database import Database
from vpchecklist.canonical import chain_hash
from vpchecklist.services import signing
from vpchecklist.store import open_store


@pytest.fixture(scope="module")
def pristine(
    tmp_path_factory: pytest.TempPathFactory, databases: DatabaseMaker
) -> Iterator[tuple[Database, dict[str, int]]]:
    """Five signed records: plain, with an acknowledged warning, postponed, with an addendum,
    and a last plain one (so edits in the middle of the chain are covered too)."""
    db = databases.new(tmp_path_factory.mktemp("tamper"))
    store = open_store(db)
    people = seed_users(store, ["nurse", "physician"])
    nurse, pw = people["nurse"], PASSWORDS["nurse"]
    ids = {
        "plain": create_signed(store, nurse, pw, 1),
        "warning": create_signed(store, nurse, pw, 2, "warning"),
        "postponed": create_signed(store, nurse, pw, 3, "stop"),
        "addendum": create_signed(store, people["physician"], PASSWORDS["physician"], 4),
    }
    signing.add_addendum(
        store,
        people["physician"],
        ids["addendum"],
        "Level re-confirmed on the table.",
        PASSWORDS["physician"],
    )
    ids["last"] = create_signed(store, nurse, pw, 5)
    store.close()
    assert cli(db, "audit", "verify").returncode == 0
    yield db, ids
    databases.drop(db)


@pytest.fixture
def signed_db(pristine, tmp_path, databases):  # type: ignore[no-untyped-def]
    """A private copy of the pristine database for one test to tamper with."""
    source, ids = pristine
    db = databases.copy(source, tmp_path)
    yield db, ids
    databases.drop(db)


def tamper(db: Path, *statements: str) -> None:
    changed = raw_database.tamper(db, *statements)
    for statement, count in zip(statements, changed, strict=True):
        assert count or statement.startswith("DELETE"), statement


def assert_reported(db: Path, checklist_id: int) -> None:
    result = cli(db, "audit", "verify")
    assert result.returncode == 1, result
    assert_clean_stderr(result.stderr)
    named = {int(n) for n in re.findall(r"checklist (\d+)", result.stderr)}
    assert checklist_id in named, result.stderr
    summary = result.stderr.strip().splitlines()[-1]
    assert re.search(rf"\b{checklist_id}\b", summary), summary


EDITS: dict[str, Callable[[dict[str, int]], tuple[str, list[str]]]] = {
    "answer value": lambda ids: (
        "plain",
        [
            f"UPDATE answer SET value = '\"no\"' WHERE checklist_id = {ids['plain']} "
            "AND item_id = 'consent.signed'"
        ],
    ),
    "answer value, middle of chain": lambda ids: (
        "warning",
        [
            f"UPDATE answer SET value = '1.2' WHERE checklist_id = {ids['warning']} "
            "AND item_id = 'history.inr'"
        ],
    ),
    "answer added": lambda ids: (
        "last",
        [f"DELETE FROM answer WHERE checklist_id = {ids['last']} AND item_id = 'history.inr'"],
    ),
    "acknowledgement reason": lambda ids: (
        "warning",
        [
            f"UPDATE acknowledgement SET reason = 'no reason given' "
            f"WHERE checklist_id = {ids['warning']}"
        ],
    ),
    "acknowledgement physician": lambda ids: (
        "warning",
        [
            f"UPDATE acknowledgement SET physician_informed = 'Dr Nobody' "
            f"WHERE checklist_id = {ids['warning']}"
        ],
    ),
    "signer printed name": lambda ids: (
        "plain",
        [f"UPDATE signature SET printed_name = 'Someone Else' WHERE checklist_id = {ids['plain']}"],
    ),
    "signer account": lambda ids: (
        "plain",
        [
            f"UPDATE signature SET signer_id = (SELECT id FROM \"user\" WHERE username = 'physician') "
            f"WHERE checklist_id = {ids['plain']}"
        ],
    ),
    "signature time": lambda ids: (
        "last",
        [
            f"UPDATE signature SET signed_at = '2020-01-01T00:00:00.000000Z' "
            f"WHERE checklist_id = {ids['last']}"
        ],
    ),
    "signature meaning": lambda ids: (
        "postponed",
        [
            f"UPDATE signature SET meaning = 'ready' WHERE checklist_id = {ids['postponed']}",
            f"UPDATE checklist SET status = 'signed' WHERE id = {ids['postponed']}",
        ],
    ),
    "postponed reason": lambda ids: (
        "postponed",
        [f"UPDATE signature SET reason = 'other' WHERE checklist_id = {ids['postponed']}"],
    ),
    "addendum text": lambda ids: (
        "addendum",
        [f"UPDATE addendum SET text = 'Nothing to add.' WHERE checklist_id = {ids['addendum']}"],
    ),
    "header levels": lambda ids: (
        "plain",
        [f"UPDATE checklist SET levels = '[\"L3\"]' WHERE id = {ids['plain']}"],
    ),
    "patient name": lambda ids: (
        "last",
        [f"UPDATE checklist SET patient_name = 'Other Patient' WHERE id = {ids['last']}"],
    ),
    "status back to draft": lambda ids: (
        "plain",
        [f"UPDATE checklist SET status = 'draft' WHERE id = {ids['plain']}"],
    ),
    "stored content": lambda ids: (
        "warning",
        [
            f"UPDATE signature SET content = replace(content, '\"history.inr\"', '\"history.xxx\"') "
            f"WHERE checklist_id = {ids['warning']}"
        ],
    ),
}


@pytest.mark.parametrize("kind", list(EDITS))
def test_edit_of_signed_content_is_reported(signed_db, kind):  # type: ignore[no-untyped-def]
    db, ids = signed_db
    which, statements = EDITS[kind](ids)
    tamper(db, *statements)
    assert_reported(db, ids[which])


@pytest.mark.parametrize("which", ["plain", "addendum", "last"])
def test_deleted_signed_record_is_reported(signed_db, which):  # type: ignore[no-untyped-def]
    db, ids = signed_db
    cid = ids[which]
    tamper(
        db,
        f"DELETE FROM signature WHERE checklist_id = {cid}",
        *(
            f"DELETE FROM {t} WHERE checklist_id = {cid}"
            for t in ("answer", "answer_history", "acknowledgement")
        ),
        *([f"DELETE FROM addendum WHERE checklist_id = {cid}"] if which == "addendum" else []),
        f"DELETE FROM checklist WHERE id = {cid}",
    )
    assert_reported(db, cid)


def test_deleted_signature_only_is_reported(signed_db):  # type: ignore[no-untyped-def]
    db, ids = signed_db
    tamper(db, f"DELETE FROM signature WHERE checklist_id = {ids['last']}")
    assert_reported(db, ids["last"])


def test_rehashed_middle_record_breaks_the_chain(signed_db):  # type: ignore[no-untyped-def]
    """An attacker who edits an answer and recomputes that signature's content and hash still
    breaks the link to the next signature; the report must name the edited record, not only
    the innocent next one."""
    db, ids = signed_db
    cid = ids["plain"]
    ((seq, prev, content),) = raw_database.query(
        db, "SELECT seq, prev_hash, content FROM signature WHERE checklist_id = ?", cid
    )
    forged = content.replace('"consent.signed","value":"yes"', '"consent.signed","value":"no"')
    assert forged != content
    tamper(
        db,
        f"UPDATE answer SET value = '\"no\"' WHERE checklist_id = {cid} "
        "AND item_id = 'consent.signed'",
        f"UPDATE signature SET content = '{forged}', record_hash = "
        f"'{chain_hash(prev, forged)}' WHERE seq = {seq}",
    )
    assert_reported(db, ids["plain"])


def test_rehashed_newest_record_is_reported(signed_db):  # type: ignore[no-untyped-def]
    """Forging the newest record completely (answer, content, hash) leaves no broken link;
    the audit event written at signing still holds the true hash, so it can be caught."""
    db, ids = signed_db
    cid = ids["last"]
    ((seq, prev, content),) = raw_database.query(
        db, "SELECT seq, prev_hash, content FROM signature WHERE checklist_id = ?", cid
    )
    forged = content.replace('"consent.signed","value":"yes"', '"consent.signed","value":"no"')
    tamper(
        db,
        f"UPDATE answer SET value = '\"no\"' WHERE checklist_id = {cid} "
        "AND item_id = 'consent.signed'",
        f"UPDATE signature SET content = '{forged}', record_hash = "
        f"'{chain_hash(prev, forged)}' WHERE seq = {seq}",
    )
    assert_reported(db, cid)


def test_triggers_refuse_edits_without_tampering(signed_db):  # type: ignore[no-untyped-def]
    """With the triggers in place, plain SQL cannot change or delete signed content."""
    db, ids = signed_db
    for statement in (
        f"UPDATE answer SET value = '\"no\"' WHERE checklist_id = {ids['plain']}",
        f"DELETE FROM answer WHERE checklist_id = {ids['plain']}",
        f"UPDATE signature SET printed_name = 'x' WHERE checklist_id = {ids['plain']}",
        f"DELETE FROM signature WHERE checklist_id = {ids['plain']}",
        f"UPDATE addendum SET text = 'x' WHERE checklist_id = {ids['addendum']}",
        f"UPDATE checklist SET status = 'draft' WHERE id = {ids['plain']}",
        f"UPDATE acknowledgement SET reason = 'x' WHERE checklist_id = {ids['warning']}",
        f"INSERT INTO answer (checklist_id, item_id, value, answered_by_id, answered_at) "
        f"VALUES ({ids['plain']}, 'x.y', '1', 1, 'now')",
        "DELETE FROM audit_event",
    ):
        with pytest.raises(raw_database.errors(), match="read-only"):
            raw_database.execute(db, statement)
    assert cli(db, "audit", "verify").returncode == 0
