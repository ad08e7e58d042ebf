"""Backups as a service: on demand or daily, verified, the newest 14 kept, each audited."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from vpchecklist.services import audit, settings
from vpchecklist.services.actors import Actor
from vpchecklist.store import Store
from vpchecklist.store.backup import backup_to, check_file, default_backup_name

KEEP = 14
PATTERN = "vpchecklist-*.sqlite"


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
    for path in folder.glob(PATTERN):
        stat = path.stat()
        found.append(BackupInfo(path, stat.st_size, datetime.fromtimestamp(stat.st_mtime, UTC)))
    return sorted(found, key=lambda b: b.modified, reverse=True)


def _prune(folder: Path, keep: int) -> None:
    for old in list_backups(folder)[keep:]:
        old.path.unlink(missing_ok=True)


def back_up_now(
    store: Store,
    actor: Actor | None,
    folder: Path | None = None,
    keep: int = KEEP,
    progress: Callable[[int, int], None] | None = None,
    out: Path | None = None,
) -> Path:
    """Write a verified backup (``PRAGMA integrity_check``) and keep the newest ``keep``.

    ``actor`` None means the automatic start-up backup (or ``vpchecklist backup``), recorded as
    done by the system. ``out`` names the file instead of the dated name in the backup folder;
    such a copy is the caller's and is never pruned.
    """
    if actor is not None:
        audit.require(store, actor, "backup")
    if out is not None:
        target = backup_to(store.path, out, progress)
    else:
        target_folder = folder or settings.backup_folder(store)
        target = backup_to(store.path, default_backup_name(target_folder), progress)
        _prune(target_folder, keep)
    with store.transaction():
        audit.record(actor.username if actor else None, "backup", file=target.name)
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
