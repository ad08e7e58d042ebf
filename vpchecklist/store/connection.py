"""Open the SQLite database safely: private files, durable pragmas, migrations, clear errors."""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import peewee

from vpchecklist.clock import utc_now
from vpchecklist.errors import StorageError
from vpchecklist.store import schema
from vpchecklist.store.models import database

log = logging.getLogger(__name__)

BUSY_TIMEOUT_S = float(os.environ.get("VPCHECKLIST_BUSY_TIMEOUT", "5"))


def translate(exc: BaseException, path: Path) -> StorageError:
    """Map a low-level database failure to one sentence a nurse can act on."""
    text = str(exc).lower()
    if "signed content is read-only" in text:
        return StorageError("This record is signed and read-only; corrections are addenda.")
    if "locked" in text or "busy" in text:
        return StorageError(
            "The database is busy: another program has kept it locked for more than "
            f"{BUSY_TIMEOUT_S:g} seconds. Nothing was saved; try again in a moment."
        )
    if "full" in text or isinstance(exc, OSError) and exc.errno == 28:
        return StorageError(
            "The disk holding the database is full. Nothing was saved; free some space and try again."
        )
    if "readonly" in text or "read-only" in text or "permission" in text:
        return StorageError(
            f"The database {path} cannot be written (read-only file or folder). Nothing was saved."
        )
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return StorageError(
            f"The database file {path} is damaged; nothing more can be read from it. "
            "Restore the newest backup (in the app, or with: vpchecklist restore FILE)."
        )
    if "disk i/o" in text or "file size" in text:
        return StorageError(
            f"The database {path} could not be written (disk error, possibly a full disk). "
            "Nothing was saved."
        )
    if "unable to open" in text:
        return StorageError(f"The database {path} cannot be opened.")
    return StorageError(f"The database {path} reported an error: {exc}.")


def _root_cause(exc: BaseException) -> BaseException:
    """When SQLite already rolled back (disk full at commit), peewee's own rollback fails with
    "no transaction is active" and hides the real error: report the one underneath."""
    if "no transaction is active" in str(exc) and exc.__context__ is not None:
        return _root_cause(exc.__context__)
    return exc


class Store:
    """One open database. Services take a ``Store`` and write through ``transaction()``."""

    def __init__(self, path: Path, db: peewee.SqliteDatabase) -> None:
        self.path = path
        self.db = db

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """A write transaction taken with BEGIN IMMEDIATE, so concurrent writers queue on the
        busy timeout instead of failing half-way; any database failure becomes a StorageError."""
        try:
            with self.db.atomic():
                yield
        except (peewee.OperationalError, peewee.DatabaseError, sqlite3.Error, OSError) as exc:
            log.exception("database transaction failed")
            raise translate(_root_cause(exc), self.path) from exc

    @contextlib.contextmanager
    def reading(self) -> Iterator[None]:
        """Reads with the same error translation as writes."""
        try:
            yield
        except (peewee.OperationalError, peewee.DatabaseError, sqlite3.Error) as exc:
            log.exception("database read failed")
            raise translate(exc, self.path) from exc

    def close(self) -> None:
        if not self.db.is_closed():
            self.db.close()

    def integrity_problems(self) -> list[str]:
        """``PRAGMA integrity_check`` and ``foreign_key_check``; empty when all is well."""
        with self.reading():
            rows = self.db.execute_sql("PRAGMA integrity_check").fetchall()
            problems = [r[0] for r in rows if r[0] != "ok"]
            fk = self.db.execute_sql("PRAGMA foreign_key_check").fetchall()
            problems += [f"foreign key broken in table {r[0]} row {r[1]}" for r in fk]
            version = schema.current_version(self.db)
        if version != schema.LATEST_VERSION:
            problems.append(f"schema version {version}, expected {schema.LATEST_VERSION}")
        return problems


def _make_private_dir(folder: Path) -> None:
    if not folder.exists():
        try:
            folder.mkdir(parents=True, mode=0o700)
        except OSError as exc:
            raise StorageError(f"The folder {folder} cannot be created: {exc.strerror}.") from exc


def _private_files(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        candidate = Path(str(path) + suffix)
        with contextlib.suppress(OSError):
            if candidate.exists() and candidate.stat().st_mode & 0o077:
                candidate.chmod(0o600)


def _connect(path: Path) -> peewee.SqliteDatabase:
    db = peewee.SqliteDatabase(
        str(path),
        pragmas={
            "journal_mode": "wal",
            "synchronous": "full",
            "foreign_keys": 1,
            "busy_timeout": int(BUSY_TIMEOUT_S * 1000),
        },
        timeout=BUSY_TIMEOUT_S,
        lock_type="IMMEDIATE",
        check_same_thread=False,
    )
    old_umask = os.umask(0o077)
    try:
        db.connect()
        db.execute_sql("SELECT count(*) FROM sqlite_master").fetchone()
    finally:
        os.umask(old_umask)
    return db


def backup_before_migration(path: Path, version: int) -> Path:
    stamp = utc_now()[:19].replace(":", "").replace("-", "")
    target = path.with_name(f"{path.stem}.pre-migration-v{version}-{stamp}{path.suffix}")
    old_umask = os.umask(0o077)
    try:
        shutil.copy2(path, target)
        for suffix in ("-wal",):
            extra = Path(str(path) + suffix)
            if extra.exists():
                shutil.copy2(extra, Path(str(target) + suffix))
    finally:
        os.umask(old_umask)
    return target


def open_store(path: Path | str, create: bool = True, accept_empty_file: bool = False) -> Store:
    """Open (and, when ``create``, create) the database at ``path`` and bring its schema up to date.

    Raises ``StorageError`` with a plain sentence for every failure: missing or read-only folder,
    damaged file, a schema from a newer version, a lock held too long.
    """
    path = Path(path).expanduser()
    folder = path.parent
    if not path.exists() and not create:
        raise StorageError(
            f"There is no database at {path}. Create one with: vpchecklist init --admin USERNAME."
        )
    _make_private_dir(folder)
    if not os.access(folder, os.W_OK):
        raise StorageError(
            f"The folder {folder} is read-only: VP Checklist cannot write its database there."
        )
    if path.exists() and not os.access(path, os.R_OK | os.W_OK):
        raise StorageError(f"The database file {path} cannot be read and written by this user.")
    if path.exists() and path.stat().st_size == 0 and not accept_empty_file:
        # SQLite would quietly treat it as a new, empty database: a truncated file must not
        # turn into "no records" without anybody noticing.
        raise StorageError(
            f"The database file {path} is empty (0 bytes): it was truncated or damaged. "
            "Restore the newest backup (in the app, or with: vpchecklist restore FILE)."
        )
    try:
        db = _connect(path)
    except (peewee.DatabaseError, sqlite3.Error) as exc:
        log.exception("opening database failed")
        raise translate(exc, path) from exc
    database.initialize(db)
    store = Store(path, db)
    try:
        version = schema.current_version(db)
        if version > schema.LATEST_VERSION:
            db.close()
            raise StorageError(
                f"The database {path} was written by a newer version of VP Checklist "
                f"(schema {version}; this version knows up to {schema.LATEST_VERSION}). "
                "Install the newer version or restore a backup."
            )
        if schema.pending(version):
            if version > 0:
                saved = backup_before_migration(path, version)
                log.info("backed up database before migrating from v%s to %s", version, saved.name)
            schema.apply(db, version)
    except (peewee.DatabaseError, sqlite3.Error) as exc:
        log.exception("preparing database failed")
        db.close()
        raise translate(exc, path) from exc
    _private_files(path)
    return store
