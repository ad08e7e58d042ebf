"""Coded pickers of template v2 (spec §6.2, §6.3): allergies as agents from the template's list,
each with its reaction, and anticoagulants as drugs from the hold table, each with its last dose.

A press on an agent or a drug adds a row for it; ``other`` also asks for a name and may be
added more than once. The list is saved once every row is complete; "none" is one press. The
anticoagulant rows show, while the dose is typed, how long before the planned start it was and
the hold the table requires. Whether that is too short is the core's call: its warning appears
on the card like every other finding.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.checklist.display import show_datetime
from ui.checklist.inputs import ItemInput, answer_button
from ui.checklist.style import named
from vpchecklist.presentation import hold_words
from vpchecklist.rules.timing import elapsed_hours
from vpchecklist.rules.values import DATETIME_FORMAT
from vpchecklist.templates.model import Item

_DATETIME = re.compile(r"^(\d{4}-\d{2}-\d{2})[ T]+(\d{1,2}):(\d{2})$")
#: Code buttons per line of the picker.
COLUMNS = 4


def typed_datetime(text: str) -> str:
    """``2026-11-25 8:30`` as the core's ``2026-11-25T08:30``; other text unchanged (the core
    refuses it with its own sentence)."""
    match = _DATETIME.match(text.strip())
    if not match:
        return text.strip()
    day, hour, minute = match.groups()
    return f"{day}T{int(hour):02d}:{minute}"


class _Row(QObject):
    """One recorded agent or drug: its name, its fields, a remove button. A QObject owned by
    the picker, its slots bound methods: no lambda keeps a deleted row's widgets alive."""

    def __init__(
        self, picker: _CodedListInput, code: str, label: str, fields: list[tuple[str, str]], n: int
    ) -> None:
        super().__init__(picker)
        self.picker = picker
        self.code = code
        host = picker.box
        base = f"{picker.item.id}.{code}" + (f".{n}" if n > 1 else "")
        self.base = base
        self.line = QHBoxLayout()
        self.line.setSpacing(8)
        self.title = QLabel(label, host)
        self.title.setObjectName(f"{base}.label")
        self.title.setMinimumWidth(150)
        self.line.addWidget(self.title)
        self.fields: dict[str, QLineEdit] = {}
        for key, placeholder in fields:
            edit = QLineEdit(host)
            named(edit, f"{base}.{key}", f"{label}: {placeholder}")
            edit.setPlaceholderText(placeholder)
            edit.setMinimumWidth(150)
            edit.editingFinished.connect(picker.finish)
            edit.textChanged.connect(self._changed)
            self.fields[key] = edit
            self.line.addWidget(edit, 1)
        self.note = QLabel(host)
        self.note.setObjectName(f"{base}.hold")
        self.note.setProperty("role", "help")
        self.line.addWidget(self.note, 1)
        self.note.setVisible(False)
        self.remove = QPushButton("Remove", host)
        named(self.remove, f"{base}.remove", f"Remove {label}")
        self.remove.clicked.connect(self._remove)
        self.line.addWidget(self.remove)
        for widget in (self.title, *self.fields.values(), self.remove):
            widget.show()  # added to a card already on screen: not shown by itself

    def _changed(self, _text: str) -> None:
        self.picker.row_changed(self)

    def _remove(self) -> None:
        self.picker.remove_row(self)

    def widgets(self) -> list[QWidget]:
        return [self.title, *self.fields.values(), self.note, self.remove]

    def text(self, key: str) -> str:
        return self.fields[key].text().strip()

    def complete(self) -> bool:
        return all(edit.text().strip() for edit in self.fields.values())


