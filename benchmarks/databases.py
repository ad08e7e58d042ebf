"""Fresh databases for a benchmark run: SQLite files always, and with ``--db postgresql://…``
the same figures on that PostgreSQL server (issue 14: "print figures for both backends").

On the server each benchmark database is created beside the one the URL names
(``<dbname>_bench_<name>_<pid>``; the account needs CREATEDB) and dropped at the end.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


class Databases:
    """Hands out new database locations on one backend and removes them afterwards."""

    def __init__(self, folder: Path, server_url: str | None = None) -> None:
        self.folder = folder
        self.server_url = server_url
        self.made: list[str] = []
        if server_url:
            from vpchecklist.store.location import PostgresTarget

            self.target = PostgresTarget.parse(server_url)
            self.name = f"PostgreSQL ({self.target.label.removeprefix('PostgreSQL ')})"
        else:
            self.name = f"SQLite (files in {folder})"

    def _admin(self) -> Any:
        import psycopg

        return psycopg.connect(
            dbname=self.target.dbname, autocommit=True, **self.target.connect_params()
        )

    def new(self, name: str) -> Path | str:
        if not self.server_url:
            return self.folder / f"{name}.sqlite"
        dbname = f"{self.target.dbname}_bench_{name}_{os.getpid()}"
        with self._admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{dbname}"')
        self.made.append(dbname)
        base, _, _ = self.server_url.partition("?")
        query = self.server_url[len(base) :]
        return base.rsplit("/", 1)[0] + f"/{dbname}" + query

    def floor_label(self) -> str:
        """What the durable-write floor is on this backend."""
        if self.server_url:
            return "one-row write transaction committed on the server (WAL flush)"
        return "one-row durable write transaction (fsync, synchronous=FULL)"

    def drop_all(self) -> None:
        if not self.made:
            return
        with self._admin() as conn:
            for dbname in self.made:
                conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
        self.made.clear()


@contextmanager
def backends(folder: Path, server_url: str | None) -> Iterator[list[Databases]]:
    """SQLite, then the server when one is given; every server database dropped at the end."""
    runs = [Databases(folder / "sqlite")]
    if server_url:
        runs.append(Databases(folder / "postgresql", server_url))
    for run in runs:
        run.folder.mkdir(parents=True, exist_ok=True)
    try:
        yield runs
    finally:
        for run in runs:
            run.drop_all()
