"""Backups as a service: on demand or daily, verified, kept in daily/weekly/monthly tiers, each
audited and anchored; restore by an administrator, checked before it replaces anything.

A backup is first checked with ``PRAGMA integrity_check``; the database it copies is checked
with ``audit verify`` at the same time, and the result is written in the anchor file beside
the backup (``….sqlite.anchor``: the copy's chain head and ``verified_clean``). Pruning keeps
the newest backup of each of the last 14 days, 8 weeks and 12 months, and never deletes the
newest backup that verified clean — a run of backups after an undetected tamper cannot push
the last good copy out.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from vpchecklist.clock import utc_now
from vpchecklist.errors import PermissionDenied, StorageError, VPError
from vpchecklist.services import audit, integrity, settings
from vpchecklist.services.actors import Actor
from vpchecklist.services.auth import check_credentials
from vpchecklist.store import Store, anchor, events, open_store, pg_backup, schema
from vpchecklist.store.backup import (
    backup_to,
    check_file,
    default_backup_name,
    move_aside,
    replaced_name,
)
from vpchecklist.store.location import PostgresTarget
from vpchecklist.store.lock import FileLock

log = logging.getLogger(__name__)

#: How many periods of each tier keep their newest backup.
DAILY, WEEKLY, MONTHLY = 14, 8, 12
KEEP = DAILY  # the newest backup of each of the last 14 days (the UI's sentence)
PATTERN = "vpchecklist-*.sqlite"
#: Backups of a PostgreSQL database (``pg_dump -Fc``) are listed and pruned the same way.
PATTERNS = (PATTERN, f"vpchecklist-*{pg_backup.SUFFIX}")


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    size: int
    modified: datetime


def list_backups(folder: Path) -> list[BackupInfo]:
    """Backups in ``folder``, newest first."""
    if not folder.is_dir():
        return []
    found = []
    for path in (p for pattern in PATTERNS for p in folder.glob(pattern)):
        stat = path.stat()
        found.append(BackupInfo(path, stat.st_size, datetime.fromtimestamp(stat.st_mtime, UTC)))
    return sorted(found, key=lambda b: b.modified, reverse=True)


def verified_clean(backup: Path) -> bool:
    """Whether the database passed ``audit verify`` when this backup was made."""
    mark = anchor.backup_mark(backup)
    return bool(mark and mark.get("verified_clean") is True)


def to_keep(backups: list[BackupInfo]) -> set[Path]:
    """The newest of each of the last 14 days, 8 ISO weeks and 12 months, the newest backup
    that verified clean, and the newest of all."""
    keep: set[Path] = set()
    for limit, period in (
        (DAILY, lambda d: d.strftime("%Y-%m-%d")),
        (WEEKLY, lambda d: d.strftime("%G-W%V")),
        (MONTHLY, lambda d: d.strftime("%Y-%m")),
    ):
        seen: list[str] = []
        for backup in backups:  # newest first: the first of each period is its newest
            key = period(backup.modified)
            if key not in seen:
                seen.append(key)
                if len(seen) > limit:
                    break
                keep.add(backup.path)
    clean = next((b.path for b in backups if verified_clean(b.path)), None)
    if clean is not None:
        keep.add(clean)
    if backups:
        keep.add(backups[0].path)
    return keep


def _prune(folder: Path) -> None:
    backups = list_backups(folder)
    keep = to_keep(backups)
    for old in backups:
        if old.path not in keep:
            old.path.unlink(missing_ok=True)
            anchor.beside(old.path).unlink(missing_ok=True)


def _head_of(path: Path) -> events.Head:
    """The chain head of a database file, read with plain SQL (no store switch)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        row = conn.execute(
            "SELECT seq, event_hash, at FROM audit_event WHERE seq IS NOT NULL "
            "ORDER BY seq DESC LIMIT 1"
        ).fetchone()
    finally:
        conn.close()
    return events.Head(row[0], row[1], row[2]) if row else events.Head(0, "0" * 64, "")


def write_backup(
    store: Store, target: Path, progress: Callable[[int, int], None] | None = None
) -> tuple[Path, bool]:
    """Copy the database to ``target`` (integrity-checked), audit-verify the database, and
    write the anchor beside the copy. Returns the file and whether it verified clean."""
    report = integrity.verify(store)
    with store.reading():
        verified_head = events.head()
    if store.target is not None:
        head = pg_backup.dump(store.target, target)
        path = target
        if progress is not None:
            progress(1, 1)
    else:
        assert store.path is not None
        path = backup_to(store.path, target, progress)
        head = _head_of(path)
    clean = report.intact and head.seq >= verified_head.seq
    if not report.intact:
        log.warning("backup %s made of a database that fails audit verify", path.name)
    try:
        anchor.write_beside(path, store.database_id, head, clean)
    except OSError as exc:
        log.warning("could not write the anchor beside the backup: %s", exc.strerror)
    return path, clean


