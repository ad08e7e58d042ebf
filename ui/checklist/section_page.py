"""One template section as a scrolling page of item cards; Enter walks down the items."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

from ui.checklist.item_card import ENTER_KEYS, ItemCard, LevelsCard
from ui.checklist.session import ChecklistSession
from vpchecklist.templates.model import Section


class SectionPage(QScrollArea):
    finished = Signal()  # Enter on the last item: on to the next section
    postpone_requested = Signal()

    def __init__(
        self, section: Section, session: ChecklistSession, first: bool, parent: QWidget
    ) -> None:
        super().__init__(parent)
        self.section = section
        self.setObjectName(f"section.{section.id}")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        body = QWidget()
        self.setWidget(body)  # parent first, fill after: each card is styled once, not twice
        box = QVBoxLayout(body)
        box.setContentsMargins(16, 8, 24, 16)
        box.setSpacing(0)
        title = QLabel(section.title)
        title.setProperty("role", "page-title")
        box.addWidget(title)
        if section.subtitle:
            subtitle = QLabel(section.subtitle)
            subtitle.setProperty("role", "help")
            box.addWidget(subtitle)
        self.levels_card: LevelsCard | None = LevelsCard(session) if first else None
        if self.levels_card is not None:
            box.addWidget(self.levels_card)
        self.cards: list[ItemCard] = []
        for item in section.items:
            card = ItemCard(item, session)
            card.advance_requested.connect(lambda c=card: self._advance(c))
            card.postpone_requested.connect(self.postpone_requested)
            self.cards.append(card)
            box.addWidget(card)
        box.addStretch(1)

    def card(self, item_id: str) -> ItemCard | LevelsCard | None:
        if item_id == "levels":
            return self.levels_card
        return next((c for c in self.cards if c.item.id == item_id), None)

    def focus_item(self, item_id: str) -> None:
        card = self.card(item_id)
        if card is not None:
            self.ensureWidgetVisible(card, 0, 40)
            card.focus_input()

    def _advance(self, card: ItemCard) -> None:
        index = self.cards.index(card)
        if index + 1 < len(self.cards):
            self.focus_item(self.cards[index + 1].item.id)
        else:
            self.finished.emit()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt API)
        if event.key() in ENTER_KEYS:
            self.finished.emit()
            return
        super().keyPressEvent(event)
