"""Shared fixtures: every test gets a fresh private database and its own data/log folders.

``--backend postgresql`` runs the same tests against a real PostgreSQL server (one throwaway
cluster per session, see ``tests/postgres_cluster.py``): each test's database is then a new
database on it, owned by the non-superuser role ``vp``, and the database fixtures hand out its
``postgresql://`` URL instead of a file path. Tests about the SQLite *file* itself are marked
``sqlite_only`` and deselected there; tests of PostgreSQL alone are ``postgresql_only``.
"""

from __future__ import annotations

import atexit
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from tests.postgres_cluster import PostgresCluster, find_bindir, start_cluster  # noqa: E402
from tests.raw_database import Database, DatabaseURL  # noqa: E402
from vpchecklist.services import Actor, users  # noqa: E402
from vpchecklist.store import Store, open_store  # noqa: E402

_DESELECTED = pytest.StashKey[int]()

PASSWORDS = {
    "admin": "admin-password-1",
    "nurse": "nurse-password-1",
    "physician": "physician-password-1",
    "auditor": "auditor-password-1",
}


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point the default data and log folders into the test's temp dir."""
    monkeypatch.setenv("VPCHECKLIST_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("VPCHECKLIST_DB", raising=False)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--backend",
        choices=("sqlite", "postgresql"),
        default="sqlite",
        help="database backend of the tests: sqlite (a file per test, the default) or "
        "postgresql (a throwaway PostgreSQL server started from the installed binaries)",
    )


def backend_of(config: pytest.Config) -> str:
    return str(config.getoption("--backend"))


def pytest_configure(config: pytest.Config) -> None:
    if backend_of(config) == "postgresql" and find_bindir() is None:
        raise pytest.UsageError(
            "--backend postgresql needs the PostgreSQL server binaries (initdb, pg_ctl), and "
            "none were found in /usr/lib/postgresql/*/bin or by pg_config: install Debian's "
            "postgresql package."
        )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect (not skip) the tests that cannot mean anything on this backend."""
    other = "sqlite_only" if backend_of(config) == "postgresql" else "postgresql_only"
    kept, dropped = [], []
    for item in items:
        (dropped if item.get_closest_marker(other) else kept).append(item)
    config.stash[_DESELECTED] = len(dropped)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: object, error: object) -> None:
    """xdist: the controller collects nothing, so each worker reports its own count."""
    output = getattr(node, "workeroutput", {})
    config = getattr(node, "config", None)
    if config is not None and "backend_deselected" in output:
        config.stash[_DESELECTED] = max(
            config.stash.get(_DESELECTED, 0), int(output["backend_deselected"])
        )


def pytest_sessionfinish(session: pytest.Session) -> None:
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["backend_deselected"] = session.config.stash.get(_DESELECTED, 0)


def pytest_terminal_summary(terminalreporter: object, config: pytest.Config) -> None:
    count = config.stash.get(_DESELECTED, 0)
    if count:
        marker = "sqlite_only" if backend_of(config) == "postgresql" else "postgresql_only"
        terminalreporter.write_line(  # type: ignore[attr-defined]
            f"backend {backend_of(config)}: {count} tests deselected as {marker}"
        )


@pytest.fixture(scope="session")
def backend(pytestconfig: pytest.Config) -> str:
    """``sqlite`` or ``postgresql`` (the ``--backend`` option)."""
    return backend_of(pytestconfig)


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresCluster]:
    """This session's throwaway PostgreSQL server (started on first use, removed at the end)."""
    cluster = start_cluster()
    atexit.register(cluster.remove)  # also after an interrupted session
    try:
        yield cluster
    finally:
        cluster.remove()


class DatabaseMaker:
    """Makes test databases on the session's backend: files on SQLite; on PostgreSQL new
    databases on the session's cluster, owned by the app role ``vp``."""

    def __init__(self, cluster: PostgresCluster | None) -> None:
        self.cluster = cluster

    def new(self, folder: Path, filename: str = "vpchecklist.sqlite") -> Database:
        """An empty database "in" ``folder`` (on PostgreSQL the folder is just made)."""
        if self.cluster is None:
            return folder / filename
        folder.mkdir(parents=True, exist_ok=True)
        return DatabaseURL(self.cluster.url(self.cluster.new_database()), folder)

    def copy(self, source: Database, folder: Path) -> Database:
        """A copy of the closed database ``source`` (a file copy, or CREATE DATABASE … TEMPLATE)."""
        if self.cluster is None:
            folder.mkdir(parents=True, exist_ok=True)
            target = folder / Path(source).name
            shutil.copy(source, target)
            return target
        assert isinstance(source, DatabaseURL)
        folder.mkdir(parents=True, exist_ok=True)
        name = self.cluster.new_database(template=source.dbname)
        return DatabaseURL(self.cluster.url(name), folder)

    def replace(self, db: Database, source: Database) -> None:
        """Make ``db`` a copy of the closed ``source`` (an older copy put back in its place)."""
        if self.cluster is None:
            shutil.copy(source, db)
            for suffix in ("-wal", "-shm"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)
            return
        assert isinstance(db, DatabaseURL) and isinstance(source, DatabaseURL)
        self.cluster.drop_database(db.dbname)
        self.cluster.create_database(db.dbname, template=source.dbname)

    def drop(self, db: Database) -> None:
        if self.cluster is not None and isinstance(db, DatabaseURL):
            self.cluster.drop_database(db.dbname)


@pytest.fixture(scope="session")
def databases(request: pytest.FixtureRequest, backend: str) -> DatabaseMaker:
    cluster = request.getfixturevalue("postgres_cluster") if backend == "postgresql" else None
    return DatabaseMaker(cluster)


@pytest.fixture
def new_db(databases: DatabaseMaker, tmp_path: Path) -> Iterator[Callable[[str], Database]]:
    """Makes another empty database for this test: ``new_db("other")`` is a file under
    ``tmp_path/other/`` on SQLite, a new database owned by ``vp`` on PostgreSQL (dropped after
    the test)."""
    made: list[Database] = []

    def make(label: str = "data") -> Database:
        db = databases.new(tmp_path / label)
        made.append(db)
        return db

    yield make
    for db in made:
        databases.drop(db)


@pytest.fixture
def db_path(new_db: Callable[[str], Database]) -> Database:
    """This test's database: ``tmp_path/data/vpchecklist.sqlite``, or a PostgreSQL URL."""
    return new_db("data")


@pytest.fixture
def store(db_path: Database) -> Iterator[Store]:
    s = open_store(db_path)
    yield s
    s.close()


@pytest.fixture
def actors(store: Store) -> dict[str, Actor]:
    """One user of every role; passwords in ``PASSWORDS``."""
    admin = users.create_first_admin(store, "admin", "Ada Admin", PASSWORDS["admin"])
    out = {"admin": admin}
    names = {"nurse": "Nina Nurse", "physician": "Dr Paul Physician", "auditor": "Audrey Auditor"}
    for role, full_name in names.items():
        out[role] = users.add_user(
            store, admin, role, role, full_name, PASSWORDS[role], must_change_password=False
        )
    return out
