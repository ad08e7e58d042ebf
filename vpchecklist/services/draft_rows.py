"""The rows read and written on every answer save, as SQL written once.

Saving an answer is the nurse's most frequent action and must stay within 2 ms (issue 10).
Peewee spends 50–250 µs building a statement's SQL and its model objects — ten times what
SQLite spends running it — so the statements of that path are fixed SQL over the models'
tables, run on the same connection and inside the caller's transaction. Everything else
uses peewee queries; ``tests/core`` exercises every statement here through the services.
"""

from __future__ import annotations

import json
from typing import Any

from vpchecklist.store.models import Checklist, database

_CHECKLIST = "SELECT * FROM checklist WHERE id = ?"
_ANSWERS = "SELECT item_id, value FROM answer WHERE checklist_id = ?"
_ACKNOWLEDGEMENTS = (
    "SELECT item_id, reason, physician_informed FROM acknowledgement WHERE checklist_id = ?"
)
_INSERT_ANSWER = (
    "INSERT INTO answer"
    " (checklist_id, item_id, value, value_utc, answered_by_id, answered_at, provenance)"
    " VALUES (?, ?, ?, ?, ?, ?, ?)"
)
_UPDATE_ANSWER = (
    "UPDATE answer SET value = ?, value_utc = ?, answered_by_id = ?, answered_at = ?,"
    " provenance = ? WHERE checklist_id = ? AND item_id = ?"
)
_PROVENANCE = "SELECT provenance FROM answer WHERE checklist_id = ? AND item_id = ?"
_INSERT_HISTORY = (
    "INSERT INTO answer_history"
    " (checklist_id, item_id, old_value, new_value, changed_by_id, changed_at, request_id)"
    " VALUES (?, ?, ?, ?, ?, ?, ?)"
)
_SAVED_REQUEST = "SELECT 1 FROM answer_history WHERE request_id = ?"
_DELETE_ACKNOWLEDGEMENT = "DELETE FROM acknowledgement WHERE checklist_id = ? AND item_id = ?"
_UPDATE_SUMMARY = (
    "UPDATE checklist SET updated_at = ?, progress = ?, warning_count = ? WHERE id = ?"
)


def checklist_row(checklist_id: int) -> Checklist | None:
    """The checklist row as a model object, or None."""
    return next(iter(Checklist.raw(_CHECKLIST, checklist_id)), None)


def answers_and_acknowledgements(
    checklist_id: int,
) -> tuple[dict[str, Any], dict[str, dict[str, str]]]:
    """Stored answers (canonical values) and acknowledgements, by item id."""
    answers = {
        item_id: json.loads(value)
        for item_id, value in database.execute_sql(_ANSWERS, (checklist_id,))
    }
    acks = {
        item_id: {"reason": reason, "physician_informed": physician}
        for item_id, reason, physician in database.execute_sql(_ACKNOWLEDGEMENTS, (checklist_id,))
    }
    return answers, acks


def write_answer(
    checklist_id: int,
    item_id: str,
    old: str | None,
    new: str,
    value_utc: str | None,
    user_id: int,
    now: str,
    provenance: str | None = None,
    request_id: str | None = None,
) -> None:
    """Store the answer's new canonical text and its history entry (old → new), which keeps
    the save's ``request_id`` (see ``saved_request``)."""
    if old is None:
        database.execute_sql(
            _INSERT_ANSWER, (checklist_id, item_id, new, value_utc, user_id, now, provenance)
        )
    else:
        database.execute_sql(
            _UPDATE_ANSWER, (new, value_utc, user_id, now, provenance, checklist_id, item_id)
        )
    database.execute_sql(
        _INSERT_HISTORY, (checklist_id, item_id, old, new, user_id, now, request_id)
    )


def saved_request(request_id: str) -> bool:
    """True when a save with this id already committed (a retry after a lost connection)."""
    return database.execute_sql(_SAVED_REQUEST, (request_id,)).fetchone() is not None


def answer_provenance(checklist_id: int, item_id: str) -> str | None:
    """How the stored answer was made ("scanned", "by_hand"), None when not recorded."""
    row = database.execute_sql(_PROVENANCE, (checklist_id, item_id)).fetchone()
    return row[0] if row else None


def withdraw_acknowledgement(checklist_id: int, item_id: str) -> bool:
    """Delete the item's acknowledgement; True when there was one."""
    cursor = database.execute_sql(_DELETE_ACKNOWLEDGEMENT, (checklist_id, item_id))
    return bool(cursor.rowcount)


def update_summary(checklist_id: int, now: str, progress: int, warning_count: int) -> None:
    """The list columns (progress, warning count) and the last change time."""
    database.execute_sql(_UPDATE_SUMMARY, (now, progress, warning_count, checklist_id))
