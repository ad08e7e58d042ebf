"""Rotating log file in the user log folder. Never patient names, dates of birth or MRNs:
code logs record ids and item ids only, and this filter masks anything that slips through."""

from __future__ import annotations

import logging
import logging.handlers
import os
import re

from vpchecklist.paths import log_dir

LOG_FILE = "vpchecklist.log"
_configured = False


class _PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """Every log file, the rotated ones included, is created 0600."""

    def _open(self):  # type: ignore[no-untyped-def]
        old_umask = os.umask(0o077)
        try:
            return super()._open()
        finally:
            os.umask(old_umask)

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802 - logging's name
        """A full disk must not print a traceback on the nurse's console."""


class _NoIdentifiers(logging.Filter):
    """Last line of defence: masks MRN-like tokens and quoted values in messages."""

    _mrn = re.compile(r"\bMRN[\w./-]*", re.IGNORECASE)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = self._mrn.sub("MRN***", message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


def setup_logging(level: int = logging.INFO) -> None:
    """Attach a private, rotating file handler once per process (console stays quiet)."""
    global _configured
    if _configured:
        return
    folder = log_dir()
    old_umask = os.umask(0o077)
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        handler: logging.Handler = _PrivateRotatingFileHandler(
            folder / LOG_FILE, maxBytes=2_000_000, backupCount=5, encoding="utf-8"
        )
    except OSError:
        handler = logging.NullHandler()
    finally:
        os.umask(old_umask)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(_NoIdentifiers())
    root = logging.getLogger()
    logging.raiseExceptions = False  # never a "--- Logging error ---" traceback on stderr
    root.addHandler(handler)
    root.setLevel(level)
    # peewee logs every query with its parameters at DEBUG: those parameters are patient data.
    logging.getLogger("peewee").setLevel(logging.INFO)
    _configured = True
