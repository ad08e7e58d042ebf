"""The wristband's provenance is signed content (issue 16): changing "scanned" to "by hand"
(or inventing one) past the product, with the triggers out of the way, is found by
``audit verify``."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from reliability_support import PASSWORDS, seed_users

from tests import raw_database
from tests.documents import LUMBAR_ANSWERS
from tests.raw_database import Database
from vpchecklist.services import checklists, signing, wristband
from vpchecklist.store import open_store
from vpchecklist.wristband import WRISTBAND_ITEM


def _signed_scanned(db: Database) -> int:
    store = open_store(db)
    try:
        nurse = seed_users(store, ["nurse"])["nurse"]
        doc = {
            "patient": {"name": "Ada Example", "date_of_birth": "1948-03-02", "mrn": "MRN00123"},
            "levels": ["L2"],
            "planned_start": "2026-03-10T10:00",
            "physician": "Dr Example",
            "answers": {k: v for k, v in LUMBAR_ANSWERS.items() if k != WRISTBAND_ITEM},
        }
        cid = checklists.create_from_document(store, nurse, doc)
        wristband.scan(store, nurse, cid, "MRN00123")
        signing.sign(store, nurse, cid, PASSWORDS["nurse"], "ready")
        assert signing.verify_chain(store) == []
        return cid
    finally:
        store.close()


@pytest.mark.parametrize(
    "statement",
    [
        f"UPDATE answer SET provenance = 'by_hand' WHERE item_id = '{WRISTBAND_ITEM}'",
        "UPDATE answer SET provenance = 'scanned' WHERE item_id = 'consent.signed'",
    ],
    ids=["scanned-to-by-hand", "invented"],
)
def test_a_changed_provenance_is_found(new_db: Callable[[str], Database], statement: str) -> None:
    db = new_db("data")
    cid = _signed_scanned(db)
    assert raw_database.tamper(db, statement) == [1]
    store = open_store(db)
    try:
        problems = signing.verify_chain(store)
    finally:
        store.close()
    assert [p["checklist_id"] for p in problems] == [cid]
