"""The checklist walk-through, review and sign-off page (issue 7, part B).

The app shell embeds ``ChecklistPage(store, actor, checklist_id)`` and listens to ``closed``.
"""

from ui.checklist.page import ChecklistPage

__all__ = ["ChecklistPage"]
