"""Open the SQLite database safely: private files, durable pragmas, migrations, clear errors."""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import peewee

from vpchecklist.clock import utc_now
from vpchecklist.errors import StorageError
from vpchecklist.store import identity, schema
from vpchecklist.store.lock import FileLock
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


_pending = threading.local()


def after_commit(callback: Callable[[], None]) -> None:
    """Run ``callback`` once the current write transaction of this thread has committed (at
    once outside one): the external anchor must never name a link that was rolled back."""
    queue: list[Callable[[], None]] | None = getattr(_pending, "queue", None)
    if queue is None:
        callback()
    else:
        queue.append(callback)


class Store:
    """One open database. Services take a ``Store`` and write through ``transaction()``.

    While it is open the store holds a shared lock on the database's lock file, so ``restore``
    (which needs it exclusively) is refused while the app or any command has the file open."""

    def __init__(
        self,
        path: Path,
        db: peewee.SqliteDatabase,
        read_only: bool = False,
        lock: FileLock | None = None,
    ) -> None:
        self.path = path
        self.db = db
        self.read_only = read_only
        self.lock = lock
        self._info: dict[str, str] = {}

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """A write transaction taken with BEGIN IMMEDIATE, so concurrent writers queue on the
        busy timeout instead of failing half-way; any database failure becomes a StorageError."""
        outermost = getattr(_pending, "queue", None) is None
        if outermost:
            _pending.queue = []
        try:
            with self.db.atomic():
                yield
        except (peewee.OperationalError, peewee.DatabaseError, sqlite3.Error, OSError) as exc:
            log.exception("database transaction failed")
            raise translate(_root_cause(exc), self.path) from exc
        finally:
            if outermost:
                done, _pending.queue = _pending.queue, None
        if outermost:
            for callback in done:
                callback()

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
        if self.lock is not None:
            self.lock.release()
            self.lock = None

    def integrity_problems(self) -> list[str]:
        """``PRAGMA integrity_check`` and ``foreign_key_check``; empty when all is well."""
        with self.reading():
            rows = self.db.execute_sql("PRAGMA integrity_check").fetchall()
            problems = [r[0] for r in rows if r[0] != "ok"]
            fk = self.db.execute_sql("PRAGMA foreign_key_check").fetchall()
            problems += [f"foreign key broken in table {r[0]} row {r[1]}" for r in fk]
            version = schema.current_version(self.db)
            missing = schema.missing_triggers(self.db) if version == schema.LATEST_VERSION else []
        if version != schema.LATEST_VERSION:
            problems.append(f"schema version {version}, expected {schema.LATEST_VERSION}")
        problems += [f"the protective trigger {name} is missing" for name in missing]
        return problems

    def info(self) -> dict[str, str]:
        """The database's fixed facts: ``database_id``, ``created_at``, ``demo`` (written once
        at creation, so read once)."""
        if not self._info:
            with self.reading():
                self._info = schema.database_info(self.db)
        return dict(self._info)

    @property
    def database_id(self) -> str:
        return self.info().get("database_id", "")

    @property
    def is_demo(self) -> bool:
        return self.info().get("demo") == "1"


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


def _connect(path: Path, read_only: bool = False) -> peewee.SqliteDatabase:
    pragmas: dict[str, object] = {
        "journal_mode": "wal",
        "synchronous": "full",
        "foreign_keys": 1,
        "busy_timeout": int(BUSY_TIMEOUT_S * 1000),
    }
    if read_only:
        del pragmas["journal_mode"], pragmas["synchronous"]
    db = peewee.SqliteDatabase(
        f"file:{path}?mode=ro" if read_only else str(path),
        uri=read_only,
        pragmas=pragmas,
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


def open_store(
    path: Path | str,
    create: bool = True,
    accept_empty_file: bool = False,
    demo: bool = False,
    read_only: bool = False,
) -> Store:
    """Open (and, when ``create``, create) the database at ``path`` and bring its schema up to date.

    ``demo`` marks a database created by this call as a demo database (only then may demo
    users and data go into it). ``read_only`` opens an existing, current database without
    writing to it (``audit verify``, ``db check``, ``verify``). Any file that is not a VP
    Checklist database is refused before it is opened for writing, so not a byte changes.

    Raises ``StorageError`` with a plain sentence for every failure: missing or read-only folder,
    damaged file, a schema from a newer version, a lock held too long.
    """
    path = Path(path).expanduser()
    folder = path.parent
    if not path.exists() and (not create or read_only):
        raise StorageError(
            f"There is no database at {path}. Create one with: vpchecklist init --admin USERNAME."
        )
    if path.exists():
        identity.require_vp_database(path)
    if read_only:
        if path.stat().st_size == 0:
            raise StorageError(
                f"The database file {path} is empty (0 bytes): it was truncated or damaged. "
                "Restore the newest backup (in the app, or with: vpchecklist restore FILE)."
            )
        return _open_read_only(path)
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
    store = Store(path, db, lock=FileLock.shared(path))
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
            schema.apply(db, version, demo=demo)
    except (peewee.DatabaseError, sqlite3.Error) as exc:
        log.exception("preparing database failed")
        store.close()
        raise translate(exc, path) from exc
    except StorageError:
        store.close()
        raise
    _private_files(path)
    return store


def _open_read_only(path: Path) -> Store:
    """An existing, current database opened without any write (SQLite ``mode=ro``)."""
    try:
        db = _connect(path, read_only=True)
        database.initialize(db)
        version = schema.current_version(db)
    except (peewee.DatabaseError, sqlite3.Error) as exc:
        log.exception("opening database read-only failed")
        raise translate(exc, path) from exc
    store = Store(path, db, read_only=True, lock=FileLock.shared(path))
    if version != schema.LATEST_VERSION:
        store.close()
        newer = version > schema.LATEST_VERSION
        raise StorageError(
            f"The database {path} was written by a newer version of VP Checklist (schema "
            f"{version}); install the newer version."
            if newer
            else f"The database {path} has an older schema (version {version}); start the app "
            "or run vpchecklist backup once to upgrade it, then check it again."
        )
    return store
