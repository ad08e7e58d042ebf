"""The test server itself: real password authentication, a database per test, restarts.

These run on the PostgreSQL backend only (``--backend postgresql``): they check the
infrastructure every other PostgreSQL test stands on.
"""

from __future__ import annotations

import os
from pathlib import Path

import psycopg
import pytest

from tests.postgres_cluster import APP_ROLE, PostgresCluster

pytestmark = pytest.mark.postgresql_only


def test_the_app_role_signs_in_with_the_password_from_pgpassfile(
    postgres_cluster: PostgresCluster,
) -> None:
    passfile = Path(os.environ["PGPASSFILE"])
    assert passfile == postgres_cluster.passfile
    assert passfile.stat().st_mode & 0o077 == 0  # libpq ignores a file others can read
    name = postgres_cluster.new_database()
    with psycopg.connect(postgres_cluster.url(name)) as conn:
        user, db, superuser = conn.execute(
            "SELECT current_user, current_database(), usesuper FROM pg_user "
            "WHERE usename = current_user"
        ).fetchone()
    assert (user, db, superuser) == (APP_ROLE, name, False)
    postgres_cluster.drop_database(name)


def test_a_wrong_or_missing_password_is_refused(
    postgres_cluster: PostgresCluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = postgres_cluster.url("postgres")
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(url, password="not-the-password")
    empty = tmp_path / "pgpass"
    empty.write_text("")
    empty.chmod(0o600)
    monkeypatch.setenv("PGPASSFILE", str(empty))
    monkeypatch.delenv("PGPASSWORD", raising=False)
    with pytest.raises(psycopg.OperationalError, match="no password supplied"):
        psycopg.connect(url)


def test_the_database_belongs_to_the_app_role_which_is_not_superuser(
    db_path: str, postgres_cluster: PostgresCluster
) -> None:
    assert db_path.startswith(f"postgresql://{APP_ROLE}@127.0.0.1:{postgres_cluster.port}/")
    name = db_path.rsplit("/", 1)[1]
    rows = postgres_cluster.psql(
        "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = %s", params=(name,)
    )
    assert rows == [(APP_ROLE,)]


def test_terminate_ends_other_sessions_and_restart_keeps_the_data(
    db_path: str, postgres_cluster: PostgresCluster
) -> None:
    name = db_path.rsplit("/", 1)[1]
    with psycopg.connect(db_path, autocommit=True) as conn:
        conn.execute("CREATE TABLE kept (n int)")
        conn.execute("INSERT INTO kept VALUES (42)")
    victim = psycopg.connect(db_path, autocommit=True)
    assert postgres_cluster.terminate(name) == 1
    with pytest.raises(psycopg.OperationalError):
        victim.execute("SELECT 1")
    victim.close()
    postgres_cluster.restart()
    assert postgres_cluster.is_running()
    with psycopg.connect(db_path) as conn:
        assert conn.execute("SELECT n FROM kept").fetchall() == [(42,)]
