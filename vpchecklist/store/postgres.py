"""The PostgreSQL side of the store: a shared department server instead of a workstation file.

Driver: psycopg 3 (``psycopg[binary]``) through peewee's ``PostgresqlDatabase``. psycopg2 is in
maintenance only and its own documentation advises against the ``-binary`` wheel in production;
psycopg 3's binary wheel carries libpq, so a workstation (and the frozen build) needs no client
library installed, and peewee 4 uses it in its core class.

The services write portable SQL with ``?`` placeholders (SQLite's style); ``PortableDatabase``
turns them into psycopg's ``%s`` outside string literals, so one SQL text serves both engines.
"""

from __future__ import annotations

import logging
from typing import Any

import peewee

from vpchecklist.errors import ConnectionLost, DatabasePasswordNeeded, StorageError
from vpchecklist.store.location import PostgresTarget

log = logging.getLogger(__name__)

#: ``pg_advisory_xact_lock`` key of the write lock ("VPCH"): every write transaction takes it
#: first, so workstations write one after another exactly as SQLite's ``BEGIN IMMEDIATE`` makes
#: them: the hash chains are read and extended by one writer at a time and never fork.
WRITE_LOCK_KEY = 0x56504348

_LOST_PHRASES = (
    "server closed the connection",
    "terminating connection",
    "connection is closed",
    "connection already closed",
    "the connection is lost",
    "consuming input failed",
    "could not receive data",
    "could not send data",
    "connection refused",
    "could not connect",
    "no connection to the server",
    "ssl syscall error",
    "eof detected",
    "connection timed out",
    "the database system is shutting down",
    "the database system is starting up",
    "the database system is in recovery mode",
    "server conn crashed",
    "bad connection",
    "connection failed",
)


def portable_sql(sql: str) -> str:
    """``?`` → ``%s`` and a literal ``%`` → ``%%``, both only outside quoted literals and
    identifiers (peewee's own ``%s`` are left as they are)."""
    if "?" not in sql:
        return sql
    out: list[str] = []
    quote = ""
    for index, char in enumerate(sql):
        if quote:
            out.append("%%" if char == "%" else char)
            if char == quote:
                quote = ""
        elif char in ("'", '"'):
            quote = char
            out.append(char)
        elif char == "?":
            out.append("%s")
        elif char == "%" and not sql.startswith("%s", index):
            out.append("%%")
        else:
            out.append(char)
    return "".join(out)


class PortableDatabase(peewee.PostgresqlDatabase):
    """peewee's PostgreSQL database that also accepts the services' ``?`` placeholders."""

    def execute_sql(self, sql: str, params: Any = None) -> Any:
        if params:
            sql = portable_sql(sql)
        return super().execute_sql(sql, params)


def is_connection_lost(exc: BaseException) -> bool:
    """True for a failure of the link to the server (not of the statement)."""
    text = str(exc).lower()
    if any(phrase in text for phrase in _LOST_PHRASES):
        return True
    try:
        import psycopg
    except ImportError:  # pragma: no cover - the driver is a dependency
        return False
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, psycopg.OperationalError | psycopg.InterfaceError) and (
            getattr(cause, "sqlstate", None) in (None, "57P01", "57P02", "57P03", "08006", "08003")
        ):
            conn_text = str(cause).lower()
            if any(phrase in conn_text for phrase in _LOST_PHRASES) or not conn_text:
                return True
        cause = cause.__cause__ or cause.__context__
    return False


def lost_connection_error(target: PostgresTarget) -> ConnectionLost:
    return ConnectionLost(
        f"The database server {target.host}:{target.port} could not be reached — "
        "your last change was not saved; try again when the server answers."
    )


