"""The folded name key (issue 13): stored at creation, filled by migration 5 for closed records
the read-only triggers otherwise guard, and searched by the start of any word of the name."""

from __future__ import annotations

import pytest

from tests.bulk_records import make_records
from vpchecklist import demo
from vpchecklist.name_search import name_key
from vpchecklist.services import checklists
from vpchecklist.services.checklists import Filters
from vpchecklist.store import open_store, schema
from vpchecklist.store.models import Checklist


def test_name_key_folds_case_accents_and_spaces():
    assert name_key("  Nguyễn   Thị HẠNH ") == "nguyen thi hanh"
    assert name_key("José GARCÍA") == "jose garcia"


@pytest.mark.sqlite_only  # simulates an older SQLite file (its trigger SQL) being migrated
def test_migration_fills_the_key_of_signed_records(db_path):
    store = open_store(db_path, demo=True)
    ids = list(demo.generate(store, 2, seed=3))
    with store.transaction():
        store.db.execute_sql("DROP TRIGGER checklist_frozen_update")
        Checklist.update(search_name=None).execute()
        for statement in schema.all_triggers():  # as an older file has them
            store.db.execute_sql(statement)
        store.db.execute_sql("DELETE FROM schema_version WHERE version >= 5")
    store.close()
    store = open_store(db_path)
    try:
        assert schema.current_version(store.db) == schema.LATEST_VERSION
        assert "checklist_frozen_update" in schema.trigger_names(store.db)
        for cid in ids:
            row = Checklist.get_by_id(cid)
            assert row.status != "draft" and row.search_name == name_key(row.patient_name)
    finally:
        store.close()


def test_search_sorts_in_the_database_and_matches_word_starts(db_path):
    store = open_store(db_path, demo=True)
    try:
        make_records(store, 60, header_only=True)
        auditor = demo.ensure_demo_users(store)["demo.auditor"]
        rows = checklists.search(store, auditor, sort="patient_name", newest_first=False)
        keys = [name_key(r["patient_name"]) for r in rows]
        assert keys == sorted(keys)
        found = checklists.search(store, auditor, Filters(name="MULLER"))
        assert found and all("Müller" in r["patient_name"] for r in found)
        assert not checklists.search(store, auditor, Filters(name="uller"))
        assert not checklists.search(store, auditor, Filters(name="%"))
    finally:
        store.close()
