"""One template section as a column of item cards (the page walks the items).

The page shows every section inside one shared scroll area (only the current section is not
hidden), so opening a checklist creates one scroll area instead of one per section and lays
out only the section on screen.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from ui.checklist.item_card import ENTER_KEYS, ItemCard, LevelsCard
from ui.checklist.session import ChecklistSession
from vpchecklist.templates.model import Section


class SectionPage(QWidget):
    finished = Signal()  # Enter on the last item: on to the next section
    postpone_requested = Signal()

    def __init__(
        self,
        section: Section,
        session: ChecklistSession,
        first: bool,
        parent: QWidget,
        reveal: Callable[[QWidget], None],
        advance: Callable[[ItemCard], None],
    ) -> None:
        super().__init__(parent)
        self.hide()  # before any child exists: a hidden section is neither laid out nor shown
        self.section = section
        self._reveal = reveal
        self.setObjectName(f"section.{section.id}")
        box = QVBoxLayout(self)
        box.setContentsMargins(16, 8, 24, 16)
        box.setSpacing(0)
        title = QLabel(section.title, self)
        title.setProperty("role", "page-title")
        box.addWidget(title)
        if section.subtitle:
            subtitle = QLabel(section.subtitle, self)
            subtitle.setProperty("role", "help")
            subtitle.setWordWrap(True)
            box.addWidget(subtitle)
        self.levels_card: LevelsCard | None = LevelsCard(session, self) if first else None
        if self.levels_card is not None:
            box.addWidget(self.levels_card)
        self.cards: list[ItemCard] = []
        for item in section.items:
            card = ItemCard(item, session, self, advance, self.postpone_requested.emit)
            self.cards.append(card)
            box.addWidget(card)
        box.addStretch(1)

    def ensure_complete(self) -> None:
        """Finish the cards before the section is first shown (see ItemCard.ensure_complete)."""
        for card in self.cards:
            card.ensure_complete()

    def card(self, item_id: str) -> ItemCard | LevelsCard | None:
        if item_id == "levels":
            return self.levels_card
        return next((c for c in self.cards if c.item.id == item_id), None)

    def focus_item(self, item_id: str) -> None:
        card = self.card(item_id)
        if card is not None:
            self._reveal(card)
            card.focus_input()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt API)
        if event.key() in ENTER_KEYS:
            self.finished.emit()
            return
        super().keyPressEvent(event)