class _CodedListInput(ItemInput):
    """Shared shape of the two pickers; subclasses say which codes and which fields."""

    wide = True
    revert_on_error = False
    none_text = "None"
    none_accessible = "None"
    add_text = "or add:"

    def __init__(self, item: Item, parent: QWidget, planned_start: str | None = None) -> None:
        super().__init__(item, parent)
        self.planned_start = planned_start
        self.rows: list[_Row] = []
        self._last: Any = None
        # The picker as one widget named after the item (the test contract's ``<id>``).
        self.box = QWidget(self.host)
        named(self.box, item.id, item.label)
        body = QVBoxLayout(self.box)
        body.setContentsMargins(0, 0, 0, 0)
        body.setSpacing(6)
        top = QHBoxLayout()
        self.none = answer_button(f"{item.id}.none", self.none_text, self.none_accessible, self.box)
        self.none.clicked.connect(self._choose_none)
        top.addWidget(self.none)
        top.addWidget(QLabel(self.add_text, self.box))
        top.addStretch(1)
        body.addLayout(top)
        grid = QGridLayout()
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(6)
        self.code_buttons: dict[str, QPushButton] = {}
        self.code_group = QButtonGroup(self)
        self.code_group.setExclusive(False)
        self._codes = [code for code, _label in self.codes()]
        for n, (code, label) in enumerate(self.codes()):
            button = QPushButton(label, self.box)
            named(button, f"{item.id}.{code}", f"{item.label}: add {label}")
            self.code_group.addButton(button, n)
            grid.addWidget(button, n // COLUMNS, n % COLUMNS)
            self.code_buttons[code] = button
        self.code_group.idClicked.connect(self._code_clicked)  # one connection, not one per code
        body.addLayout(grid)
        self.rows_box = QVBoxLayout()
        self.rows_box.setSpacing(4)
        body.addLayout(self.rows_box)
        self.row.addWidget(self.box, 1)

    def _code_clicked(self, index: int) -> None:
        self.add_row(self._codes[index])

    # -- what subclasses say --------------------------------------------------------------
    def codes(self) -> list[tuple[str, str]]:
        raise NotImplementedError

    def fields_of(self, code: str) -> list[tuple[str, str]]:
        raise NotImplementedError

    def entry_of(self, row: _Row) -> dict[str, str]:
        raise NotImplementedError

    def fill(self, row: _Row, entry: dict[str, Any]) -> None:
        raise NotImplementedError

    def asks_name(self, code: str) -> bool:
        raise NotImplementedError

    def row_changed(self, row: _Row) -> None:
        """A field of ``row`` changed (typed, not yet saved)."""

    # -- rows -----------------------------------------------------------------------------
    def add_row(self, code: str, entry: dict[str, Any] | None = None) -> _Row:
        existing = [r for r in self.rows if r.code == code]
        if existing and not self.asks_name(code) and entry is None:
            first = next(iter(existing[0].fields.values()))
            first.setFocus(Qt.FocusReason.OtherFocusReason)
            return existing[0]
        label = dict(self.codes())[code]
        row = _Row(self, code, label, self.fields_of(code), len(existing) + 1)
        self.rows.append(row)
        self.rows_box.addLayout(row.line)
        if entry is not None:
            self.fill(row, entry)
        self.row_changed(row)
        if entry is None:
            self.none.setChecked(False)
            next(iter(row.fields.values())).setFocus(Qt.FocusReason.OtherFocusReason)
        return row

    def remove_row(self, row: _Row) -> None:
        self._drop(row)
        self.finish()

    def _drop(self, row: _Row) -> None:
        self.rows.remove(row)
        self.rows_box.removeItem(row.line)
        for widget in row.widgets():
            widget.hide()
            widget.deleteLater()
        row.deleteLater()

    def _clear_rows(self) -> None:
        for row in list(self.rows):
            self._drop(row)

    # -- saving ---------------------------------------------------------------------------
    def entered(self) -> list[dict[str, str]] | None:
        """The rows as the core expects them, or None while a row is still incomplete."""
        if not all(row.complete() for row in self.rows):
            return None
        return [self.entry_of(row) for row in self.rows]

    def finish(self) -> None:
        value = self.entered()
        if value is None:
            return
        if not value:
            if isinstance(self._last, list):  # the last row of a saved list was removed
                self._last = None
                self.on_clear()
            return
        if value != self._last:
            self._last = value
            self.on_commit(value)

    def _choose_none(self) -> None:
        self._clear_rows()
        self.none.setChecked(True)
        self._last = "none"
        self.on_commit("none")

    def set_value(self, value: Any) -> None:
        self._last = value
        self.none.setChecked(value == "none")
        if isinstance(value, list):
            if value != self.entered():
                self._clear_rows()
                for entry in value:
                    code = entry.get(self.code_key)
                    if isinstance(code, str) and code in self.code_buttons:
                        self.add_row(code, entry)
        elif not (self.rows and self.entered() is None):
            self._clear_rows()  # keep rows still being filled in after a refused save

    code_key = ""

    # -- keyboard, read-only ----------------------------------------------------------------
    def handle_enter(self) -> bool:
        """Enter moves along a row's fields; it leaves the item once every row is complete."""
        focused = self.host.window().focusWidget()
        for row in self.rows:
            edits = list(row.fields.values())
            if focused in edits:
                index = edits.index(focused)  # type: ignore[arg-type]
                if index + 1 < len(edits):
                    edits[index + 1].setFocus()
                    return True
        for button in self.code_buttons.values():  # adds a row to fill in: not an answer
            if button is focused:
                button.click()
                return True
        return self.entered() is None

    def choose_key(self, text: str) -> bool:
        """N is "none" (one key for the common answer); 1-9 adds the n-th agent or drug."""
        key = text.lower()
        if key == "n":
            self.none.click()
            return True
        codes = list(self.code_buttons.values())
        if key.isdigit() and 1 <= int(key) <= len(codes):
            codes[int(key) - 1].click()
            return True
        return False

    def focus_target(self) -> QWidget | None:
        fields = [edit for row in self.rows for edit in row.fields.values()]
        return fields[0] if fields else None

    def focus_first(self) -> None:
        target = self.focus_target() or self.host
        target.setFocus(Qt.FocusReason.OtherFocusReason)

    def focus_widgets(self) -> list[QWidget]:
        fields = [edit for row in self.rows for edit in row.fields.values()]
        return [self.none, *self.code_buttons.values(), *fields]

    def set_read_only(self, read_only: bool) -> None:
        for widget in [self.none, *self.code_buttons.values()]:
            widget.setEnabled(not read_only)
        for row in self.rows:
            for edit in row.fields.values():
                edit.setReadOnly(read_only)
            row.remove.setVisible(not read_only)


class CodedAllergiesInput(_CodedListInput):
    """Allergies: an agent from the template's list and the reaction; ``other`` asks a name."""

    none_text = "No known allergies"
    none_accessible = "No known allergies"
    add_text = "or add each allergy:"
    code_key = "agent"

    def codes(self) -> list[tuple[str, str]]:
        return [(a.id, a.label) for a in self.item.agents]

    def asks_name(self, code: str) -> bool:
        agent = self.item.agent(code)
        return agent is not None and agent.asks_name

    def fields_of(self, code: str) -> list[tuple[str, str]]:
        name = [("name", "name of the agent")] if self.asks_name(code) else []
        return [*name, ("reaction", "reaction, e.g. hives (or unknown)")]

    def entry_of(self, row: _Row) -> dict[str, str]:
        entry = {"agent": row.code, "reaction": row.text("reaction")}
        if "name" in row.fields:
            entry["name"] = row.text("name")
        return entry

    def fill(self, row: _Row, entry: dict[str, Any]) -> None:
        for key, edit in row.fields.items():
            edit.setText(str(entry.get(key, "")))


class CodedAnticoagulantsInput(_CodedListInput):
    """Anticoagulants: a drug from the hold table and its last dose; ``other`` asks a name.
    Each row shows the hours before the planned start and the hold while the dose is typed."""

    none_text = "None"
    none_accessible = "No anticoagulants or antiplatelets"
    add_text = "or add each drug:"
    code_key = "drug"

    def codes(self) -> list[tuple[str, str]]:
        return [(d.id, d.label) for d in self.item.drugs]

    def asks_name(self, code: str) -> bool:
        drug = self.item.drug(code)
        return drug is not None and drug.asks_name

    def fields_of(self, code: str) -> list[tuple[str, str]]:
        name = [("name", "name of the drug")] if self.asks_name(code) else []
        return [*name, ("last_dose", "last dose YYYY-MM-DD HH:MM")]

    def entry_of(self, row: _Row) -> dict[str, str]:
        entry = {"drug": row.code, "last_dose": typed_datetime(row.text("last_dose"))}
        if "name" in row.fields:
            entry["name"] = row.text("name")
        return entry

    def fill(self, row: _Row, entry: dict[str, Any]) -> None:
        if "name" in row.fields:
            row.fields["name"].setText(str(entry.get("name", "")))
        row.fields["last_dose"].setText(show_datetime(str(entry.get("last_dose", ""))))

    def row_changed(self, row: _Row) -> None:
        """Live: "50 h before the start, hold 72 h" as soon as the dose reads as a time."""
        drug = self.item.drug(row.code)
        hold = drug.hold_hours if drug is not None else None
        hours = self._hours_before_start(row.text("last_dose"))
        if isinstance(hours, float) and hours < 0:
            text = "after the planned start"
        else:
            text = hold_words(hours, hold)
        row.note.setText(text)
        row.note.setVisible(True)

    def _hours_before_start(self, typed: str) -> float | None:
        if not self.planned_start:
            return None
        dose = typed_datetime(typed)
        try:
            datetime.strptime(dose, DATETIME_FORMAT)
        except ValueError:
            return None
        return elapsed_hours(dose, self.planned_start)
