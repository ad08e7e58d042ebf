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
from vpchecklist.rules.values import is_na
from vpchecklist.templates.model import Item

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

    def set_value(self, value: Any) -> None:
        self.group.setExclusive(False)
        for key, button in self.buttons.items():
            button.setChecked(key == value)
        self.group.setExclusive(True)

    def handle_enter(self) -> bool:
        """Enter presses the focused button. Walking the items puts focus on "yes" (or on the
        answer already given), so on a yes/no item Enter means yes and on to the next item."""
        focused = self.host.window().focusWidget()  # also right while the window is inactive
        for button in self.buttons.values():
            if button is focused:
                button.click()
        return False

    def focus_first(self) -> None:
        checked = self.group.checkedButton()
        target = checked or next(iter(self.buttons.values()))
        target.setFocus(Qt.FocusReason.OtherFocusReason)


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
    def __init__(self, item: Item, parent: QWidget) -> None:
        super().__init__(item, parent, placeholder="e.g. 1.2" if item.decimals else "e.g. 80")

    def raw(self, text: str) -> Any:
        return text.replace(",", ".")  # a comma is a decimal point on many keyboards

    def shown(self, value: Any) -> str:
        return f"{value:g}"


class DateTimeInput(FieldInput):
    """Local date and time; "Now" fills the current minute (times are asked many times a day)."""

    def __init__(self, item: Item, parent: QWidget) -> None:
        super().__init__(item, parent, placeholder="YYYY-MM-DD HH:MM", width=190)
        now = QPushButton("Now", self.host)
        named(now, f"{item.id}.now", f"{item.label}: now")
        now.clicked.connect(self._now)
        self.row.insertWidget(1, now)

    def _now(self) -> None:
        self.edit.setText(datetime.now().strftime("%Y-%m-%d %H:%M"))
        self._finish()

    def raw(self, text: str) -> Any:
        match = _DATETIME_SPACE.match(text)
        if match:
            day, clock = match.groups()
            return f"{day}T{clock.zfill(5)}"
        return text

    def shown(self, value: Any) -> str:
        return show_datetime(str(value))


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
