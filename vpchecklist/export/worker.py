"""Worker processes of a bulk PDF export.

Each worker opens its own read-only connection to the database, reads and renders one record
at a time and writes the PDF beside its target as a hidden ``.part`` file. It never writes to
the database: the parent process keeps the single writer, which audits each file and renames it
into place (``commands._commit``), so a file exists only with its audit event.

Results travel back as plain tuples (no exceptions: a ``VPError`` subclass with its own
``__init__`` does not survive pickling); tracebacks go back as text for the parent's log.
"""

from __future__ import annotations

import signal
import traceback
from pathlib import Path
from typing import Any

from vpchecklist.errors import VPError
from vpchecklist.services.actors import Actor

_state: dict[str, Any] = {}

OK, REFUSED, CRASHED = "ok", "refused", "crashed"


def start(db_path: str, actor: Actor) -> None:
    """Pool initializer: ignore Ctrl+C (the parent decides when to stop), open the database."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from vpchecklist.export.fonts import register_fonts
    from vpchecklist.store import open_store

    store = open_store(Path(db_path), create=False)
    store.db.execute_sql("PRAGMA query_only = 1")
    register_fonts()
    _state["store"] = store
    _state["actor"] = actor


def render(checklist_id: int, target: str, paper: str) -> tuple[str, Any, str]:
    """``(OK, _Pending, "")``, ``(REFUSED, error class name, sentence)`` or
    ``(CRASHED, None, traceback)`` for one checklist."""
    from vpchecklist.export import commands

    try:
        pending, _ = commands.prepare(
            _state["store"], _state["actor"], checklist_id, Path(target), paper
        )
    except VPError as error:
        return REFUSED, type(error).__name__, str(error)
    except Exception:  # noqa: BLE001 - reported to the parent, which logs it
        return CRASHED, None, traceback.format_exc()
    return OK, pending, ""
