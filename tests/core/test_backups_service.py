"""Daily automatic backups: written when due, verified, pruned to the newest 14, audited."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest

from vpchecklist.services import backups
from vpchecklist.store import Store
from vpchecklist.store.backup import check_file
from vpchecklist.store.models import AuditEvent


def _reads_back(backup: Path, backend: str) -> bool:
    """An SQLite backup passes its file check; a PostgreSQL one is an archive pg_restore lists."""
    if backend == "sqlite":
        return check_file(backup) == []
    from vpchecklist.store.pg_backup import find_tool

    listed = subprocess.run(
        [str(find_tool("pg_restore")), "--list", str(backup)], capture_output=True, text=True
    )
    return listed.returncode == 0 and "TABLE DATA" in listed.stdout


def test_daily_backup_runs_when_due_and_not_twice(
    store: Store, actors: dict, tmp_path: Path, backend: str
) -> None:
    folder = tmp_path / "backups"
    first = backups.run_daily_if_due(store, folder)
    assert first is not None and _reads_back(first, backend)
    assert oct(first.stat().st_mode & 0o777) == "0o600"
    assert backups.run_daily_if_due(store, folder) is None, "one a day is enough"
    events = AuditEvent.select().where(AuditEvent.action == "backup").count()
    assert events == 1


def test_daily_backup_due_again_after_a_day(store: Store, actors: dict, tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    first = backups.run_daily_if_due(store, folder)
    assert first is not None
    day_ago = time.time() - 25 * 3600
    os.utime(first, (day_ago, day_ago))
    assert backups.daily_backup_due(store, folder)


def _old_backups(folder: Path, days_ago: list[float], clean: set[float] | None = None) -> dict:
    """Fake backups (named and dated ``days_ago``); those in ``clean`` say they verified clean."""
    folder.mkdir(exist_ok=True)
    made = {}
    for n, days in enumerate(days_ago):
        old = folder / f"vpchecklist-20250101T{n:06d}.sqlite"
        old.write_bytes(b"old")
        if days in (clean or set()):
            (folder / (old.name + ".anchor")).write_text('{"verified_clean": true}\n')
        stamp = time.time() - days * 86400
        os.utime(old, (stamp, stamp))
        made[days] = old
    return made


def test_backups_are_kept_by_daily_weekly_and_monthly_tiers(
    store: Store, actors: dict, tmp_path: Path
) -> None:
    folder = tmp_path / "backups"
    # Three a day for the last 20 days, then one a week for a year.
    days = [d + h / 24 for d in range(1, 21) for h in (1, 5, 9)] + [21 + 7 * w for w in range(50)]
    made = _old_backups(folder, days)
    new = backups.back_up_now(store, actors["admin"], folder)
    kept = {b.path for b in backups.list_backups(folder)}
    assert new in kept
    # Daily: only the newest of each day survives.
    assert made[1 + 1 / 24] in kept and made[1 + 5 / 24] not in kept
    assert len(kept) <= backups.DAILY + backups.WEEKLY + backups.MONTHLY + 2
    # Monthly: something from about ten months ago is still there, nothing from two years.
    ages = sorted((time.time() - b.stat().st_mtime) / 86400 for b in kept)
    assert any(250 < age < 330 for age in ages) and all(age < 400 for age in ages)
    assert not any(p.name.endswith(".anchor") and Path(str(p)[:-7]) not in kept
                   for p in folder.iterdir())  # fmt: skip


def test_the_newest_backup_that_verified_clean_is_never_pruned(
    store: Store, actors: dict, tmp_path: Path
) -> None:
    """Issue 12 finding 6: backups after an undetected tamper cannot push out the last good one."""
    folder = tmp_path / "backups"
    made = _old_backups(folder, [0.01 * n for n in range(1, 15)] + [3.0], clean={3.0})
    for _ in range(3):
        backups.back_up_now(store, actors["admin"], folder)
    kept = {b.path for b in backups.list_backups(folder)}
    assert made[3.0] in kept
    assert made[0.01] not in kept


@pytest.mark.sqlite_only  # start-up recovery of a damaged database FILE from an SQLite backup
def test_newest_good_backup_skips_damaged_ones(store: Store, actors: dict, tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    good = backups.back_up_now(store, actors["admin"], folder)
    bad = folder / "vpchecklist-29990101T000000.sqlite"
    bad.write_bytes(os.urandom(8192))
    assert backups.list_backups(folder)[0].path == bad
    assert backups.newest_good_backup(folder) == good
