"""Time stamps: UTC ISO text for storage, the workstation zone for display."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta

# A per-thread (per-context) time source, so tests and the demo generator can record answers at
# chosen moments without a process-wide patch that would also move the UI thread's clock.
_source: ContextVar[Callable[[], datetime] | None] = ContextVar("vpchecklist_clock", default=None)


def now() -> datetime:
    """The current UTC moment from the injected source, else the system clock."""
    source = _source.get()
    return source() if source is not None else datetime.now(UTC)


def utc_now() -> str:
    """Current UTC time as fixed-width ISO text (sorts as it reads)."""
    return now().strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class ManualClock:
    """A clock that moves only when told: ``advance(seconds)``. Use with ``using_clock``."""

    def __init__(self, start: datetime) -> None:
        self.moment = start.astimezone(UTC)

    def advance(self, seconds: float) -> datetime:
        self.moment += timedelta(seconds=seconds)
        return self.moment

    def __call__(self) -> datetime:
        return self.moment


@contextmanager
def using_clock(source: Callable[[], datetime]) -> Iterator[None]:
    """Every time stamp written by this thread inside the block comes from ``source``."""
    token = _source.set(source)
    try:
        yield
    finally:
        _source.reset(token)


_STAMP = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z")


def parse_utc(text: str) -> datetime:
    """A stored stamp (``2026-11-30T16:04:19.123456Z``, as ``utc_now`` writes it) as an aware
    UTC moment. Stamps of exactly that shape take ``fromisoformat`` (~10x cheaper than
    ``strptime``: an export parses every answer time); anything else goes through ``strptime``,
    which accepts and refuses exactly what it always did."""
    if _STAMP.fullmatch(text):
        try:
            return datetime.fromisoformat(text[:26]).replace(tzinfo=UTC)
        except ValueError:
            pass  # strptime below words the error (a day out of range)
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def local_zone_label() -> str:
    """The workstation's zone name and offset, e.g. ``CET (+01:00)``."""
    now = datetime.now().astimezone()
    offset = now.strftime("%z")
    return f"{now.tzname()} ({offset[:3]}:{offset[3:]})"


def local_to_utc(local: str) -> str:
    """A local ``YYYY-MM-DDTHH:MM`` wall time, as UTC in the workstation's zone."""
    moment = datetime.strptime(local, "%Y-%m-%dT%H:%M").astimezone()
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")
