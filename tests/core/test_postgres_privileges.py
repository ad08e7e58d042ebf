"""Issue 14, privileges SQLite cannot give: ``db setup-postgres`` run by IT as the database owner,
then the workstations' app role on a real PostgreSQL server.

The app role, connected through the product with its own URL, cannot drop a trigger, change a
signed answer (even with raw SQL, bypassing the services), delete an audit event or empty a
table; yet every service verb works as the app role and ``audit verify`` passes.

These tests use the session's throwaway server (the ``postgres_cluster`` fixture) and are
``postgresql_only``: they run in CI's PostgreSQL run, and a machine without the server binaries
can still run the SQLite suite.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import peewee
import pytest

from tests.core.conftest import Checklist as Documents
from tests.postgres_cluster import SUPERUSER, PostgresCluster
from vpchecklist.cli.app import main
from vpchecklist.errors import AuthError, StorageError
from vpchecklist.resources import templates_dir
from vpchecklist.services import (
    Actor,
    auth,
    checklists,
    integrity,
    schedule,
    settings,
    signing,
    users,
)
from vpchecklist.services import templates as template_service
from vpchecklist.store import Store, open_store
from vpchecklist.store.schema import LATEST_VERSION

pytestmark = pytest.mark.postgresql_only

OWNER, OWNER_PASSWORD = "vp_owner", "vp-owner-password-1"
APP, APP_PASSWORD = "vp_app", "vp-app-password-1"
PW = {"admin": "admin-password-1", "nurse": "nurse-password-1", "auditor": "auditor-password-1"}
DAY = Path(__file__).parent / "data" / "schedule-day.hl7"


@pytest.fixture
def server(postgres_cluster: PostgresCluster) -> Iterator[tuple[PostgresCluster, str]]:
    """A new empty database owned by ``vp_owner``; the role ``vp_app`` exists (IT made both)."""
    postgres_cluster.create_role(OWNER, OWNER_PASSWORD)
    postgres_cluster.create_role(APP, APP_PASSWORD)
    name = postgres_cluster.new_database(owner=OWNER, prefix="vp_priv")
    yield postgres_cluster, name
    postgres_cluster.drop_database(name)


def cli(capsys: pytest.CaptureFixture[str], *argv: str, stdin: str = "") -> tuple[int, str, str]:
    """Run ``vpchecklist ARGV`` in this process: exit status, stdout, stderr."""
    out = io.StringIO()
    capsys.readouterr()
    code = main(list(argv), stdin=io.StringIO(stdin), out=out)
    return code, out.getvalue(), capsys.readouterr().err


def setup(capsys: pytest.CaptureFixture[str], cluster: PostgresCluster, name: str) -> str:
    code, out, err = cli(
        capsys, "--db", cluster.url(name, OWNER), "db", "setup-postgres", "--app-role", APP
    )
    assert code == 0, err
    return out


def _acl(cluster: PostgresCluster, name: str) -> list[Any]:
    return cluster.psql(
        "SELECT c.relname, c.relacl::text FROM pg_class c JOIN pg_namespace n "
        "ON n.oid = c.relnamespace WHERE n.nspname = 'public' ORDER BY 1",
        db=name,
    ) + cluster.psql("SELECT datacl::text FROM pg_database WHERE datname = %s", params=(name,))


def test_setup_creates_the_schema_as_the_owner_and_is_idempotent(
    capsys: pytest.CaptureFixture[str], server: tuple[PostgresCluster, str]
) -> None:
    cluster, name = server
    first = setup(capsys, cluster, name)
    assert f"Schema public: created (version {LATEST_VERSION}), owned by vp_owner" in first
    assert "vp_app: DELETE on answer, acknowledgement" in first
    assert (
        "vp_app: no UPDATE or DELETE on signature, addendum, audit_event, answer_history, "
        "completion_summary, schema_version, database_info" in first
    )
    owners = cluster.psql(
        "SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'", db=name
    )
    assert owners == [(OWNER,)]
    after_first = _acl(cluster, name)

    code, out, err = cli(
        capsys,
        "--db",
        cluster.url(name, OWNER),
        "db",
        "setup-postgres",
        "--app-role",
        APP,
        "--format",
        "json",
    )
    assert code == 0, err
    report = json.loads(out)
    assert (report["schema_version_before"], report["schema_version"]) == (LATEST_VERSION,) * 2
    assert report["app_role"] == APP and report["owner"] == OWNER and report["problems"] == []
    assert report["grants"]["delete"] == ["answer", "acknowledgement"]
    assert report["grants"]["update"]["setting"] == ["value"]
    assert _acl(cluster, name) == after_first  # the same privileges, granted afresh

    # Something granted by hand in between is taken back by the next run.
    cluster.psql(f"GRANT UPDATE, DELETE, TRUNCATE ON signature TO {APP}", db=name)
    cluster.psql(f"GRANT CREATE ON SCHEMA public TO {APP}", db=name)
    assert f"already current (version {LATEST_VERSION})" in setup(capsys, cluster, name)
    assert _acl(cluster, name) == after_first
    actions = cluster.psql(
        "SELECT action, username FROM audit_event WHERE action = 'database_setup'", db=name
    )
    assert actions == [("database_setup", None)] * 3


def test_setup_refuses_a_missing_or_unfit_app_role_and_changes_nothing(
    capsys: pytest.CaptureFixture[str], server: tuple[PostgresCluster, str]
) -> None:
    cluster, name = server
    owner_url = cluster.url(name, OWNER)
    code, out, err = cli(capsys, "--db", owner_url, "db", "setup-postgres", "--app-role", "nobody")
    assert code == 2 and out == ""
    assert "has no role nobody" in err and "CREATE ROLE" in err and "Nothing was changed" in err
    assert err.count("\n") == 1 and "Traceback" not in err
    for role, words in ((OWNER, "another account than the owner"), (SUPERUSER, "is a superuser")):
        code, _out, err = cli(capsys, "--db", owner_url, "db", "setup-postgres", "--app-role", role)
        assert code == 2 and words in err, err
    # Not the database's owner: refused before anything is created.
    code, _out, err = cli(
        capsys, "--db", cluster.url(name, APP), "db", "setup-postgres", "--app-role", OWNER
    )
    assert code == 2 and "Run setup-postgres as the owner of the database" in err, err
    assert cluster.psql("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'", db=name) == [
        (0,)
    ]
    # An SQLite file is not a server database.
    code, _out, err = cli(
        capsys, "--db", str(Path("/tmp/x.sqlite")), "db", "setup-postgres", "--app-role", APP
    )
    assert code == 2 and "is an SQLite file" in err


def _work_as_the_app_role(store: Store) -> tuple[dict[str, Actor], int, int]:
    """Every kind of write the workstations make; returns the actors, a signed and a draft id."""
    admin = users.create_first_admin(store, "admin", "Ada Admin", PW["admin"])
    nurse = users.add_user(
        store, admin, "nurse", "nurse", "Nina Nurse", PW["nurse"], must_change_password=False
    )
    users.add_user(store, admin, "auditor", "auditor", "Audrey Auditor", "initial-password-1")
    auditor = auth.change_password(store, "auditor", "initial-password-1", PW["auditor"])
    for _ in range(2):
        with pytest.raises(AuthError):
            auth.authenticate(store, "nurse", "wrong-password-1")
    users.unlock_user(store, admin, "nurse")
    users.disable_user(store, admin, "auditor")
    users.enable_user(store, admin, "auditor")
    users.reset_password(store, admin, "auditor", "reset-password-1")
    auditor = auth.change_password(store, "auditor", "reset-password-1", PW["auditor"])
    settings.update(store, admin, {"site_name": "Spine Unit", "schedule_levels_field": "NTE"})
    settings.update(store, admin, {"site_name": "Spine Unit, room 2"})
    for version in ("v1", "v2"):
        template_service.activate_template(
            store, admin, str(templates_dir() / f"vertebroplasty-{version}.toml")
        )
    schedule.import_file(store, nurse, DAY)
    visit = schedule.upcoming(store, nurse)[0]
    header = checklists.parse_header(
        {
            "patient": {
                "name": visit["name"],
                "date_of_birth": visit["date_of_birth"],
                "mrn": visit["mrn"],
            },
            "levels": visit["levels"] or ["L2"],
            "planned_start": visit["planned_start"],
            "physician": visit["physician"] or "Dr Example",
        },
        template_service.active_template(),
    )
    draft = schedule.start_from_appointment(store, nurse, visit["id"], header)
    checklists.answer(store, nurse, draft, "consent.signed", "yes")
    checklists.answer(store, nurse, draft, "consent.signed", "no")
    checklists.clear_answer(store, nurse, draft, "consent.signed")

    signed = checklists.create_from_document(store, nurse, Documents.doc(["L2"], history__inr=1.6))
    checklists.answer(store, nurse, signed, "history.inr", 1.7)
    for reason in ("discussed with IR", "discussed with IR, proceed"):
        checklists.acknowledge(store, nurse, signed, "history.inr", reason, "Dr A. Radiologist")
    signing.sign(store, nurse, signed, PW["nurse"], "ready")
    signing.add_addendum(store, nurse, signed, "Levels re-checked on imaging.", PW["nurse"])
    return {"admin": admin, "nurse": nurse, "auditor": auditor}, signed, draft


def _refused(store: Store, sql: str, params: tuple[Any, ...] = ()) -> str:
    """Run ``sql`` on the product's own connection (the app role); the server's refusal."""
    with pytest.raises(peewee.DatabaseError) as caught, store.db.atomic():
        store.db.execute_sql(sql, params or None)
    return str(caught.value).lower()


def test_the_app_role_works_fully_and_cannot_undo_the_protections(
    capsys: pytest.CaptureFixture[str],
    server: tuple[PostgresCluster, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from argon2 import PasswordHasher

    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024))
    cluster, name = server
    setup(capsys, cluster, name)
    app_url = cluster.url(name, APP)
    store = open_store(app_url)
    try:
        assert store.db.execute_sql("SELECT current_user").fetchone()[0] == APP
        _actors, signed, draft = _work_as_the_app_role(store)
        report = integrity.verify(store)
        assert report.intact, report.problems
        signature_count = store.db.execute_sql("SELECT count(*) FROM signature").fetchone()[0]
        assert signature_count == 2  # the record and its addendum

        # No DDL: a trigger cannot be dropped or disabled, nothing new created.
        assert "must be owner" in _refused(store, 'DROP TRIGGER answer_frozen_update ON "answer"')
        assert "must be owner" in _refused(
            store, 'ALTER TABLE "answer" DISABLE TRIGGER answer_frozen_update'
        )
        assert "permission denied" in _refused(store, "SET session_replication_role = replica")
        assert "permission denied" in _refused(store, "CREATE TABLE evil (x int)")
        assert "permission denied" in _refused(store, "CREATE TEMP TABLE audit_event (x int)")
        assert "permission denied" in _refused(
            store, "CREATE FUNCTION evil() RETURNS int LANGUAGE sql AS 'SELECT 1'"
        )
        # A signed answer cannot be changed, even with raw SQL past the services.
        assert "signed content is read-only" in _refused(
            store,
            "UPDATE answer SET value = '\"no\"' WHERE checklist_id = %s AND item_id = %s",
            (signed, "consent.signed"),
        )
        assert "signed content is read-only" in _refused(
            store, "DELETE FROM answer WHERE checklist_id = %s", (signed,)
        )
        # Signatures and audit events: no UPDATE, no DELETE at all.
        assert "permission denied" in _refused(store, "DELETE FROM audit_event")
        assert "permission denied" in _refused(store, "UPDATE audit_event SET detail = ''")
        assert "permission denied" in _refused(store, "UPDATE signature SET reason = 'x'")
        assert "permission denied" in _refused(store, "DELETE FROM signature")
        assert "permission denied" in _refused(store, "UPDATE \"user\" SET role = 'admin'")
        # No table can be emptied.
        for table in ("audit_event", "signature", "answer", "checklist", "appointment"):
            assert "permission denied" in _refused(store, f'TRUNCATE "{table}" CASCADE')

        # The service layer says it in one sentence, and nothing changed.
        with (
            pytest.raises(StorageError, match="is not allowed to do this") as caught,
            store.transaction(),
        ):
            store.db.execute_sql("DELETE FROM audit_event")
        assert "vp_app" in str(caught.value)
        assert integrity.verify(store).intact
        assert checklists.stored_detail(store, draft)["status"] == "draft"
    finally:
        store.close()

    code, out, err = cli(capsys, "--db", app_url, "audit", "verify")
    assert code == 0, err


def test_db_check_on_the_server_checks_triggers_and_privileges(
    capsys: pytest.CaptureFixture[str], server: tuple[PostgresCluster, str]
) -> None:
    cluster, name = server
    setup(capsys, cluster, name)
    owner_url, app_url = cluster.url(name, OWNER), cluster.url(name, APP)
    healthy = "is healthy (schema version, triggers, privileges)."

    code, out, err = cli(capsys, "--db", app_url, "db", "check")
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "Privileges checked for the account vp_app.",
        f"Database PostgreSQL vp_app@127.0.0.1:{cluster.port}/{name} {healthy}",
    ]
    code, out, err = cli(capsys, "--db", owner_url, "db", "check")
    assert (code, err) == (0, "")
    assert out.splitlines()[:2] == [
        "Connected as the owner vp_owner: the protections against the app role do not apply "
        "to this account; the workstations connect as the app role.",
        "Privileges checked for: vp_app.",
    ]
    code, out, _err = cli(capsys, "--db", cluster.url(name, SUPERUSER), "db", "check")
    assert code == 0 and "a superuser: no privilege restrains this account" in out

    # The owner grants too much by hand and disables a trigger: both named, exit 1.
    cluster.psql(f"GRANT UPDATE ON signature TO {APP}", db=name)
    cluster.psql(f"GRANT TRUNCATE ON audit_event TO {APP}", db=name)
    cluster.psql('ALTER TABLE "answer" DISABLE TRIGGER answer_frozen_update', db=name)
    for url in (app_url, owner_url):
        code, out, err = cli(capsys, "--db", url, "db", "check")
        assert code == 1 and healthy not in out
        assert "The protective trigger answer_frozen_update is missing." in err
        assert "The account vp_app may UPDATE the table signature." in err
        assert "The account vp_app may TRUNCATE the table audit_event." in err
        assert err.splitlines()[-1].endswith(
            "(it re-creates missing triggers and grants the privileges afresh)."
        )
    # What the last line says repairs it.
    out = setup(capsys, cluster, name)
    assert "Triggers re-created: answer_frozen_update" in out
    code, out, err = cli(capsys, "--db", app_url, "db", "check")
    assert (code, err) == (0, ""), err
