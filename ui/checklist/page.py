"""The checklist page the app shell embeds: header, section list, walk-through, review and sign.

Opening a draft resumes on the page of the first unanswered item, because nurses are
interrupted all the time and every answer is already saved.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QKeyEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ui.checklist.addendum_dialog import AddendumDialog
from ui.checklist.display import (
    LEVELS_ID,
    STATE_MARKS,
    STATE_WORDS,
    first_missing,
    section_state,
)
from ui.checklist.header import PatientHeader
from ui.checklist.item_card import ItemCard, LevelsCard, card_tab_stops
from ui.checklist.review_page import ReviewPage
from ui.checklist.section_keys import SectionKeys
from ui.checklist.section_page import SectionPage
from ui.checklist.session import ChecklistSession, plain
from ui.checklist.style import TOUCH, ensure_app_style, named
from vpchecklist.errors import VPError
from vpchecklist.rules.evaluation import Evaluation
from vpchecklist.services import checklists
from vpchecklist.services.actors import Actor
from vpchecklist.store import Store

log = logging.getLogger(__name__)

STATE_COLOURS = {"stop": "#b3261e", "warning": "#b26a00", "open": "#333333", "complete": "#1e6b30"}


class ChecklistPage(QWidget):
    """``ChecklistPage(store, actor, checklist_id)``; emits ``closed`` to go back to the worklist."""

    closed = Signal()

    def __init__(
        self, store: Store, actor: Actor, checklist_id: int, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("checklistPage")
        self.session: ChecklistSession | None = None
        try:
            self.session = ChecklistSession(store, actor, checklist_id, self)
        except VPError as error:
            self._build_failure(plain(error))
            return
        self._build(self.session)

    # -- building --------------------------------------------------------------------------
    def _build_failure(self, message: str) -> None:
        box = QVBoxLayout(self)
        text = QLabel(f"This checklist cannot be opened. {message}")
        text.setObjectName("checklist.open_error")
        text.setWordWrap(True)
        back = QPushButton("← Worklist")
        named(back, "checklist.back", "Back to the worklist")
        back.clicked.connect(self.closed)
        box.addWidget(text)
        box.addWidget(back, 0, Qt.AlignmentFlag.AlignLeft)
        box.addStretch(1)
        ensure_app_style(self)

    def _build(self, session: ChecklistSession) -> None:
        template = session.template
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        self.header = PatientHeader(
            session.detail["header"], self, template_note=session.template_note
        )
        self.header.back_requested.connect(self.closed)
        self.header.addendum_requested.connect(self._open_addendum)
        outer.addWidget(self.header)

        middle = QHBoxLayout()
        middle.setContentsMargins(0, 0, 0, 0)
        middle.setSpacing(0)
        self.sections = QListWidget(self)
        named(self.sections, "checklist.sections", "Sections of the checklist")
        self.sections.setFixedWidth(230)
        self.stack = QStackedWidget(self)
        # One scroll area for all sections; only the current one is not hidden, so only it is
        # laid out and painted. Every item's widgets exist from the start (test contract:
        # findChild finds any item right after the page is built).
        self.section_scroll = QScrollArea(self.stack)
        self.section_scroll.setObjectName("checklist.scroll")
        self.section_scroll.setWidgetResizable(True)
        self.section_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.section_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # Always there: a scroll bar that came and went moved every Yes/No button 14 px
        # sideways under a finger about to tap it.
        self.section_scroll.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        body = QWidget()
        body.setObjectName("checklist.body")
        column = self._section_column = QVBoxLayout(body)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        self.pages: list[SectionPage] = []
        for index, section in enumerate(template.sections):
            page = SectionPage(section, session, index == 0, body, self._reveal, self._advance)
            if page.levels_card is not None:
                page.levels_card.on_walk = self._walk_on
            page.finished.connect(self.next_section)
            page.postpone_requested.connect(self._postpone)
            self.pages.append(page)
            column.addWidget(page)
            self.sections.addItem(self._list_entry(section.title))
        self.section_scroll.setWidget(body)
        self.stack.addWidget(self.section_scroll)
        self._review: ReviewPage | None = None  # built when first shown
        self.sections.addItem(self._list_entry("Review and sign"))
        self.sections.currentRowChanged.connect(self._show_page)
        middle.addWidget(self.sections)
        middle.addWidget(self.stack, 1)
        outer.addLayout(middle, 1)
        outer.addWidget(self._build_footer())

        for page in self.pages:
            for card in page.cards:
                card.show_value(session.stored_value(card.item.id))
        session.evaluated.connect(self._apply)
        self._apply_read_only()
        self._apply(session.evaluation)
        self.section_keys = SectionKeys(
            self, self.next_section, self.previous_section, self.tab_walk
        )
        ensure_app_style(self)  # last: set before building, it would re-style at every add
        self._resume()

    def _list_entry(self, title: str) -> QListWidgetItem:
        entry = QListWidgetItem(title)
        entry.setSizeHint(QSize(220, TOUCH + 4))
        return entry

    def _build_footer(self) -> QWidget:
        footer = QWidget(self)
        footer.setObjectName("checklist.footer")
        row = QHBoxLayout(footer)
        row.setContentsMargins(12, 6, 12, 6)
        self.progress = QProgressBar()
        named(self.progress, "checklist.progress", "Required items answered")
        self.progress.setFormat("%p% of required items answered")
        self.progress.setMinimumHeight(28)
        self.previous = QPushButton("← Previous")
        named(self.previous, "checklist.previous", "Previous section (Ctrl+Left)")
        self.next = QPushButton("Next →")
        named(self.next, "checklist.next", "Next section (Ctrl+Right)")
        self.review_button = QPushButton("Review and sign")
        named(self.review_button, "checklist.review", "Review and sign")
        self.previous.clicked.connect(self.previous_section)
        self.next.clicked.connect(self.next_section)
        self.review_button.clicked.connect(lambda: self.go_to_index(len(self.pages)))
        row.addWidget(self.progress, 1)
        row.addSpacing(16)
        for button in (self.previous, self.next, self.review_button):
            button.setMinimumWidth(130)
            row.addWidget(button)
        return footer

    # -- public ----------------------------------------------------------------------------
    def set_actor(self, actor: Actor) -> None:
        """Another user unlocked the session: their name goes on everything from now on."""
        if self.session is None:
            return
        self.session.actor = actor
        if self._review is not None and self.stack.currentWidget() is self._review:
            self._review.refresh()

    @property
    def review(self) -> ReviewPage:
        """Review and sign, built on first use: a checklist opens on a section page."""
        if self._review is None:
            assert self.session is not None
            self._review = ReviewPage(self.session, self.stack)
            self._review.jump_requested.connect(self.go_to_item)
            self._review.sign_box.signed.connect(self._after_signing)
            self.stack.addWidget(self._review)
        return self._review

    def go_to_index(self, index: int) -> None:
        self.sections.setCurrentRow(max(0, min(index, len(self.pages))))

    def next_section(self) -> None:
        self.go_to_index(self.sections.currentRow() + 1)

    def previous_section(self) -> None:
        self.go_to_index(self.sections.currentRow() - 1)

    def go_to_item(self, item_id: str) -> None:
        """Show the item's section and put the cursor in its input (review links use this)."""
        assert self.session is not None
        if item_id == LEVELS_ID:
            index = 0
        else:
            section = self.session.template.section_of(item_id)
            if section is None:
                return
            index = self.session.template.sections.index(section)
        self.go_to_index(index)
        page = self.pages[index]
        QTimer.singleShot(0, lambda: page.focus_item(item_id))
        page.focus_item(item_id)

    # -- the keyboard walk -----------------------------------------------------------------
    def _item_ids(self) -> list[str]:
        assert self.session is not None
        return [item.id for section in self.session.template.sections for item in section.items]

    def next_unanswered(self, after: str | None) -> str | None:
        """The next item still missing after ``after`` in template order (then from the top)."""
        assert self.session is not None
        missing = set(self.session.evaluation.missing)
        ids = self._item_ids()
        start = ids.index(after) + 1 if after in ids else 0
        for item_id in ids[start:] + ids[:start]:
            if item_id in missing and item_id != after:
                return item_id
        return None

    def _advance(self, card: ItemCard) -> None:
        """An item was answered (or Enter on an answered one): on to the next unanswered item,
        across sections; after the last one, review and sign."""
        self._walk_on(card.item.id)

    def _walk_on(self, after: str | None = None) -> None:
        target = self.next_unanswered(after)
        if target is None:
            self.go_to_index(len(self.pages))
        else:
            self.go_to_item(target)

    def _card_of(self, widget: QWidget | None) -> ItemCard | LevelsCard | None:
        while widget is not None and widget is not self:
            if isinstance(widget, ItemCard | LevelsCard):
                return widget
            widget = widget.parentWidget()
        return None

    def tab_walk(self, forward: bool) -> bool:
        """Tab / Shift+Tab move from item to item (through an item's own fields first) and
        never into the page chrome; on review they stay in the review and sign form."""
        if self.session is None:
            return False
        focused = self.window().focusWidget()
        if self.stack.currentWidget() is self._review and self._review is not None:
            return self._cycle(self._review.tab_stops(), focused, forward)
        card = self._card_of(focused)
        if card is not None:
            stops = card_tab_stops(card)
            if focused in stops:
                index = stops.index(focused) + (1 if forward else -1)  # type: ignore[arg-type]
                if 0 <= index < len(stops):
                    stops[index].setFocus(Qt.FocusReason.TabFocusReason)
                    return True
        ids = self._item_ids()
        current = card.item.id if isinstance(card, ItemCard) else None
        if current is None:
            section = self.pages[min(self.sections.currentRow(), len(self.pages) - 1)]
            target = section.cards[0].item.id if forward else section.cards[-1].item.id
        else:
            position = ids.index(current) + (1 if forward else -1)
            if not 0 <= position < len(ids):
                self.go_to_index(len(self.pages) if forward else 0)
                return True
            target = ids[position]
        self.go_to_item(target)
        return True

    @staticmethod
    def _cycle(stops: list[QWidget], focused: QWidget | None, forward: bool) -> bool:
        if not stops:
            return True
        index = stops.index(focused) if focused in stops else -1  # type: ignore[arg-type]
        stops[(index + (1 if forward else -1)) % len(stops)].setFocus(Qt.FocusReason.TabFocusReason)
        return True

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt API)
        """Ctrl+→ / Ctrl+← when the shortcut map did not see them (e.g. window not active)."""
        if event.modifiers() == Qt.KeyboardModifier.ControlModifier and self.session:
            if event.key() == Qt.Key.Key_Right:
                self.next_section()
                return
            if event.key() == Qt.Key.Key_Left:
                self.previous_section()
                return
        super().keyPressEvent(event)

    # -- reacting --------------------------------------------------------------------------
    def _resume(self) -> None:
        assert self.session is not None
        if self.session.read_only:
            self.go_to_index(len(self.pages))
            return
        item_id = first_missing(self.session.template, self.session.evaluation)
        if item_id is None:
            self.go_to_index(len(self.pages))
        else:
            self.go_to_item(item_id)

    def _show_page(self, index: int) -> None:
        if index < 0:
            return
        previous = self.stack.currentWidget()
        if index < len(self.pages):
            for number, page in enumerate(self.pages):
                if number != index:
                    page.hide()
            self.pages[index].ensure_complete()
            self.pages[index].show()
            self.stack.setCurrentWidget(self.section_scroll)
            self.section_scroll.verticalScrollBar().setValue(0)
        else:
            self.stack.setCurrentWidget(self.review)
            if not self.session or not self.session.read_only:
                self.review.sign_box.focus_for_signing()
        self.previous.setEnabled(index > 0)
        self.next.setEnabled(index < len(self.pages))
        if index == len(self.pages):
            assert self.session is not None
            self.session.refresh_detail()
            self.review.refresh()
        elif previous is not None and previous is self._review:
            self.section_scroll.setFocus()  # not left on a hidden widget of the review page

    def _reveal(self, widget: QWidget) -> None:
        """Scroll an item's card into view (its section must be the current one)."""
        self._section_column.activate()
        self.section_scroll.ensureWidgetVisible(widget, 0, 40)

    def _apply(self, ev: Evaluation) -> None:
        """A new evaluation: redraw findings, section states, progress and the allergy banner."""
        assert self.session is not None
        template = self.session.template
        self.header.update_from(ev, self.session.status, self._stop_words(ev))
        for index, (section, page) in enumerate(zip(template.sections, self.pages, strict=True)):
            state = section_state(section, ev, first=index == 0)
            entry = self.sections.item(index)
            entry.setText(f"{STATE_MARKS[state]}  {section.title}")
            entry.setForeground(QBrush(QColor(STATE_COLOURS[state])))
            entry.setData(
                Qt.ItemDataRole.AccessibleTextRole, f"{section.title}: {STATE_WORDS[state]}"
            )
            if page.levels_card is not None:
                page.levels_card.refresh(ev)
            for card in page.cards:
                card.refresh(ev)
        review_entry = self.sections.item(len(self.pages))
        review_entry.setText(("✓  " if ev.ready_to_sign else "") + "Review and sign")
        self.progress.setValue(checklists.progress_of(template, ev))
        if self._review is not None and self.stack.currentWidget() is self._review:
            self._review.refresh()

    def _stop_words(self, ev: Evaluation) -> list[str]:
        assert self.session is not None
        words = []
        for finding in ev.stops:
            item = self.session.template.item(finding.item)
            label = item.label if item is not None else finding.item
            words.append(f"{label}: {finding.message.rstrip('.')}")
        return words

    def _apply_read_only(self) -> None:
        assert self.session is not None
        read_only = self.session.read_only
        for page in self.pages:
            if page.levels_card is not None:
                page.levels_card.set_read_only(read_only)
            for card in page.cards:
                card.set_read_only(read_only)

    def _after_signing(self) -> None:
        assert self.session is not None
        self._apply_read_only()
        self._apply(self.session.evaluation)
        self.review.refresh()
        self.review.answers.setFocus(Qt.FocusReason.OtherFocusReason)  # not the Lock button

    def _postpone(self) -> None:
        self.go_to_index(len(self.pages))
        self.review.sign_box.prefer_postponed()

    def _open_addendum(self) -> None:
        assert self.session is not None
        dialog = AddendumDialog(self.session, self)
        dialog.accepted.connect(self.review.refresh)
        dialog.open()
