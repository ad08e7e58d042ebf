"""Open the database safely: an SQLite file (private files, durable pragmas) or a PostgreSQL
server (``store.postgres``); migrations and clear errors on both."""

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
from vpchecklist.store import identity, postgres, schema
from vpchecklist.store.location import PostgresTarget, is_postgres_url
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

    While an SQLite store is open it holds a shared lock on the database's lock file, so
    ``restore`` (which needs it exclusively) is refused while the app or any command has the
    file open. A PostgreSQL store has ``path`` None and its server in ``target``.
    """

    def __init__(
        self,
        path: Path | None,
        db: peewee.Database,
        read_only: bool = False,
        lock: FileLock | None = None,
        target: PostgresTarget | None = None,
    ) -> None:
        self.path = path
        self.db = db
        self.read_only = read_only
        self.lock = lock
        self.target = target
        self._info: dict[str, str] = {}

    @property
    def is_postgres(self) -> bool:
        return self.target is not None

    @property
    def location(self) -> Path | str:
        """What opens this database again: the file, or the URL (which may hold no password)."""
        if self.target is not None:
            return self.target.url
        assert self.path is not None
        return self.path

    @property
    def label(self) -> str:
        """Which database this is, for people: the file path or ``PostgreSQL user@host:port/db``."""
        if self.target is not None:
            return self.target.label
        return str(self.path)

    def _translate(self, exc: BaseException) -> StorageError:
        if self.target is not None:
            if postgres.is_connection_lost(exc):
                postgres.drop_connection(self.db)
            return postgres.translate(exc, self.target)
        assert self.path is not None
        return translate(_root_cause(exc), self.path)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """A write transaction: ``BEGIN IMMEDIATE`` on SQLite, the advisory write lock on
        PostgreSQL, so concurrent writers queue instead of failing half-way (or forking the
        chains); any database failure becomes a StorageError and nothing of it is kept."""
        outermost = getattr(_pending, "queue", None) is None
        if outermost:
            _pending.queue = []
        try:
            with self.db.atomic():
                if outermost and self.target is not None:
                    postgres.take_write_lock(self.db)
                yield
        except (
            peewee.OperationalError,
            peewee.DatabaseError,
            peewee.InterfaceError,
            sqlite3.Error,
            OSError,
        ) as exc:
            log.exception("database transaction failed")
            raise self._translate(exc) from exc
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
        except (
            peewee.OperationalError,
            peewee.DatabaseError,
            peewee.InterfaceError,
            sqlite3.Error,
        ) as exc:
            log.exception("database read failed")
            raise self._translate(exc) from exc

    def close(self) -> None:
        if not self.db.is_closed():
            self.db.close()
        if self.lock is not None:
            self.lock.release()
            self.lock = None

    def integrity_problems(self) -> list[str]:
        """SQLite's ``integrity_check`` and ``foreign_key_check`` (PostgreSQL checks both on
        every write), the schema version and the protective triggers; empty when all is well."""
        problems: list[str] = []
        with self.reading():
            if self.target is None:
                rows = self.db.execute_sql("PRAGMA integrity_check").fetchall()
                problems += [r[0] for r in rows if r[0] != "ok"]
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
    password: str | None = None,
) -> Store:
    """Open (and, when ``create``, create) the database at ``path`` and bring its schema up to date.

    ``path`` is an SQLite file or a ``postgresql://user@host:port/db`` URL (``password`` then
    overrides ``PGPASSWORD`` / ``~/.pgpass``; ``DatabasePasswordNeeded`` asks for one).

    ``demo`` marks a database created by this call as a demo database (only then may demo
    users and data go into it). ``read_only`` opens an existing, current database without
    writing to it (``audit verify``, ``db check``, ``verify``). Any file that is not a VP
    Checklist database is refused before it is opened for writing, so not a byte changes.

    Raises ``StorageError`` with a plain sentence for every failure: missing or read-only folder,
    damaged file, a schema from a newer version, a lock held too long.
    """
    if is_postgres_url(path):
        return _open_postgres(
            PostgresTarget.parse(str(path)).with_password(password)
            if password is not None
            else PostgresTarget.parse(str(path)),
            create=create,
            demo=demo,
            read_only=read_only,
        )
    path = Path(path).expanduser()
    if str(path).split(":/", 1)[0].lower() in ("postgresql", "postgres"):
        # A URL that went through Path() somewhere ("postgresql:/host/db"): never a file.
        raise StorageError(
            f"{path} looks like a PostgreSQL URL that lost a slash; write postgresql://…"
        )
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


def _open_postgres(target: PostgresTarget, create: bool, demo: bool, read_only: bool) -> Store:
    """The same schema, migrations and checks on a PostgreSQL database.

    A database holding other tables than ours is refused before anything is written to it;
    ``create`` False (or ``read_only``) refuses an empty one instead of creating the schema.
    """
    db = postgres.connect(target)
    database.initialize(db)
    store = Store(None, db, read_only=read_only, target=target)
    try:
        with store.reading():
            reason = identity.foreign_tables_reason(db)
            version = schema.current_version(db)
        if reason is not None:
            raise StorageError(
                f"The database {target.label} is not a VP Checklist database ({reason}); "
                "nothing was changed."
            )
        if version == 0 and (read_only or not create):
            raise StorageError(
                f"The database {target.label} is empty. Create the schema with: "
                "vpchecklist init --admin USERNAME (or db setup-postgres, see the README)."
            )
        if version > schema.LATEST_VERSION:
            raise StorageError(
                f"The database {target.label} was written by a newer version of VP Checklist "
                f"(schema {version}; this version knows up to {schema.LATEST_VERSION}). "
                "Install the newer version."
            )
        if read_only and version != schema.LATEST_VERSION:
            raise StorageError(
                f"The database {target.label} has an older schema (version {version}); start "
                "the app once to upgrade it, then check it again."
            )
        if not read_only and schema.pending(version):
            try:
                schema.apply(db, version, demo=demo)
            except (peewee.DatabaseError, peewee.InterfaceError) as exc:
                log.exception("preparing database failed")
                raise store._translate(exc) from exc
        if read_only:
            db.execute_sql("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
    except BaseException:
        store.close()
        raise
    return store
