"""The drop folder: the hospital's interface engine writes HL7 files into a folder (a site
setting) and the app imports each one like ``vpchecklist schedule import``.

A file whose every message was stored moves to ``done/``; a file with a refused message, or
one that could not be read, moves to ``failed/`` with a ``.refused.txt`` note beside it (control
ids and reasons, no patient data) — its good messages were stored, never half of one. Files
still being written (changed in the last seconds), hidden files and ``*.part`` files wait.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from vpchecklist.errors import VPError
from vpchecklist.services import schedule
from vpchecklist.services.actors import Actor
from vpchecklist.services.roles import allowed
from vpchecklist.services.settings import drop_folder
from vpchecklist.store import Store

log = logging.getLogger(__name__)

SETTLE_SECONDS = 2.0


@dataclass
class FolderReport:
    done: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    added: int = 0
    updated: int = 0
    cancelled: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.cancelled)


def _waiting(folder: Path, now: float) -> list[Path]:
    try:
        entries = sorted(folder.iterdir())
    except OSError:
        return []
    return [
        path
        for path in entries
        if path.is_file()
        and not path.is_symlink()
        and not path.name.startswith(".")
        and not path.name.endswith(".part")
        and now - path.stat().st_mtime >= SETTLE_SECONDS
    ]


def _move(path: Path, into: Path) -> Path:
    """Move ``path`` into ``into``, never over a file already there."""
    into.mkdir(mode=0o700, exist_ok=True)
    target = into / path.name
    number = 1
    while target.exists():
        target = into / f"{path.stem}.{number}{path.suffix}"
        number += 1
    os.replace(path, target)
    return target


def process(store: Store, actor: Actor, now: float | None = None) -> FolderReport:
    """Import every settled file of the drop folder (none when the setting is empty)."""
    report = FolderReport()
    folder = drop_folder(store)
    if folder is None or not folder.is_dir() or not allowed(actor.role, "create"):
        return report
    for path in _waiting(folder, time.time() if now is None else now):
        lines: list[str] = []
        try:
            summary = schedule.import_file(store, actor, path)
        except VPError as error:
            lines.append(f"not imported: {error}")
        else:
            report.added += summary.added
            report.updated += summary.updated
            report.cancelled += summary.cancelled
            lines += [f"refused {r.control_id}: {r.reason}" for r in summary.refused]
        try:
            if lines:
                moved = _move(path, folder / "failed")
                note = moved.with_name(moved.name + ".refused.txt")
                note.write_text("\n".join(lines) + "\n", encoding="utf-8")
                report.failed.append(path.name)
            else:
                _move(path, folder / "done")
                report.done.append(path.name)
        except OSError:
            log.exception("could not move a processed schedule file")
    return report
