"""The external anchor: the event chain's head written outside the database.

Whoever can write the database file can also rewrite its whole hash chain, roll it back to an
older copy, or lose the tail of its WAL; the chain alone cannot show that. So the head
(sequence, hash, time) is appended to ``vpchecklist-<database id>.anchor`` after every
signature and at each app start, and ``audit verify`` compares: a database *behind* its anchor,
or with another hash at an anchored sequence, is reported with the last anchored sequence.

The file lives in the log folder unless ``VPCHECKLIST_ANCHOR_DIR`` or the ``anchor_folder``
setting names another place — ideally a share the workstation account can only append to.
A restore appends a ``restore`` line: the chain legitimately continues from the restored
head, and only lines from the newest restore on are compared.
"""

from __future__ import annotations

import json
import logging
import os
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vpchecklist.clock import utc_now
from vpchecklist.paths import log_dir
from vpchecklist.store import events, schema
from vpchecklist.store.models import AuditEvent, Setting, database

log = logging.getLogger(__name__)

ENV_FOLDER = "VPCHECKLIST_ANCHOR_DIR"
SUFFIX = ".anchor"


@dataclass(frozen=True)
class Mark:
    """One anchored head."""

    seq: int
    hash: str
    at: str
    kind: str  # sign | addendum | start | restore (beside a backup: backup)


def folder() -> Path:
    """``VPCHECKLIST_ANCHOR_DIR``, else the ``anchor_folder`` setting, else the log folder."""
    env = os.environ.get(ENV_FOLDER)
    if env:
        return Path(env).expanduser()
    row = Setting.get_or_none(Setting.key == "anchor_folder")
    if row is not None and row.value.strip():
        return Path(row.value.strip()).expanduser()
    return log_dir()


def path_for(database_id: str, where: Path | None = None) -> Path:
    return (where or folder()) / f"vpchecklist-{database_id}{SUFFIX}"


def beside(backup: Path) -> Path:
    """The anchor written next to a backup file."""
    return backup.with_name(backup.name + SUFFIX)


def _line(database_id: str, head: events.Head, kind: str) -> str:
    return (
        json.dumps(
            {
                "database_id": database_id,
                "seq": head.seq,
                "hash": head.hash,
                "at": head.at,
                "kind": kind,
                "written": utc_now(),
            },
            sort_keys=True,
        )
        + "\n"
    )


def _append_line(target: Path, line: str) -> None:
    """Append one line, without a second fsync per signature (the database's commit already
    had one, and a back-to-back signer would wait for both): the line is visible to every
    reader at once and reaches the disk with the system's next flush. A power cut before that
    can only leave the anchor *behind* the database, which is never reported as tampering."""
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW, 0o600)
    try:
        os.write(fd, line.encode())
    finally:
        os.close(fd)


#: Each open database's id (fixed at creation), so a signature's anchor line costs no reads
#: of it (two round trips on a server).
_database_ids: weakref.WeakKeyDictionary[object, str] = weakref.WeakKeyDictionary()


def _current_database_id() -> str | None:
    db = database.obj
    known = _database_ids.get(db)
    if known is None:
        known = schema.database_info(db).get("database_id")
        if known:
            _database_ids[db] = known
    return known


def append_current(kind: str = "sign") -> Path | None:
    """Append the current database's chain head to its anchor file. A failure is logged and
    returned as None: the signature it follows is already committed and stays valid."""
    database_id = _current_database_id()
    if not database_id:
        return None
    try:
        target = path_for(database_id)
        _append_line(target, _line(database_id, events.head(), kind))
    except OSError as exc:
        log.warning("could not write the anchor file: %s", exc.strerror or exc)
        return None
    return target


def write_beside(backup: Path, database_id: str, head: events.Head, clean: bool) -> Path:
    """The head of a backup copy, next to it (one line, with whether it verified clean)."""
    target = beside(backup)
    line = json.loads(_line(database_id, head, "backup"))
    line["verified_clean"] = clean
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    try:
        os.write(fd, (json.dumps(line, sort_keys=True) + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    return target


def read_marks(path: Path, database_id: str) -> list[Mark]:
    """The marks of ``database_id`` in an anchor file (unreadable lines are skipped)."""
    marks = []
    for raw in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            entry: Any = json.loads(raw)
            if entry.get("database_id") != database_id:
                continue
            marks.append(
                Mark(int(entry["seq"]), str(entry["hash"]), str(entry["at"]), str(entry["kind"]))
            )
        except (ValueError, TypeError, KeyError, AttributeError):
            continue
    return marks


def backup_mark(backup: Path) -> dict[str, Any] | None:
    """What the anchor beside a backup says (None when there is none or it is unreadable)."""
    try:
        entry = json.loads(beside(backup).read_text(encoding="utf-8").splitlines()[0])
    except (OSError, ValueError, IndexError):
        return None
    return entry if isinstance(entry, dict) else None


def current_marks(marks: list[Mark]) -> list[Mark]:
    """The marks since the newest restore (which starts the chain's present history)."""
    last_restore = max((i for i, m in enumerate(marks) if m.kind == "restore"), default=0)
    return marks[last_restore:]


def compare(marks: list[Mark], allow_behind: bool = False) -> list[str]:
    """How the open database disagrees with ``marks`` (empty when it agrees). ``allow_behind``
    accepts a database that ends before the newest mark (a backup being restored) and checks
    only the marks it reaches."""
    marks = current_marks(marks)
    if not marks:
        return []
    head = events.head()
    problems = []
    newest = max(marks, key=lambda m: m.seq)
    if newest.seq > head.seq and not allow_behind:
        problems.append(
            f"the database is behind its anchor: the anchor recorded event {newest.seq} "
            f"(at {newest.at}) but the database ends at event {head.seq}; the events after "
            f"{head.seq} are missing (rolled back to an older copy, truncated or lost)"
        )
    wanted = {m.seq: m for m in marks if 0 < m.seq <= head.seq}
    stored: dict[int, str] = {}
    seqs = sorted(wanted)
    for start in range(0, len(seqs), 500):
        rows = AuditEvent.select(AuditEvent.seq, AuditEvent.event_hash).where(
            AuditEvent.seq.in_(seqs[start : start + 500])
        )
        stored.update({row.seq or 0: str(row.event_hash) for row in rows})
    for seq in seqs:
        if stored.get(seq) != wanted[seq].hash:
            problems.append(
                f"event {seq} differs from its anchored hash (anchored at {wanted[seq].at}): "
                "the chain was rewritten up to or after that point"
            )
            break
    return problems


def check_current(allow_behind: bool = False) -> tuple[Path | None, list[str], int | None]:
    """(anchor file, problems, last anchored sequence) for the open database; the file is
    None when there is no anchor to compare with."""
    database_id = schema.database_info(database.obj).get("database_id")
    if not database_id:
        return None, [], None
    target = path_for(database_id)
    if not target.is_file():
        return None, [], None
    try:
        marks = read_marks(target, database_id)
    except OSError as exc:
        return target, [f"the anchor file {target} cannot be read ({exc.strerror})"], None
    current = current_marks(marks)
    last = max((m.seq for m in current), default=None)
    return target, compare(marks, allow_behind), last
