"""Export commands of the CLI (``export``, ``verify``); wired in once the export package lands."""

from __future__ import annotations

from typing import Any


def register(sub: Any, command: Any) -> None:
    """Add the export subcommands to the CLI parser (none until the export package exists)."""
    return None
