"""Stand-in for the checklist pages (``ui.checklist``) while they are not installed: a
read-only summary of the header, so the shell can still open a checklist."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from ui.widgets import button
from vpchecklist.services import Actor, checklists
from vpchecklist.store import Store


class ChecklistPlaceholder(QWidget):
    closed = Signal()

    def __init__(
        self, store: Store, actor: Actor, checklist_id: int, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("checklist")
        self.checklist_id = checklist_id
        record = checklists.detail(store, actor, checklist_id)
        header = record["header"]
        patient = header["patient"]
        title = QLabel(f"{patient['name']}  ·  {patient['mrn']}")
        title.setObjectName("page.title")
        levels = QLabel(", ".join(header["levels"]))
        levels.setObjectName("checklist.levels")
        info = QLabel(
            f"Born {patient['date_of_birth']} · planned start "
            f"{header['planned_start'].replace('T', ' ')} · {header['physician']} · "
            f"status {record['status']}\n\nThe checklist pages are not installed in this build."
        )
        info.setWordWrap(True)
        back = button("Back to the worklist", "checklist.back")
        back.clicked.connect(self.closed)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(levels)
        layout.addWidget(info)
        layout.addStretch(1)
        layout.addWidget(back)

    def set_actor(self, actor: Actor) -> None:
        """Nothing to refresh: the summary holds no per-user state."""
