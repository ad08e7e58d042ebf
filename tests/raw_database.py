"""Raw access to a test database past the product: what a checker or an attacker would use.

The tests read row counts and tamper with stored rows without going through the services. A
database is either an SQLite file (``Path``) or a ``postgresql://`` URL; here both answer the
same calls. On PostgreSQL the raw connection is the cluster's superuser, and tampering sets
``session_replication_role = replica`` so the immutability triggers do not fire: the analogue
of dropping the triggers of an SQLite file, i.e. an attacker holding the owner's credentials.
SQL is written with ``?`` placeholders (SQLite's) and translated for psycopg.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

Database = Path | str


class DatabaseURL(str):
    """A ``postgresql://`` URL that also names the test's own folder as ``.parent``.

    Tests write their input files "next to the database" (``db.parent / "doc.json"``); on
    PostgreSQL there is no file, so ``.parent`` is the folder the SQLite file would be in.
    """

    parent: Path

    def __new__(cls, url: str, folder: Path) -> DatabaseURL:
        made = super().__new__(cls, url)
        made.parent = folder
        return made

    @property
    def dbname(self) -> str:
        return self.rsplit("/", 1)[1].split("?", 1)[0]


def errors() -> tuple[type[Exception], ...]:
    """The exceptions a refused raw statement raises (either engine's driver)."""
    import psycopg

    return (sqlite3.DatabaseError, psycopg.Error)


def is_postgres(db: Database) -> bool:
    return isinstance(db, str) and db.startswith(("postgresql://", "postgres://"))


def _pg_sql(sql: str, params: Sequence[Any]) -> str:
    return sql.replace("%", "%%").replace("?", "%s") if params else sql


@contextmanager
def _pg_connection(url: str, *, autocommit: bool) -> Iterator[Any]:
    import psycopg

    from tests.postgres_cluster import SUPERUSER, SUPERUSER_PASSWORD

    conn = psycopg.connect(url, user=SUPERUSER, password=SUPERUSER_PASSWORD, autocommit=autocommit)
    try:
        yield conn
    finally:
        conn.close()


def query(db: Database, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    """The rows of one read-only statement."""
    if is_postgres(db):
        with _pg_connection(str(db), autocommit=True) as conn, conn.cursor() as cur:
            cur.execute(_pg_sql(sql, params), params or None)
            return [tuple(r) for r in cur.fetchall()] if cur.description else []
    with closing(sqlite3.connect(db)) as conn:
        return conn.execute(sql, params).fetchall()


def table_names(db: Database) -> list[str]:
    """The product's tables (not the engine's own)."""
    if is_postgres(db):
        rows = query(
            db,
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
        )
    else:
        rows = query(
            db, "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
        )
    return sorted(r[0] for r in rows)


def table_counts(db: Database, tables: Sequence[str] | None = None) -> dict[str, int]:
    """Rows per table (every table of the product when ``tables`` is None)."""
    names = list(tables) if tables is not None else table_names(db)
    return {n: int(query(db, f'SELECT count(*) FROM "{n}"')[0][0]) for n in names}


class _PgRaw:
    """A psycopg cursor that takes SQLite's ``?`` placeholders, like ``sqlite3.Connection``."""

    def __init__(self, cursor: Any) -> None:
        self.cursor = cursor

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        self.cursor.execute(_pg_sql(sql, params), tuple(params) or None)
        return self.cursor


@contextmanager
def tampering(db: Database) -> Iterator[Any]:
    """One transaction past the product with the immutability triggers out of the way; yields
    an object whose ``execute(sql, params)`` returns a cursor (``?`` placeholders)."""
    if is_postgres(db):
        with (
            _pg_connection(str(db), autocommit=False) as conn,
            conn.transaction(),
            conn.cursor() as cur,
        ):
            cur.execute("SET LOCAL session_replication_role = replica")
            yield _PgRaw(cur)
        return
    with closing(sqlite3.connect(db)) as conn:
        triggers = [
            r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='trigger'")
        ]
        assert triggers, "the database should have read-only triggers"
        with conn:
            for name in triggers:
                conn.execute(f'DROP TRIGGER "{name}"')
            yield conn


def tamper(db: Database, *statements: str | tuple[str, Sequence[Any]]) -> list[int]:
    """Run ``statements`` in one transaction with the immutability triggers out of the way;
    the number of rows each changed. A statement is SQL or ``(sql, params)``."""
    counts: list[int] = []
    with tampering(db) as conn:
        for item in statements:
            sql, params = (item, ()) if isinstance(item, str) else item
            counts.append(conn.execute(sql, tuple(params)).rowcount)
    return counts


def fingerprint(db: Database) -> str:
    """A digest that changes when anything stored changes: the file's bytes on SQLite, every
    row of every table on PostgreSQL."""
    if not is_postgres(db):
        return hashlib.sha256(Path(db).read_bytes()).hexdigest()
    digest = hashlib.sha256()
    for table in table_names(db):
        rows = query(db, f'SELECT * FROM "{table}"')
        digest.update(table.encode())
        for row in sorted(repr(r) for r in rows):
            digest.update(row.encode())
    return digest.hexdigest()


def execute(db: Database, sql: str, *params: Any) -> int:
    """Change rows past the product, triggers left in place; the number of rows changed."""
    if is_postgres(db):
        with _pg_connection(str(db), autocommit=True) as conn, conn.cursor() as cur:
            cur.execute(_pg_sql(sql, params), params or None)
            return cur.rowcount
    with closing(sqlite3.connect(db)) as conn, conn:
        return conn.execute(sql, params).rowcount


def exists(db: Database) -> bool:
    """Whether the database is there at all (a PostgreSQL test database always is)."""
    return is_postgres(db) or Path(db).exists()


def stored_files(db: Database) -> list[Path]:
    """The files on disk that hold the database's rows: the SQLite file (and its -wal), or the
    PostgreSQL database's own folder under the server's data directory (after a CHECKPOINT, so
    every committed row is in them)."""
    if not is_postgres(db):
        return [p for p in (Path(db), Path(f"{db}-wal")) if p.exists()]
    with _pg_connection(str(db), autocommit=True) as conn:
        conn.execute("CHECKPOINT")
        row = conn.execute(
            "SELECT current_setting('data_directory'), oid FROM pg_database "
            "WHERE datname = current_database()"
        ).fetchone()
    assert row is not None
    folder = Path(row[0]) / "base" / str(row[1])
    return sorted(p for p in folder.iterdir() if p.is_file())
