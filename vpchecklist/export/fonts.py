"""The DejaVu fonts embedded in every PDF, registered once per process."""

from __future__ import annotations

import threading

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from vpchecklist.resources import fonts_dir

REGULAR = "VPSans"
BOLD = "VPSans-Bold"
OBLIQUE = "VPSans-Oblique"

_lock = threading.Lock()
_registered = False


def register_fonts() -> None:
    """Register the TTFs (parsing them costs ~100 ms, so only the first call pays)."""
    global _registered
    if _registered:
        return
    with _lock:
        if _registered:
            return
        folder = fonts_dir()
        for name, file in (
            (REGULAR, "DejaVuSans.ttf"),
            (BOLD, "DejaVuSans-Bold.ttf"),
            (OBLIQUE, "DejaVuSans-Oblique.ttf"),
        ):
            pdfmetrics.registerFont(TTFont(name, str(folder / file)))
        addMapping(REGULAR, 0, 0, REGULAR)
        addMapping(REGULAR, 1, 0, BOLD)
        addMapping(REGULAR, 0, 1, OBLIQUE)
        addMapping(REGULAR, 1, 1, BOLD)
        _registered = True