def back_up_now(
    store: Store,
    actor: Actor | None,
    folder: Path | None = None,
    keep: int = KEEP,
    progress: Callable[[int, int], None] | None = None,
    out: Path | None = None,
) -> Path:
    """Write a verified backup and prune older ones by tier (``keep`` is kept for callers;
    the tiers decide).

    ``actor`` None means the automatic start-up backup (or ``vpchecklist backup``), recorded as
    done by the system. ``out`` names the file instead of the dated name in the backup folder;
    such a copy is the caller's and is never pruned.
    """
    if actor is not None:
        audit.require(store, actor, "backup")
    if out is not None:
        target, clean = write_backup(store, out, progress)
    else:
        target_folder = folder or settings.backup_folder(store)
        name = pg_backup.default_name if store.is_postgres else default_backup_name
        target, clean = write_backup(store, name(target_folder), progress)
        _prune(target_folder)
    with store.transaction():
        audit.record(
            actor.username if actor else None, "backup", file=target.name, verified_clean=clean
        )
    return target


def daily_backup_due(store: Store, folder: Path | None = None) -> bool:
    newest = list_backups(folder or settings.backup_folder(store))
    if not newest:
        return True
    return (datetime.now(UTC) - newest[0].modified).total_seconds() >= 24 * 3600


def run_daily_if_due(store: Store, folder: Path | None = None) -> Path | None:
    """The automatic backup at start-up or on a timer: at most one a day."""
    if not daily_backup_due(store, folder):
        return None
    return back_up_now(store, None, folder)


def newest_good_backup(folder: Path) -> Path | None:
    """The newest backup that passes its integrity check (what a damaged database restores)."""
    for backup in list_backups(folder):
        if not check_file(backup.path):
            return backup.path
    return None


# --- restore ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Restored:
    kept: Path | None  # where the replaced database was moved
    triggers_recreated: list[str]
    head: int  # the restored database's last event (its restore event)


def _authenticate_admin(store: Store, username: str, password: str) -> Actor:
    actor = check_credentials(store, username, password, "restore")
    if actor.role != "admin":
        error = PermissionDenied(f"Your role ({actor.role}) cannot restore a backup.")
        audit.record_refusal(store, username, "restore", None, error)
        raise error
    return actor


def _check_staged(staged: Store, backup: Path, live_id: str | None, other_site: bool) -> list[str]:
    """Everything that makes the staged copy unacceptable; returns the triggers re-created."""
    staged_id = staged.database_id
    if live_id and staged_id != live_id and not other_site:
        raise StorageError(
            f"The backup {backup} comes from another database (id {staged_id[:12]}…, this one "
            f"is {live_id[:12]}…); restore another site's file only with --other-site. "
            "Nothing was restored."
        )
    report = integrity.verify(staged)
    problems = [p["message"] for p in report.problems if "behind its anchor" not in p["message"]]
    with staged.reading():
        head = events.head()
        problems += anchor.check_current(allow_behind=True)[1]
    mark = anchor.backup_mark(backup)
    if mark is not None and (mark.get("seq"), mark.get("hash")) != (head.seq, head.hash):
        problems.append(
            f"its chain head (event {head.seq}) differs from the anchor written beside it "
            f"(event {mark.get('seq')}): the file was changed after it was backed up"
        )
    if problems:
        raise StorageError(
            f"The backup {backup} fails its check and was not restored: {problems[0]}."
        )
    with staged.transaction():
        return schema.ensure_triggers(staged.db)


