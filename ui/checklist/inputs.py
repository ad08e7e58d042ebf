"""One input per item kind. Each calls ``on_commit(value)`` the moment the nurse gives an
answer (a button press, or Enter / leaving a field), and ``on_clear()`` when a field is emptied
(plain callbacks set by the card, not signals: ~90 connections fewer when a checklist opens).

The values emitted are raw (e.g. the INR as typed, comma turned into a point); the core
validates them and the card shows the core's sentence when it refuses.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from ui.checklist.display import show_datetime
from ui.checklist.style import named
from vpchecklist.rules.values import DATETIME_FORMAT, is_na
from vpchecklist.templates.model import Item
from vpchecklist.typed_times import (
    TypedTimeError,
    as_stored,
    before_start_words,
    minutes_between,
    parse_typed_time,
    understood_words,
)

_DATETIME_SPACE = re.compile(r"^(\d{4}-\d{2}-\d{2})\s+(\d{1,2}:\d{2})$")


def _ignore(*_args: Any) -> None:
    pass


def answer_button(name: str, text: str, accessible: str, parent: QWidget) -> QPushButton:
    button = QPushButton(text, parent)
    named(button, name, accessible)
    button.setCheckable(True)
    button.setProperty("answer", True)
    return button


class ItemInput(QObject):
    """Base of the per-kind inputs: a row of widgets placed in the item's card.

    Not a widget itself: its widgets are children of the card and its row is one of the
    card's layouts. One container widget fewer per item is ~10 % of the time it takes to open
    a checklist (every widget is created, styled and laid out).
    """

    #: Wide inputs go below the label rather than beside it.
    wide = False
    #: Button inputs show the stored answer again when the core refuses a press.
    revert_on_error = True

    def __init__(self, item: Item, parent: QWidget) -> None:
        super().__init__(parent)
        self.item = item
        self.host = parent
        self.on_commit: Callable[[Any], None] = _ignore
        self.on_clear: Callable[[], None] = _ignore
        self.row = QHBoxLayout()
        self.row.setContentsMargins(0, 0, 0, 0)
        self.row.setSpacing(8)

    def set_value(self, value: Any) -> None:
        """Show a stored canonical answer (``None`` or N/A shows nothing)."""
        raise NotImplementedError

    def widgets(self) -> list[QWidget]:
        items = (self.row.itemAt(i) for i in range(self.row.count()))
        return [w for w in (item.widget() for item in items if item) if w is not None]

    def focus_first(self) -> None:
        widgets = self.focus_widgets()
        if widgets:
            widgets[0].setFocus(Qt.FocusReason.OtherFocusReason)

    def focus_widgets(self) -> list[QWidget]:
        return [w for w in self.widgets() if w.focusPolicy() & Qt.FocusPolicy.TabFocus]

    def handle_enter(self) -> bool:
        """Enter pressed inside the card; return True to stay on this item."""
        return False

    def choose_key(self, text: str) -> bool:
        """A typed key that answers (Y, N, 1-9 for button items); True when it did."""
        return False

    def focus_target(self) -> QWidget | None:
        """Where the keyboard walk puts the cursor (None: on the card itself, whose keys
        Y / N / 1-9 answer, so no answer is ever pressed by merely arriving)."""
        widgets = self.focus_widgets()
        return widgets[0] if widgets else None

    def set_read_only(self, read_only: bool) -> None:
        for widget in self.widgets():
            if isinstance(widget, QPushButton | QLineEdit):
                widget.setEnabled(not read_only)


class ButtonsInput(ItemInput):
    """Exclusive checkable buttons: yes/no for confirm items, one per option for choices."""

    def __init__(self, item: Item, choices: list[tuple[str, str]], parent: QWidget) -> None:
        super().__init__(item, parent)
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.buttons: dict[str, QPushButton] = {}
        self._values: list[str] = []
        self._texts = [text for _, text in choices]
        for value, text in choices:
            button = answer_button(f"{item.id}.{value}", text, f"{item.label}: {text}", self.host)
            self.group.addButton(button, len(self._values))
            self._values.append(value)
            self.buttons[value] = button
            self.row.addWidget(button)
        self.group.idClicked.connect(self._clicked)  # one connection, not one per button
        self.row.addStretch(1)
        self.wide = sum(len(text) for _, text in choices) > 40

    def _clicked(self, index: int) -> None:
        self.on_commit(self._values[index])

    def mark_recommended(self, value: str | None, words: str) -> None:
        """Say on the option's own button that the levels recommend it ("… — recommended
        for T8"); the other buttons read their plain labels."""
        for option, text in zip(self._values, self._texts, strict=True):
            button = self.buttons[option]
            shown = f"{text} — {words}" if option == value and words else text
            if button.text() != shown:  # a new text re-lays the row out
                button.setText(shown)

    def set_value(self, value: Any) -> None:
        self.group.setExclusive(False)
        for key, button in self.buttons.items():
            button.setChecked(key == value)
        self.group.setExclusive(True)

    def choose_key(self, text: str) -> bool:
        """Y is yes, N is no, 1-9 the n-th option (issue 13: a keyboard walk on the items)."""
        key = text.lower()
        value = {"y": "yes", "n": "no"}.get(key)
        if value in self.buttons:
            self.buttons[value].click()
            return True
        if key.isdigit() and 1 <= int(key) <= len(self._values):
            self.buttons[self._values[int(key) - 1]].click()
            return True
        return False

    def focus_target(self) -> QWidget | None:
        return None  # the card: Enter never answers a button item

    def focus_first(self) -> None:
        self.host.setFocus(Qt.FocusReason.OtherFocusReason)


