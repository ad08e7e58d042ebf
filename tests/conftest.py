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
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from tests.postgres_cluster import PostgresCluster, find_bindir, start_cluster  # noqa: E402
from vpchecklist.services import Actor, users  # noqa: E402
from vpchecklist.store import Store, open_store  # noqa: E402

#: A test database: an SQLite file, or a ``postgresql://`` URL on ``--backend postgresql``.
Database = Path | str

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


@pytest.fixture
def new_db(
    request: pytest.FixtureRequest, backend: str, tmp_path: Path
) -> Iterator[Callable[[str], Database]]:
    """Makes another empty database for this test: ``new_db("other")`` is a file under
    ``tmp_path/other/`` on SQLite, a new database owned by ``vp`` on PostgreSQL."""
    made: list[str] = []
    cluster: PostgresCluster | None = None
    if backend == "postgresql":
        cluster = request.getfixturevalue("postgres_cluster")

    def make(label: str = "data") -> Database:
        if cluster is None:
            return tmp_path / label / "vpchecklist.sqlite"
        name = cluster.new_database()
        made.append(name)
        return cluster.url(name)

    yield make
    if cluster is not None:
        for name in made:
            cluster.drop_database(name)


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