def translate(exc: BaseException, target: PostgresTarget) -> StorageError:
    """One sentence a nurse (or IT) can act on for a PostgreSQL failure."""
    text = str(exc).lower()
    if "signed content is read-only" in text:
        return StorageError("This record is signed and read-only; corrections are addenda.")
    if "change only through an audited service" in text:
        return StorageError(
            "Users, settings and templates change only through an audited service; "
            "nothing was saved."
        )
    if "permission denied" in text or "must be owner" in text:
        return StorageError(
            f"The database account {target.user} is not allowed to do this on "
            f"{target.label}; nothing was changed."
        )
    if is_connection_lost(exc):
        return lost_connection_error(target)
    if "no space left" in text or "disk full" in text:
        return StorageError(
            f"The database server {target.host} has run out of disk space. Nothing was saved; "
            "tell IT."
        )
    if "deadlock detected" in text or "could not serialize" in text:
        return StorageError(
            "Another workstation was saving at the same moment; nothing was saved. Try again."
        )
    return StorageError(f"The database {target.label} reported an error: {exc}.")


def connect_error(exc: BaseException, target: PostgresTarget) -> StorageError:
    """Why opening the connection failed, in one sentence (never the password)."""
    text = str(exc).lower()
    if "no password supplied" in text or "fe_sendauth" in text:
        return DatabasePasswordNeeded(
            f"The server {target.host}:{target.port} asks for the password of the database "
            f"account {target.user} (set PGPASSWORD or ~/.pgpass, or type it when asked)."
        )
    if "password authentication failed" in text:
        if target.password is None:
            return DatabasePasswordNeeded(
                f"The server {target.host}:{target.port} refused the stored password of the "
                f"database account {target.user}; type the password."
            )
        return StorageError(
            f"The server {target.host}:{target.port} refused the password of the database "
            f"account {target.user}."
        )
    if f'database "{target.dbname.lower()}" does not exist' in text:
        return StorageError(
            f"The server {target.host}:{target.port} has no database {target.dbname}; IT "
            "creates it once (README, 'Several workstations')."
        )
    if "role" in text and "does not exist" in text:
        return StorageError(
            f"The server {target.host}:{target.port} has no database account {target.user}."
        )
    if "ssl" in text and ("required" in text or "not support" in text or "certificate" in text):
        return StorageError(
            f"The secure (TLS) connection to {target.host}:{target.port} failed: {exc}"
        )
    if "pg_hba.conf" in text:
        return StorageError(
            f"The server {target.host}:{target.port} does not let the account {target.user} "
            "connect from this workstation (pg_hba.conf); tell IT."
        )
    if is_connection_lost(exc) or "timeout" in text or "could not translate host" in text:
        return StorageError(
            f"The database server {target.host}:{target.port} could not be reached; check the "
            "network or tell IT. Nothing was changed."
        )
    return StorageError(f"The database {target.label} cannot be opened: {exc}")


def connect(target: PostgresTarget) -> PortableDatabase:
    """An open connection to ``target`` (raises a StorageError sentence on failure)."""
    try:
        import psycopg  # noqa: F401  (the driver peewee uses)
    except ImportError as exc:  # pragma: no cover - a dependency
        raise StorageError("The PostgreSQL driver (psycopg) is not installed.") from exc
    db = PortableDatabase(target.dbname, prefer_psycopg3=True, **target.connect_params())
    try:
        db.connect()
        db.execute_sql("SELECT 1").fetchone()
    except (peewee.DatabaseError, peewee.InterfaceError) as exc:
        log.warning("connecting to %s failed: %s", target.label, type(exc).__name__)
        if not db.is_closed():
            db.close()
        raise connect_error(exc, target) from exc
    return db


def take_write_lock(db: peewee.Database) -> None:
    """Serialise writers across workstations for the rest of this transaction (the first
    statement of ``Store.transaction`` and of each migration)."""
    db.execute_sql("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK_KEY,))


def drop_connection(db: peewee.Database) -> None:
    """Forget a connection the server dropped, so the next call opens a new one."""
    try:
        db.close()
    except Exception:  # noqa: BLE001 - the link is already gone; closing it may fail too
        state = getattr(db, "_state", None)
        if state is not None:
            state.reset()
