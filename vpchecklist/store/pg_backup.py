"""Backups of a PostgreSQL database with the server's own client tools: ``pg_dump -Fc`` out,
``pg_restore`` into an empty database back in (``services.backups`` decides and checks).

Why the client tools and not our own copy: a custom-format dump is what hospital IT already
knows how to keep, inspect and restore by hand, and it is consistent without stopping the
workstations. The dump is taken in a snapshot this module exports first, so the chain head read
in that snapshot is exactly the dump's (the anchor written beside it can be trusted).
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import psycopg

from vpchecklist.clock import utc_now
from vpchecklist.errors import StorageError
from vpchecklist.store import events, postgres
from vpchecklist.store.location import PostgresTarget

log = logging.getLogger(__name__)

#: Where Debian and Ubuntu install the client tools of each PostgreSQL version, besides PATH.
CLIENT_FOLDERS = "/usr/lib/postgresql/*/bin"
SUFFIX = ".dump"


def find_tool(name: str) -> Path:
    """``pg_dump`` or ``pg_restore``: on PATH, else the newest ``/usr/lib/postgresql/N/bin``."""
    found = shutil.which(name)
    if found:
        return Path(found)
    folders = sorted(
        (p for p in Path("/").glob(CLIENT_FOLDERS.lstrip("/")) if p.parent.name.isdigit()),
        key=lambda p: int(p.parent.name),
        reverse=True,
    )
    for folder in folders:
        if (folder / name).is_file() and os.access(folder / name, os.X_OK):
            return folder / name
    raise StorageError(
        f"The PostgreSQL client tools ({name}) are not installed on this computer; install "
        "them (Debian and Ubuntu: apt install postgresql-client) or run this where they are. "
        "Nothing was written."
    )


def default_name(folder: Path) -> Path:
    stamp = utc_now()[:19].replace(":", "").replace("-", "")
    return folder / f"vpchecklist-{stamp}{SUFFIX}"


def _conninfo(target: PostgresTarget) -> str:
    """The connection for the tools, without the password (that goes in their environment)."""
    from psycopg.conninfo import make_conninfo

    params = {k: v for k, v in target.connect_params().items() if k != "password"}
    return make_conninfo(dbname=target.dbname, **params)


def _environment(target: PostgresTarget) -> dict[str, str]:
    """A typed password reaches the child in ``PGPASSWORD``; otherwise libpq finds it in
    ``PGPASSWORD`` or ``~/.pgpass`` as for the app."""
    env = dict(os.environ)
    if target.password is not None:
        env["PGPASSWORD"] = target.password
    return env


def _run(command: list[str], target: PostgresTarget, **kwargs: object) -> None:
    result = subprocess.run(  # noqa: S603 - the tool's path and our own arguments
        command,
        env=_environment(target),
        stdin=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        check=False,
        **kwargs,  # type: ignore[call-overload]
    )
    if result.returncode != 0:
        text = result.stderr.decode("utf-8", "replace").strip()
        log.warning("%s failed (%s)", Path(command[0]).name, result.returncode)
        raise _tool_error(Path(command[0]).name, text, target)


def _tool_error(tool: str, text: str, target: PostgresTarget) -> StorageError:
    if any(
        phrase in text.lower()
        for phrase in ("password", "could not connect", "connection to server", "pg_hba")
    ):
        return postgres.connect_error(Exception(text), target)
    first = next((line for line in text.splitlines() if line.strip()), "no message")
    return StorageError(f"{tool} failed on {target.label}: {first}")


def _connect(target: PostgresTarget) -> psycopg.Connection[Any]:

    try:
        return psycopg.connect(dbname=target.dbname, **target.connect_params())
    except psycopg.Error as exc:
        raise postgres.connect_error(exc, target) from exc


def dump(target: PostgresTarget, out: Path) -> events.Head:
    """Write ``pg_dump -Fc`` of ``target`` to ``out`` (0600, under a temporary name until it is
    complete and reads back whole); returns the chain head of what was dumped."""
    pg_dump, pg_restore = find_tool("pg_dump"), find_tool("pg_restore")
    out.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    partial = out.with_name(out.name + ".partial")
    conn = _connect(target)
    try:
        conn.read_only = True
        # REPEATABLE READ: one snapshot for the head and the dump.
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        (snapshot,) = conn.execute("SELECT pg_export_snapshot()").fetchone() or ("",)
        row = conn.execute(
            "SELECT seq, event_hash, at FROM audit_event WHERE seq IS NOT NULL "
            "ORDER BY seq DESC LIMIT 1"
        ).fetchone()
        head = events.Head(row[0], row[1], row[2]) if row else events.Head(0, "0" * 64, "")
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0)
        fd = os.open(partial, flags | getattr(os, "O_BINARY", 0), 0o600)
        try:
            with os.fdopen(fd, "wb") as sink:
                _run(
                    [
                        str(pg_dump),
                        "--format=custom",
                        "--no-password",
                        f"--snapshot={snapshot}",
                        "--dbname",
                        _conninfo(target),
                    ],
                    target,
                    stdout=sink,
                )
                sink.flush()
                os.fsync(sink.fileno())
            # The whole archive must read back: a cut-short or damaged file fails here.
            problems = check_archive(partial, pg_restore)
            if problems:
                raise StorageError(f"The backup failed its check: {problems[0]}.")
            os.replace(partial, out)
        except BaseException:
            with contextlib.suppress(OSError):
                partial.unlink()
            raise
    finally:
        conn.close()
    out.chmod(0o600)
    return head


def check_archive(path: Path, pg_restore: Path | None = None) -> list[str]:
    """Problems that make ``path`` unusable as a ``pg_dump -Fc`` backup (empty list = good):
    every block of it is read, as a restore would."""
    tool = pg_restore or find_tool("pg_restore")
    result = subprocess.run(  # noqa: S603 - the tool's path and our own arguments
        [str(tool), "--file", os.devnull, str(path)],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        check=False,
    )
    if result.returncode == 0:
        return []
    text = result.stderr.decode("utf-8", "replace").strip()
    first = next((line for line in text.splitlines() if line.strip()), "unreadable")
    return [f"{path.name} cannot be read back ({first})"]


def non_empty_reason(target: PostgresTarget) -> str | None:
    """Why ``target`` is not an empty database (a restore never mixes with what is there)."""
    conn = _connect(target)
    try:
        return _non_empty(conn)
    finally:
        conn.close()


def restore_refusal(target: PostgresTarget) -> str | None:
    """Why a backup cannot be restored into ``target`` (None when it can): it must be empty,
    and the connecting account must be allowed to create the schema in it (the owner)."""
    conn = _connect(target)
    try:
        reason = _non_empty(conn)
        if reason is not None:
            return (
                f"The database {target.label} is not empty ({reason}); a backup is restored "
                "only into a new, empty database."
            )
        row = conn.execute(
            "SELECT has_schema_privilege(current_schema(), 'CREATE'), current_schema()"
        ).fetchone()
        if row is None or not row[0]:
            return (
                f"The account {target.user} may not create tables in the schema "
                f"{row[1] if row else 'public'} of {target.dbname}; restore as the database's "
                "owner."
            )
        return None
    finally:
        conn.close()


def _non_empty(conn: psycopg.Connection[Any]) -> str | None:
    row = conn.execute(
        "SELECT count(*), min(n.nspname || '.' || c.relname) FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN "
        "('r', 'p', 'v', 'm', 'S', 'f') AND n.nspname NOT IN ('pg_catalog', "
        "'information_schema') AND n.nspname NOT LIKE 'pg\\_%'"
    ).fetchone()
    if row and row[0]:
        return f"it holds {row[0]} tables and other objects (for example {row[1]})"
    return None


def restore_into(target: PostgresTarget, archive: Path) -> None:
    """``pg_restore`` the whole archive into ``target`` in one transaction (all or nothing),
    owned by the connecting account; privileges are granted afresh by ``db setup-postgres``."""
    pg_restore = find_tool("pg_restore")
    _run(
        [
            str(pg_restore),
            "--no-owner",
            "--no-acl",
            "--single-transaction",
            "--exit-on-error",
            "--no-password",
            "--dbname",
            _conninfo(target),
            str(archive),
        ],
        target,
        stdout=subprocess.DEVNULL,
    )


def empty_again(target: PostgresTarget) -> None:
    """Drop what a refused restore put into a database that was empty before it."""
    conn = _connect(target)
    try:
        with conn.transaction():
            tables = [
                r[0]
                for r in conn.execute(
                    "SELECT quote_ident(relname) FROM pg_class WHERE relkind IN ('r', 'p') "
                    "AND relnamespace = current_schema()::regnamespace"
                )
            ]
            if tables:
                conn.execute(f"DROP TABLE {', '.join(tables)} CASCADE")
            functions = [
                r[0]
                for r in conn.execute(
                    "SELECT oid::regprocedure::text FROM pg_proc "
                    "WHERE pronamespace = current_schema()::regnamespace AND proname LIKE 'vp\\_%'"
                )
            ]
            for function in functions:
                conn.execute(f"DROP FUNCTION IF EXISTS {function} CASCADE")
    finally:
        conn.close()