def restore(
    database: Path,
    backup: Path,
    username: str,
    password: str,
    other_site: bool = False,
) -> Restored:
    """Replace ``database`` with a checked copy of ``backup``, as administrator ``username``.

    Refused onto its own file, while any other program has the database open, for a file that
    is not a VP Checklist database, that fails its integrity, chain or anchor check, or that
    belongs to another database (unless ``other_site``). The replaced file is moved aside, never
    deleted; nothing is left half-written under the database's name. The restore is audited in
    the restored database and its new head is anchored.
    """
    database, backup = Path(database).expanduser(), Path(backup).expanduser()
    if not backup.is_file():
        raise StorageError(f"The file {backup} does not exist; nothing was restored.")
    if database.exists() and backup.resolve() == database.resolve():
        raise StorageError(
            f"{backup} is the database itself; choose a backup copy. Nothing was restored."
        )
    problems = check_file(backup)
    if problems:
        raise StorageError(f"The file {backup} cannot be restored: {problems[0]}.")
    lock = FileLock.exclusive(database)
    if lock is None:
        raise StorageError(
            f"The database {database} is open in VP Checklist or another program; close it "
            "everywhere, then restore. Nothing was restored."
        )
    staging = database.with_name(database.name + ".restoring")
    live_id: str | None = None
    actor: Actor | None = None
    try:
        live_healthy = database.exists() and not check_file(database)
        if live_healthy:
            live = open_store(database, create=False)
            try:
                live_id = live.database_id
                actor = _authenticate_admin(live, username, password)
            finally:
                live.close()
        kept = replaced_name(database) if database.exists() else None
        _discard(staging)
        backup_to(backup, staging)
        staged = open_store(staging, create=False)
        try:
            if actor is None:  # no usable database: the backup's administrators decide
                actor = _authenticate_admin(staged, username, password)
            recreated = _check_staged(staged, backup, live_id, other_site)
            with staged.transaction():
                audit.record(
                    actor.username,
                    "restore",
                    file=backup.name,
                    kept=kept.name if kept else None,
                    triggers_recreated=recreated,
                    other_site=bool(live_id and staged.database_id != live_id),
                )
            staged.db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            staged.close()
        _swap(staging, database, kept)
    except (VPError, OSError, sqlite3.Error) as exc:
        _discard(staging)
        error = (
            exc
            if isinstance(exc, VPError)
            else StorageError(f"The backup {backup} could not be restored ({exc}).")
        )
        if actor is not None and live_id is not None and isinstance(error, StorageError):
            lock.release()
            _audit_refusal(database, actor, error)
        if error is exc:
            raise
        raise error from exc
    finally:
        lock.release()
    restored = open_store(database, create=False)
    try:
        with restored.reading():
            anchor.append_current("restore")
            head = events.head().seq
    finally:
        restored.close()
    return Restored(kept, recreated, head)


def restore_server(
    location: str,
    backup: Path,
    username: str,
    password: str,
    other_site: bool = False,
    db_password: str | None = None,
) -> Restored:
    """PostgreSQL: ``pg_restore`` ``backup`` into the EMPTY database at ``location``, then the
    same checks as a file restore (schema version, chains, anchors, triggers re-created, an
    administrator of the backup), audited and anchored in the restored database.

    A server database is never overwritten: IT creates an empty one (owned by the owner) and
    points the workstations at it once restored. When a check or the administrator's password
    fails, what was restored is dropped again, leaving the database empty as it was.
    """
    target = PostgresTarget.parse(location)
    if db_password is not None:
        target = target.with_password(db_password)
    backup = Path(backup).expanduser()
    if not backup.is_file():
        raise StorageError(f"The file {backup} does not exist; nothing was restored.")
    refusal = pg_backup.restore_refusal(target)
    if refusal is not None:
        raise StorageError(f"{refusal} Nothing was restored.")
    pg_backup.restore_into(target, backup)
    try:
        staged = open_store(location, create=False, password=db_password)
        try:
            actor = _authenticate_admin(staged, username, password)
            recreated = _check_staged(staged, backup, None, other_site)
            with staged.transaction():
                audit.record(
                    actor.username,
                    "restore",
                    file=backup.name,
                    kept=None,
                    triggers_recreated=recreated,
                    other_site=False,
                )
            with staged.reading():
                anchor.append_current("restore")
                head = events.head().seq
        finally:
            staged.close()
    except BaseException:
        pg_backup.empty_again(target)
        raise
    log.info("server database restored at %s", utc_now())
    return Restored(None, recreated, head)


def _audit_refusal(database: Path, actor: Actor, error: StorageError) -> None:
    """A refused restore (the backup failed its checks) is audited in the database it would
    have replaced."""
    try:
        live = open_store(database, create=False)
    except StorageError:
        return
    try:
        audit.record_refusal(live, actor.username, "restore", None, error)
    finally:
        live.close()


def _discard(staging: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-lock", "-journal"):
        with contextlib.suppress(OSError):
            Path(f"{staging}{suffix}").unlink(missing_ok=True)


def _swap(staging: Path, database: Path, kept: Path | None) -> None:
    """Move the current file (and its WAL) aside, then the checked copy into place; put the
    old file back if that last step fails."""
    if kept is not None:
        move_aside(database, kept)
    try:
        staging.replace(database)
    except OSError:
        if kept is not None:
            move_aside(kept, database)
        raise
    _discard(staging)
    log.info("database restored at %s", utc_now())
