"""Backups with SQLite's online backup API, verified after writing; the file moves a restore
makes (``services.backups.restore`` decides and checks). SQLite-specific by nature, so it lives
in the store package."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

from vpchecklist.clock import utc_now
from vpchecklist.errors import StorageError
from vpchecklist.store import schema
from vpchecklist.store.connection import translate


def _stamp() -> str:
    return utc_now()[:19].replace(":", "").replace("-", "")


def check_file(path: Path) -> list[str]:
    """Problems that make ``path`` unusable as a VP Checklist database (empty list = good)."""
    if not path.is_file():
        return [f"{path} does not exist"]
    try:
        # Read-only: SQLite still reads a WAL beside the file (creating its -shm if needed),
        # so pages a failed checkpoint never copied back are seen, and nothing is written.
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
    except sqlite3.Error as exc:
        return [f"{path} cannot be opened: {exc}"]
    try:
        rows = conn.execute("PRAGMA integrity_check").fetchall()
        problems = [r[0] for r in rows if r[0] != "ok"]
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "schema_version" not in tables or "signature" not in tables:
            problems.append(f"{path} is not a VP Checklist database")
        else:
            version = conn.execute("SELECT max(version) FROM schema_version").fetchone()[0] or 0
            if version > schema.LATEST_VERSION:
                problems.append(f"{path} comes from a newer version (schema {version})")
    except sqlite3.DatabaseError as exc:
        problems = [f"{path} is not a valid database ({exc})"]
    finally:
        conn.close()
    return problems


def backup_to(
    source: Path, target: Path, progress: Callable[[int, int], None] | None = None
) -> Path:
    """Copy a live database consistently (other writers may keep working), then verify it."""
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    partial = target.with_name(target.name + ".partial")
    old_umask = os.umask(0o077)
    try:
        src = sqlite3.connect(str(source), timeout=30)
        dst = sqlite3.connect(str(partial))
        try:
            src.backup(
                dst,
                pages=256,
                progress=(lambda _status, left, total: progress(total - left, total))
                if progress
                else None,
            )
            dst.execute("PRAGMA journal_mode=DELETE")
        finally:
            dst.close()
            src.close()
        problems = check_file(partial)
        if problems:
            partial.unlink(missing_ok=True)
            raise StorageError(f"The backup failed its integrity check: {problems[0]}.")
        os.replace(partial, target)  # a killed backup never leaves a half file under the real name
    except (sqlite3.Error, OSError) as exc:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
        raise translate(exc, target) from exc
    finally:
        os.umask(old_umask)
    target.chmod(0o600)
    return target


def default_backup_name(folder: Path) -> Path:
    return folder / f"vpchecklist-{_stamp()}.sqlite"


def replaced_name(database: Path) -> Path:
    """Where a restore keeps the database it replaces (never overwriting an earlier one)."""
    candidate = database.with_name(f"{database.stem}.replaced-{_stamp()}{database.suffix}")
    n = 1
    while candidate.exists():
        n += 1
        candidate = database.with_name(f"{database.stem}.replaced-{_stamp()}-{n}{database.suffix}")
    return candidate


def move_aside(database: Path, target: Path) -> None:
    """Move a closed database file and its WAL/SHM to ``target`` (same folder, atomic renames)."""
    os.replace(database, target)
    for suffix in ("-wal", "-shm"):
        side = Path(f"{database}{suffix}")
        if side.exists():
            os.replace(side, Path(f"{target}{suffix}"))
