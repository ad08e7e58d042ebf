"""The PL/pgSQL guard functions read the schema's tables, never a session's temporary ones."""

from __future__ import annotations

import pytest

from vpchecklist.errors import StorageError
from vpchecklist.services import Actor
from vpchecklist.store import Store
from vpchecklist.store.models import User

pytestmark = pytest.mark.postgresql_only


def test_a_temporary_audit_event_table_cannot_forge_the_latest_subject(
    store: Store, actors: dict[str, Actor]
) -> None:
    # A session that may create temporary tables shadows audit_event with a forged newest
    # event naming the account it is about to change without an audit event of its own.
    store.db.execute_sql("CREATE TEMP TABLE audit_event (seq integer, subject varchar(255))")
    store.db.execute_sql("INSERT INTO pg_temp.audit_event VALUES (999999, 'user:nurse')")
    assert store.db.execute_sql("SELECT vp_latest_subject()").fetchone()[0] != "user:nurse"
    with pytest.raises(StorageError, match="audited service"), store.transaction():
        User.update(role="admin").where(User.username == "nurse").execute()
    assert User.get(User.username == "nurse").role == "nurse"
