"""Daily automatic backups: written when due, verified, pruned to the newest 14, audited."""

from __future__ import annotations

import os
import time
from pathlib import Path

from vpchecklist.services import backups
from vpchecklist.store import Store
from vpchecklist.store.backup import check_file
from vpchecklist.store.models import AuditEvent


def test_daily_backup_runs_when_due_and_not_twice(
    store: Store, actors: dict, tmp_path: Path
) -> None:
    folder = tmp_path / "backups"
    first = backups.run_daily_if_due(store, folder)
    assert first is not None and check_file(first) == []
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


def test_only_the_newest_fourteen_are_kept(store: Store, actors: dict, tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    for n in range(16):
        old = folder / f"vpchecklist-2026010{n % 10}T0000{n:02d}.sqlite"
        old.write_bytes(b"old")
        stamp = time.time() - (n + 2) * 86400
        os.utime(old, (stamp, stamp))
    made = backups.back_up_now(store, actors["admin"], folder)
    kept = backups.list_backups(folder)
    assert len(kept) == backups.KEEP
    assert kept[0].path == made


def test_newest_good_backup_skips_damaged_ones(store: Store, actors: dict, tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    good = backups.back_up_now(store, actors["admin"], folder)
    bad = folder / "vpchecklist-29990101T000000.sqlite"
    bad.write_bytes(os.urandom(8192))
    assert backups.list_backups(folder)[0].path == bad
    assert backups.newest_good_backup(folder) == good
