"""Is this file a VP Checklist database? Answered before anything opens it for writing.

SQLite would happily add our tables to any database it is given (``--db other-app.sqlite``);
the application id in the file header (set by the schema since version 2), or for an older
file our own tables, decides. The look is read-only: a foreign file keeps every byte.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from vpchecklist.errors import StorageError
from vpchecklist.store.schema import APPLICATION_ID

_SQLITE_MAGIC = b"SQLite format 3\x00"
_OUR_TABLES = {"schema_version", "signature", "audit_event", "checklist"}


def _header(path: Path) -> bytes:
    try:
        with path.open("rb") as handle:
            return handle.read(100)
    except OSError:
        return b""


def _tables_and_id(path: Path) -> tuple[set[str], int]:
    """A read-only look; ``immutable`` when no WAL exists, so no -shm/-wal is created beside a
    foreign file either."""
    wal = Path(f"{path}-wal")
    has_wal = wal.exists() and wal.stat().st_size > 0
    uri = f"file:{path}?mode=ro" if has_wal else f"file:{path}?mode=ro&immutable=1"
    conn = sqlite3.connect(uri, uri=True, timeout=30)
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
    finally:
        conn.close()
    return tables, int(app_id)


def foreign_reason(path: Path) -> str | None:
    """Why ``path`` is not a VP Checklist database, or None (ours, empty, or not an SQLite file
    at all: a damaged file is the storage layer's to report)."""
    header = _header(path)
    if len(header) < 100 or not header.startswith(_SQLITE_MAGIC):
        return None
    app_id = int.from_bytes(header[68:72], "big")
    if app_id == APPLICATION_ID:
        return None
    if app_id != 0:
        return f"it belongs to another application (application id {app_id:#x})"
    try:
        tables, live_id = _tables_and_id(path)
    except sqlite3.Error:
        return None
    if live_id == APPLICATION_ID or not tables or tables >= _OUR_TABLES:
        return None
    if live_id != 0:
        return f"it belongs to another application (application id {live_id:#x})"
    return "it holds other tables than VP Checklist's"


def require_vp_database(path: Path) -> None:
    reason = foreign_reason(path)
    if reason is not None:
        raise StorageError(
            f"The file {path} is not a VP Checklist database ({reason}); nothing was changed."
        )


def foreign_tables_reason(db: object) -> str | None:
    """PostgreSQL has no file header: a database whose schema holds tables, but not ours, is
    somebody else's (None for an empty or a VP Checklist database)."""
    tables = set(db.get_tables())  # type: ignore[attr-defined]
    if not tables or tables >= _OUR_TABLES:
        return None
    return "it holds other tables than VP Checklist's"
