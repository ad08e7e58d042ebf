"""Finding and starting a checklist: the nurse's worklist and the new-checklist page with its
spine picker."""

from ui.worklist.page import WorklistPage

__all__ = ["WorklistPage"]
