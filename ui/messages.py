"""Errors in plain words: a domain error shows its sentence; anything else points at the log."""

from __future__ import annotations

import logging

from PySide6.QtWidgets import QMessageBox, QWidget

from vpchecklist.errors import VPError
from vpchecklist.logs import LOG_FILE
from vpchecklist.paths import log_dir

log = logging.getLogger(__name__)

TITLE = "VP Checklist"


def window_title(text: str = "") -> str:
    """``text — VP Checklist``. Qt appends the application's display name to any title that
    does not already end with it, so a title that starts with the name shows it twice."""
    return f"{text} — {TITLE}" if text else TITLE


def plain_message(error: BaseException) -> str:
    """The sentence a nurse sees; tracebacks of unexpected errors go to the log only."""
    if isinstance(error, VPError):
        return str(error)
    return (
        "Something unexpected went wrong and the action was not completed. "
        f"Details were written to the log file {log_dir() / LOG_FILE}."
    )


def show_error(parent: QWidget | None, error: BaseException) -> None:
    if not isinstance(error, VPError):
        log.error("unexpected error", exc_info=error)
    QMessageBox.warning(parent, TITLE, plain_message(error))


def as_sentence(text: str) -> str:
    """``ValidationError.message`` is a clause ("a password needs …"); show it as a sentence."""
    text = text.strip()
    return (text[:1].upper() + text[1:]).rstrip(".") + "." if text else text
