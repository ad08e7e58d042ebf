"""Time stamps: UTC ISO text for storage, the workstation zone for display."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> str:
    """Current UTC time as fixed-width ISO text (sorts as it reads)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_utc(text: str) -> datetime:
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


def utc_to_local_text(text: str) -> str:
    """A stored UTC stamp shown in the workstation's zone, to the minute."""
    return parse_utc(text).astimezone().strftime("%Y-%m-%d %H:%M %Z")
