"""The patient-name search key: one folded spelling so "haddad", "HADDAD" and "Hàddad" meet.

Stored beside the name (``checklist.search_name``) rather than folded at query time: SQLite's
LIKE folds ASCII case only, and a Python function in every query would scan 100,000 rows.
"""

from __future__ import annotations

import unicodedata


def name_key(name: str) -> str:
    """Lower case, accents removed, runs of spaces as one: the form stored and searched."""
    decomposed = unicodedata.normalize("NFKD", name)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())


def like_escaped(text: str) -> str:
    """``text`` safe inside a LIKE pattern whose escape character is a backslash."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