class FieldInput(ItemInput):
    """A line edit that commits on Enter or when focus leaves it; optional unit label."""

    revert_on_error = False

    def __init__(
        self, item: Item, parent: QWidget, placeholder: str = "", width: int = 160
    ) -> None:
        super().__init__(item, parent)
        self.edit = QLineEdit(self.host)
        named(self.edit, item.id, item.label)
        self.edit.setPlaceholderText(placeholder)
        self.edit.setMinimumWidth(width)
        self.edit.setMaximumWidth(max(width, 420))
        self.row.addWidget(self.edit)
        if item.unit:
            unit = QLabel(item.unit, self.host)
            unit.setObjectName(f"{item.id}.unit")
            self.row.addWidget(unit)
        self.row.addStretch(1)
        self._last = ""
        self.edit.editingFinished.connect(self._finish)

    def _finish(self) -> None:
        text = self.edit.text().strip()
        if text == self._last:
            return
        self._last = text
        if text:
            self.on_commit(self.raw(text))
        else:
            self.on_clear()

    def raw(self, text: str) -> Any:
        return text

    def shown(self, value: Any) -> str:
        return str(value)

    def set_value(self, value: Any) -> None:
        text = "" if value is None or is_na(value) else self.shown(value)
        self._last = text
        self.edit.setText(text)


class NumberInput(FieldInput):
    """No example in the field: an example that is not a normal value (SpO2 "80", a drying
    time below its threshold) reads as a suggestion (issue 13 finding 8)."""

    def __init__(self, item: Item, parent: QWidget) -> None:
        super().__init__(item, parent)

    def raw(self, text: str) -> Any:
        return text.replace(",", ".")  # a comma is a decimal point on many keyboards

    def shown(self, value: Any) -> str:
        return f"{value:g}"


class DateTimeInput(FieldInput):
    """Local date and time typed as "06:00", "yesterday 20:00" or in full; the field says the
    date-time it understood and how long before the planned start it is, while it is typed.
    A bare time is the latest such time not after the planned start (fasting, last dose)."""

    def __init__(self, item: Item, parent: QWidget, planned_start: str | None = None) -> None:
        super().__init__(item, parent, placeholder="HH:MM or yesterday 20:00", width=190)
        self.planned = _planned(planned_start)
        now = QPushButton("Now", self.host)
        named(now, f"{item.id}.now", f"{item.label}: now")
        now.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab leaves the item, not onto "Now"
        now.clicked.connect(self._now)
        self.row.insertWidget(1, now)
        self.understood = QLabel(self.host)
        self.understood.setObjectName(f"{item.id}.understood")
        self.understood.setProperty("role", "help")
        self.row.insertWidget(2, self.understood)
        self.edit.textChanged.connect(self._show_understood)

    def _now(self) -> None:
        self.edit.setText(datetime.now().strftime("%Y-%m-%d %H:%M"))
        self._finish()

    def _parse(self, text: str) -> datetime | None:
        try:
            return parse_typed_time(text, datetime.now(), not_after=self.planned)
        except TypedTimeError:
            return None

    def _show_understood(self, text: str) -> None:
        wall = self._parse(text) if text.strip() else None
        if wall is None:
            self.understood.setText("")
            return
        words = understood_words(wall)
        if self.planned is not None:
            words += " → " + before_start_words(minutes_between(wall, self.planned))
        self.understood.setText(words)

    def raw(self, text: str) -> Any:
        wall = self._parse(text)
        if wall is not None:
            return as_stored(wall)
        match = _DATETIME_SPACE.match(text)
        if match:
            day, clock = match.groups()
            return f"{day}T{clock.zfill(5)}"
        return text

    def shown(self, value: Any) -> str:
        return show_datetime(str(value))


def _planned(planned_start: str | None) -> datetime | None:
    if not planned_start:
        return None
    try:
        return datetime.strptime(planned_start, DATETIME_FORMAT)
    except ValueError:
        return None


class TextInput(FieldInput):
    def __init__(self, item: Item, parent: QWidget) -> None:
        super().__init__(item, parent, width=320)


class BloodPressureInput(FieldInput):
    def __init__(self, item: Item, parent: QWidget) -> None:
        super().__init__(item, parent, placeholder="132/78", width=140)


def confirm_input(item: Item, parent: QWidget) -> ButtonsInput:
    return ButtonsInput(item, [("yes", "Yes"), ("no", "No")], parent)


def choice_input(item: Item, parent: QWidget) -> ButtonsInput:
    return ButtonsInput(item, [(o.id, o.label) for o in item.options], parent)
