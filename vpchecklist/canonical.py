"""Canonical JSON and hashing of signed content (spec §5): one byte-exact form everywhere."""

from __future__ import annotations

import hashlib
import json
from typing import Any

GENESIS_HASH = "0" * 64


def canonical_json(value: Any) -> str:
    """Sorted keys, no whitespace, UTF-8 as is: the form that is hashed and stored."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def chain_hash(prev_hash: str, content: str) -> str:
    """SHA-256 binding a signature's content to the previous signature's hash."""
    return hashlib.sha256(f"{prev_hash}\n{content}".encode()).hexdigest()
