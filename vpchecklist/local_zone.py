"""The workstation's time zone by name, and rendering "as if" in another named zone.

Why: a PDF copy prints times in the zone of the workstation that made it. ``verify`` re-renders
the record and compares the text, so a copy made in Paris and checked in New York would differ
in every local time and be reported as edited. The export therefore records the zone's IANA
name in the copy's binding (``zone=Europe/Paris``) and ``verify`` re-renders in that zone.

Switching zones sets ``TZ`` and calls ``time.tzset`` for the process: the wording functions
(``presentation``) follow the C library's local zone and key their caches on it. It is meant
for ``verify`` (a one-shot, read-only command), not for a process rendering on other threads.
Where the zone has no name we can find (no ``TZ``, no zoneinfo link) or ``time.tzset`` does
not exist (Windows), the copy is re-rendered in the zone of the process, as before.
"""

from __future__ import annotations

import contextlib
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

#: What an IANA zone key may look like (the name comes from a file: nothing else is used).
_KEY = re.compile(r"[A-Za-z0-9_+\-]+(?:/[A-Za-z0-9_+\-]+)*")


def _valid(name: str | None) -> str | None:
    if not name or len(name) > 64 or not _KEY.fullmatch(name) or ".." in name:
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None
    return name


def zone_id() -> str | None:
    """The IANA name of the process's zone (``Europe/Paris``), or None when it has none we
    can read: ``TZ`` first, then the ``/etc/localtime`` link, then ``/etc/timezone``."""
    configured = os.environ.get("TZ")
    if configured is not None:
        return _valid(configured.removeprefix(":"))
    with contextlib.suppress(OSError):
        target = str(Path("/etc/localtime").resolve())
        if "zoneinfo/" in target:
            return _valid(target.split("zoneinfo/", 1)[1])
    with contextlib.suppress(OSError):
        return _valid(Path("/etc/timezone").read_text(encoding="ascii").strip())
    return None


@contextlib.contextmanager
def rendering_in(name: str | None) -> Iterator[None]:
    """Inside the block the process's local zone is ``name`` (an IANA key); no change when
    ``name`` is None, not a known zone, already the zone, or zones cannot be switched here."""
    wanted = _valid(name)
    if wanted is None or wanted == zone_id() or not hasattr(time, "tzset"):
        yield
        return
    before = os.environ.get("TZ")
    os.environ["TZ"] = wanted
    time.tzset()
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = before
        time.tzset()
