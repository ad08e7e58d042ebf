"""Retrying a save after the database server dropped the connection (issue 14).

A shared PostgreSQL server can go away in the middle of a nurse's answer or signature (network
blip, server restart, an administrator ending sessions). The interrupted transaction left
nothing behind, the store reconnects on its next call, so the save is simply tried again, a few
times with a short pause. Only a lost connection is retried: every other failure is a real
refusal the nurse must see at once.

A retried write must not happen twice when the first attempt did commit and only its answer got
lost on the way back: every answer save and signature therefore carries a ``request_id`` made by
the caller before the first attempt (``new_request_id``); the services store it with the write
and, on a retry, return what the stored write returned instead of writing again.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from typing import TypeVar

from vpchecklist.errors import ConnectionLost

log = logging.getLogger(__name__)

T = TypeVar("T")

#: Pauses before the 2nd and 3rd attempt: a dropped connection is usually back at once; a
#: restarting server takes a second or two.
RETRY_PAUSES_S: tuple[float, ...] = (0.3, 1.5)

#: What is being saved, as the nurse names it: ``answer`` or ``signature``.
RetryNotice = Callable[[str], None]


def new_request_id() -> str:
    """A fresh id for one save (made once, before its first attempt)."""
    return uuid.uuid4().hex


def retrying_sentence(what: str) -> str:
    """The one sentence a nurse reads while a save is retried."""
    return f"The server could not be reached — your last {what} was not saved; retrying…"


def failed_sentence(what: str) -> str:
    """The one sentence a nurse reads when every attempt failed (nothing was saved)."""
    return (
        f"The server could not be reached — your last {what} was not saved; "
        "try again when the server answers."
    )


def with_retries(attempt: Callable[[], T], what: str, notice: RetryNotice | None = None) -> T:
    """``attempt()`` and, on ``ConnectionLost`` only, up to ``len(RETRY_PAUSES_S)`` more tries
    after a pause each; ``notice`` hears the retry sentence before each retry. When every try
    failed, ``ConnectionLost`` says so in one sentence."""
    for pause in (*RETRY_PAUSES_S, None):
        try:
            return attempt()
        except ConnectionLost as lost:
            if pause is None:
                raise ConnectionLost(failed_sentence(what)) from lost
            log.warning("connection lost while saving (%s); retrying in %.1f s", what, pause)
            if notice is not None:
                notice(retrying_sentence(what))
            time.sleep(pause)
    raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises
