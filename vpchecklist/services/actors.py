"""Who is acting: the authenticated user every service call carries."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    id: int
    username: str
    full_name: str
    role: str
    must_change_password: bool = False
