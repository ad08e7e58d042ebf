"""One checklist item: its label, its kind's input, N/A with a reason, what the levels derive
for it, and the core's findings (warning + acknowledge form, stop banner, input error)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.checklist.diagram import ProneDiagram
from ui.checklist.display import (
    LEVELS_ID,
    derivation_text,
    physician_choice_text,
    recommended_words,
)
from ui.checklist.findings import FindingsView, severity_label
from ui.checklist.input_kinds import make_input
from ui.checklist.inputs import ButtonsInput
from ui.checklist.session import ChecklistSession
from ui.checklist.style import named
from ui.checklist.wristband_scan import WristbandScan
from vpchecklist.presentation import acknowledgement_lines
from vpchecklist.rules.evaluation import Evaluation
from vpchecklist.rules.values import is_na
from vpchecklist.templates.model import Item
from vpchecklist.wristband import WRISTBAND_ITEM

ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


def ack_text(ack: dict[str, Any] | None) -> str:
    """An acknowledgement on its card, in the words of the review page and the PDF."""
    if not ack:
        return ""
    return "✓ " + "\n".join(acknowledgement_lines(ack))


def card_tab_stops(card: QWidget) -> list[QWidget]:
    """The fields Tab visits inside one item before the next item: its first focus place, then
    every shown text field (N/A reason, acknowledgement, coded rows) in the card."""
    first: QWidget = card
    if isinstance(card, ItemCard) and not card.read_only:
        first = card.input.focus_target() or card
    elif isinstance(card, LevelsCard):
        first = card.findings.form.reason
    stops = [first]
    for edit in card.findChildren(QLineEdit):
        if edit is not first and edit.isVisible() and edit.isEnabled():
            stops.append(edit)
    return stops


class _AckMixin:
    """Acknowledge a warning through the session and remember what was said."""

    session: ChecklistSession
    findings: FindingsView
    ack_text: str
    finding_id: str

    def _acknowledge(self, reason: str, physician: str) -> None:
        error = self.session.acknowledge(self.finding_id, reason, physician)
        if error is None:
            self.ack_text = ack_text(
                {
                    "acknowledged_by_name": self.session.actor.full_name,
                    "reason": reason.strip(),
                    "physician_informed": physician.strip(),
                }
            )
            self.refresh(self.session.evaluation)
            self.findings.show_error(None)
            self.after_acknowledged()
            return
        self.findings.show_error(error)

    def after_acknowledged(self) -> None:
        """On to the next unanswered item: the acknowledge button just hid itself, and Qt
        would otherwise hand the focus to the next widget of the window (the Lock button)."""

    def refresh(self, ev: Evaluation) -> None:
        raise NotImplementedError


def _ignore(*_args: object) -> None:
    pass


class ItemCard(_AckMixin, QFrame):
    """``on_advance(card)``: Enter says "next item"; ``on_postpone()``: close as postponed.
    Plain callbacks rather than signals: fewer connections to make when a checklist opens."""

    def __init__(
        self,
        item: Item,
        session: ChecklistSession,
        parent: QWidget | None = None,
        on_advance: Callable[[ItemCard], None] = _ignore,
        on_postpone: Callable[[], None] = _ignore,
    ) -> None:
        super().__init__(parent)
        self.on_advance = on_advance
        self.on_postpone = on_postpone
        self.item = item
        self.session = session
        self.finding_id = item.id
        self.read_only = False
        self.has_error = False
        self.ack_text = ack_text(session.detail["acknowledgements"].get(item.id))
        self.setProperty("card", True)
        self.setObjectName(f"{item.id}.card")
        # The keyboard walk rests on the card of a button item: Y / N / 1-9 answer there and
        # Enter moves on, so arriving on an item never presses an answer (issue 13).
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.setAccessibleName(item.label)

        # Built now: the inputs (test contract: findChild finds any item right after the page
        # is built). Built when the card is first shown (``complete``): its labels and layout.
        self.input = make_input(item, self, session.detail["header"]["planned_start"])
        self.input.on_commit = self._commit
        self.input.on_clear = self._clear
        self.na_button: QPushButton | None = None
        self.na_reason: QLineEdit | None = None
        if item.na_allowed:
            self.na_button = QPushButton("N/A", self)
            named(self.na_button, f"{item.id}.na", f"{item.label}: not applicable")
            self.na_button.setCheckable(True)
            self.na_button.setProperty("answer", True)
            self.na_button.clicked.connect(self._na_clicked)
            self.na_reason = QLineEdit(self)
            named(self.na_reason, f"{item.id}.na_reason", f"{item.label}: reason not applicable")
            self.na_reason.setPlaceholderText(item.na_hint or "Why it does not apply here")
            self.na_reason.editingFinished.connect(self._na_commit)
            self.na_reason.hide()
        self.na_label: QLabel | None = None
        self.derived: QLabel | None = None
        self.choice_note: QLabel | None = None
        self.diagram: ProneDiagram | None = None
        self._error: QLabel | None = None
        self._findings: FindingsView | None = None
        self._grid: QGridLayout | None = None
        self._evaluation: Evaluation | None = None
        self.clear_button: QPushButton | None = None
        self.scan: WristbandScan | None = None
        if item.id == WRISTBAND_ITEM:
            self.scan = WristbandScan(session, self._after, self)

    @property
    def complete(self) -> bool:
        return self._grid is not None

    def ensure_complete(self) -> None:
        """Labels, help, the derived text and the layout: built when the card is first shown
        (or has a finding to show), as most sections are never looked at before sign-off."""
        if self._grid is not None:
            return
        item = self.item
        title = QLabel(item.label + ("" if item.required else " (optional)"), self)
        title.setWordWrap(True)
        title.setProperty("role", "item-title")
        title.setBuddy(self)
        grid = QGridLayout(self)
        grid.setContentsMargins(8, 10, 8, 10)
        grid.setHorizontalSpacing(16)
        grid.setVerticalSpacing(6)
        grid.setColumnStretch(0, 1)
        row = 0
        actions = QHBoxLayout()
        actions.setSpacing(8)
        actions.addLayout(self.input.row, 1)
        if self.na_button is not None:
            actions.addWidget(self.na_button)
        # Back to unanswered (an audited withdrawal): built with the card, shown once answered,
        # its room kept while hidden so the answer buttons never move when it appears; beside
        # the title of a wide input, whose picker already takes the whole width.
        self.clear_button = QPushButton("Clear answer", self)
        named(self.clear_button, f"{item.id}.clear", f"{item.label}: clear the answer")
        self.clear_button.setProperty("kind", "secondary")
        self.clear_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Delete clears from the keys
        policy = self.clear_button.sizePolicy()
        policy.setRetainSizeWhenHidden(True)
        self.clear_button.setSizePolicy(policy)
        self.clear_button.clicked.connect(self.clear_answer)
        self._show_clear()
        top = Qt.AlignmentFlag.AlignTop
        if self.input.wide:
            grid.addWidget(title, row, 0, 1, 2)
            grid.addWidget(self.clear_button, row, 2, top)
            row += 1
            grid.addLayout(actions, row, 0, 1, 3)
        else:
            grid.addWidget(title, row, 0)
            grid.addLayout(actions, row, 1)
            grid.addWidget(self.clear_button, row, 2, top)
        row += 1
        if item.help:
            help_label = QLabel(item.help, self)
            help_label.setWordWrap(True)
            help_label.setProperty("role", "help")
            grid.addWidget(help_label, row, 0, 1, 3)
            row += 1
        if self.na_reason is not None:
            self.na_label = QLabel("Why is it not applicable?", self)
            self.na_label.setVisible(not self.na_reason.isHidden())
            na_row = QHBoxLayout()
            na_row.addWidget(self.na_label)
            na_row.addWidget(self.na_reason, 1)
            grid.addLayout(na_row, row, 0, 1, 3)
            row += 1
        if item.derived_from:
            self._build_derived(grid, row)
            row += 1
        if self.scan is not None:
            grid.addWidget(self.scan, row, 0, 1, 3)
            row += 1
        # Error label and findings are built on first need: most items never have one.
        self._error_row = row
        self._findings_row = row + 1
        self._grid = grid
        if self._evaluation is not None:
            self.refresh(self._evaluation)

    def _show_na_reason(self, visible: bool) -> None:
        for widget in (self.na_label, self.na_reason):
            if widget is not None:
                widget.setVisible(visible)

    def _build_derived(self, grid: QGridLayout, row: int) -> None:
        """What the levels require, why, and (pillow) the prone diagram."""
        item = self.item
        self.derived = QLabel(self)
        self.derived.setObjectName(f"{item.id}.derived")
        self.derived.setProperty("role", "derived")
        self.derived.setWordWrap(True)
        self.derived.hide()
        self.choice_note = QLabel(self)
        self.choice_note.setObjectName(f"{item.id}.physician_choice")
        self.choice_note.setProperty("role", "choice-note")
        self.choice_note.setWordWrap(True)
        self.choice_note.hide()
        texts = QVBoxLayout()
        texts.setSpacing(6)
        texts.addWidget(self.derived)
        texts.addWidget(self.choice_note)
        texts.addStretch(1)
        derived_row = QHBoxLayout()
        derived_row.addLayout(texts, 1)
        if item.derived_from == "pillow_torso":
            self.diagram = ProneDiagram(self)
            self.diagram.setObjectName(f"{item.id}.diagram")
            derived_row.addWidget(self.diagram, 0, Qt.AlignmentFlag.AlignTop)
        grid.addLayout(derived_row, row, 0, 1, 3)

    # -- showing ---------------------------------------------------------------------------
    def _show_clear(self) -> None:
        if self.clear_button is not None:
            self.clear_button.setVisible(not self.read_only and self.answered)

    def clear_answer(self) -> None:
        """Withdraw the answer (the service records old → none); the item is unanswered again."""
        if self.read_only or not self.answered:
            return
        self._after(self.session.clear(self.item.id))
        self.setFocus(Qt.FocusReason.OtherFocusReason)

    def show_value(self, value: Any) -> None:
        """Show the stored answer (on opening, and after the core accepted a change)."""
        self._show_clear()
        self.input.set_value(value)
        if self.na_button is not None and self.na_reason is not None:
            na = is_na(value)
            self.na_button.setChecked(na)
            self._show_na_reason(na)
            self.na_reason.setText(value["na"] if na else "")

    def refresh(self, ev: Evaluation) -> None:
        self._evaluation = ev
        found = ev.findings_for(self.item.id)
        if self._grid is None:
            if not (found["warnings"] or found["stops"]):
                return  # drawn when the card is completed
            self.ensure_complete()
            return
        acknowledged = self.item.id in ev.acknowledged
        if not acknowledged:
            self.ack_text = ""
        if self._findings is not None or found["warnings"] or found["stops"]:
            self.findings.show_findings(
                found["warnings"], found["stops"], acknowledged, self.ack_text
            )
        if self.item.derived_from and isinstance(self.input, ButtonsInput):
            option, words = recommended_words(self.session.template, ev, self.item)
            self.input.mark_recommended(option, words)
        if self.derived is not None and self.choice_note is not None:
            text = derivation_text(self.session.template, ev, self.item)
            self.derived.setText(text or "")
            self.derived.setVisible(bool(text))
            note = physician_choice_text(self.session.template, ev, self.item)
            self.choice_note.setText(note or "")
            self.choice_note.setVisible(bool(note))
        if self.diagram is not None:
            answered = ev.answers.get(self.item.id)
            torso = answered if isinstance(answered, str) else ev.requirements.get(self.item.id)
            self.diagram.set_placement(torso)

    def show_error(self, message: str | None) -> None:
        self.has_error = bool(message)
        if self._error is None:
            if not message:
                return
            self.ensure_complete()
            assert self._grid is not None
            self._error = severity_label(f"{self.item.id}.error", "error", self)
            self._grid.addWidget(self._error, self._error_row, 0, 1, 3)
        self._error.setText(message or "")
        self._error.setVisible(bool(message))

    def set_read_only(self, read_only: bool) -> None:
        self.read_only = read_only
        self._show_clear()
        self.input.set_read_only(read_only)
        if self.scan is not None:
            self.scan.set_read_only(read_only)
        for widget in (self.na_button, self.na_reason):
            if widget is not None:
                widget.setEnabled(not read_only)
        if self._findings is not None:
            self._findings.set_read_only(read_only)

    def after_acknowledged(self) -> None:
        self.setFocus(Qt.FocusReason.OtherFocusReason)  # Enter then moves on

    def focus_input(self) -> None:
        if self.na_reason is not None and not self.na_reason.isHidden():
            self.na_reason.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        self.input.focus_first()

    @property
    def answered(self) -> bool:
        return self.session.stored_value(self.item.id) is not None

    @property
    def findings(self) -> FindingsView:  # type: ignore[override]
        self.ensure_complete()  # may draw the findings already (it refreshes the card)
        if self._findings is None:
            assert self._grid is not None
            view = FindingsView(self.item.id, self.session.detail["header"]["physician"], self)
            view.acknowledge.connect(self._acknowledge)
            view.postpone_requested.connect(lambda: self.on_postpone())
            view.set_read_only(self.read_only)
            self._grid.addWidget(view, self._findings_row, 0, 1, 3)
            self._findings = view
        return self._findings

    # -- saving ----------------------------------------------------------------------------
    def _commit(self, value: Any) -> None:
        error = self.session.answer(self.item.id, value, self._retrying)
        if error is None and self.scan is not None:
            self.scan.answered_by_hand()
        self._after(error)

    def _clear(self) -> None:
        if self.session.stored_value(self.item.id) is None:
            self.show_error(None)
            return
        self._after(self.session.clear(self.item.id))

    def _na_clicked(self, checked: bool) -> None:
        assert self.na_reason is not None
        self._show_na_reason(checked)
        if checked:
            self.na_reason.setFocus()
        elif is_na(self.session.stored_value(self.item.id)):
            self._after(self.session.clear(self.item.id))

    def _na_commit(self) -> None:
        assert self.na_reason is not None
        reason = self.na_reason.text().strip()
        stored = self.session.stored_value(self.item.id)
        if not reason or (is_na(stored) and stored["na"] == reason):
            return
        self._after(self.session.mark_na(self.item.id, reason, self._retrying))

    def _retrying(self, sentence: str) -> None:
        """The server dropped the connection during this save and it is tried again: say so
        now (the save runs on this thread, so paint the sentence before the pause)."""
        self.show_error(sentence)
        if self._error is not None:
            self._error.repaint()

    def _after(self, error: str | None) -> None:
        self.show_error(error)
        stored = self.session.stored_value(self.item.id)
        # Unsaved because the server could not be reached: the answer stays on screen.
        keep = error is not None and (
            self.session.connection_lost or not self.input.revert_on_error
        )
        if not keep:
            self.show_value(stored)

    # -- keyboard --------------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt API)
        """Y / N / 1-9 answer and move on to the next unanswered item; Enter moves on from an
        answered item and never answers one (so no checklist completes by holding a key)."""
        plain = event.modifiers() in (
            Qt.KeyboardModifier.NoModifier,
            Qt.KeyboardModifier.KeypadModifier,
        )
        if event.key() == Qt.Key.Key_Delete and plain:  # a field keeps its own Delete
            self.clear_answer()
            return
        if event.key() not in ENTER_KEYS:
            if (
                not self.read_only
                and plain
                and event.text()
                and self.input.choose_key(event.text())
            ):
                if self.answered and not self.has_error:
                    self.on_advance(self)
                return
            super().keyPressEvent(event)
            return
        if not self.read_only:
            focused = self.window().focusWidget()  # also right while the window is inactive
            if self.na_button is not None and focused is self.na_button:
                self.na_button.click()
                return
            if focused is not self.na_reason and self.input.handle_enter():
                return
            if self.has_error or not self.answered:
                return
        self.on_advance(self)


class LevelsCard(_AckMixin, QFrame):
    """The levels from the order, and the acknowledge form of the upper-thoracic warning."""

    def __init__(self, session: ChecklistSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.finding_id = LEVELS_ID
        self.on_walk: Callable[[], None] = _ignore  # Enter: on to the first unanswered item
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.ack_text = ack_text(session.detail["acknowledgements"].get(LEVELS_ID))
        self.setProperty("card", True)
        box = QVBoxLayout(self)
        box.setContentsMargins(8, 10, 8, 10)
        self.summary = QLabel(self)
        self.summary.setObjectName("levels.summary")
        self.summary.setWordWrap(True)
        box.addWidget(self.summary)
        self.findings = FindingsView(LEVELS_ID, session.detail["header"]["physician"], self)
        self.findings.acknowledge.connect(self._acknowledge)
        box.addWidget(self.findings)

    def refresh(self, ev: Evaluation) -> None:
        levels = ", ".join(ev.levels or [])
        regions = " and ".join(ev.regions)
        self.summary.setText(
            f"Levels to treat (from the order): <b>{levels}</b> — {regions}. "
            "Check them against the signed consent and the imaging below."
        )
        found = ev.findings_for(LEVELS_ID)
        acknowledged = LEVELS_ID in ev.acknowledged
        if not acknowledged:
            self.ack_text = ""
        self.findings.show_findings(found["warnings"], [], acknowledged, self.ack_text)

    def set_read_only(self, read_only: bool) -> None:
        self.findings.set_read_only(read_only)

    def after_acknowledged(self) -> None:
        self.setFocus(Qt.FocusReason.OtherFocusReason)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt API)
        if event.key() in ENTER_KEYS and self.hasFocus():
            self.on_walk()
            return
        super().keyPressEvent(event)

    def focus_input(self) -> None:
        self.findings.form.reason.setFocus()
