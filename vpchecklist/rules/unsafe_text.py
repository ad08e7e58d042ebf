"""Characters that make stored text read differently from what was typed.

A bidi override turns "Smith‮KCIRTAP" into "SmithPATRICK" in the worklist, the CSV and the PDF;
a zero-width character makes two identical-looking names differ; a long run of combining marks
("zalgo") smears a name over its neighbours. Names, MRNs, the physician and every free text
refuse them (issue 12); ordinary accents (one or two marks on a letter) stay welcome.
"""

from __future__ import annotations

import re
import unicodedata

MAX_COMBINING_RUN = 4

#: Bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) and the marks that
#: steer direction (LRM, RLM, ALM).
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
#: Zero-width space, non-joiner, joiner, word joiner, invisible operators, byte-order mark.
_ZERO_WIDTH = re.compile("[\u200b-\u200d\u2060-\u2064\ufeff]")


def unsafe_text_problem(text: str) -> str | None:
    """What is wrong with ``text`` in words (to follow "… contains"), or None when it is safe."""
    if _BIDI.search(text):
        return "a text-direction control character"
    if _ZERO_WIDTH.search(text):
        return "an invisible (zero-width) character"
    run = 0
    for char in text:
        run = run + 1 if unicodedata.combining(char) else 0
        if run > MAX_COMBINING_RUN:
            return f"more than {MAX_COMBINING_RUN} accents or marks on one letter"
    return None


def neutralised(text: str) -> str:
    """``text`` with direction and zero-width controls made visible (for error messages)."""
    return _ZERO_WIDTH.sub("�", _BIDI.sub("�", text))
