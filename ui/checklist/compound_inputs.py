"""Inputs with more than one field: allergies ("none" or a list) and anticoagulants ("none" or
drug + last dose + held). Both offer a one-press "none", the most common answer."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QButtonGroup, QLabel, QLineEdit, QPushButton, QWidget

from ui.checklist.display import show_datetime
from ui.checklist.inputs import ItemInput, answer_button
from ui.checklist.style import named
from vpchecklist.rules.values import is_na
from vpchecklist.templates.model import Item


class AllergiesInput(ItemInput):
    """A "No known allergies" button, or allergies typed comma-separated."""

    wide = True
    revert_on_error = False

    def __init__(self, item: Item, parent: QWidget) -> None:
        super().__init__(item, parent)
        self.none = answer_button(
            f"{item.id}.none", "No known allergies", "No known allergies", self.host
        )
        self.edit = QLineEdit(self.host)
        named(self.edit, item.id, "Allergies, separated by commas")
        self.edit.setPlaceholderText("or type them, separated by commas: latex, penicillin")
        self.edit.setMinimumWidth(380)
        self.row.addWidget(self.none)
        self.row.addWidget(self.edit, 1)
        self._last = ""
        self.none.clicked.connect(self._choose_none)
        self.edit.editingFinished.connect(self._finish)

    def _choose_none(self) -> None:
        self.none.setChecked(True)
        self.on_commit("none")

    def _finish(self) -> None:
        text = self.edit.text().strip()
        if text == self._last:
            return
        self._last = text
        entries = [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]
        if not entries:
            if not self.none.isChecked():
                self.on_clear()
            return
        if len(entries) == 1 and entries[0].lower() == "none":
            self.on_commit("none")
        else:
            self.on_commit(entries)

    def set_value(self, value: Any) -> None:
        self.none.setChecked(value == "none")
        text = ", ".join(value) if isinstance(value, list) else ""
        self._last = text
        self.edit.setText(text)


class AnticoagulantsInput(ItemInput):
    """Either "none", or drug + last dose + held yes/no, saved once all three are given."""

    wide = True
    revert_on_error = False

    def __init__(self, item: Item, parent: QWidget) -> None:
        super().__init__(item, parent)
        iid = item.id
        self.none = answer_button(
            f"{iid}.none", "None", "No anticoagulants or antiplatelets", self.host
        )
        self.drug = QLineEdit(self.host)
        named(self.drug, iid, "Anticoagulant drug")
        self.drug.setPlaceholderText("e.g. apixaban")
        self.dose = QLineEdit(self.host)
        named(self.dose, f"{iid}.last_dose", "Last dose, date and time")
        self.dose.setPlaceholderText("YYYY-MM-DD HH:MM")
        self.held_group = QButtonGroup(self)
        self.held: dict[str, QPushButton] = {}
        held_label = QLabel("Held:", self.host)
        for value, text in (("yes", "Yes"), ("no", "No")):
            button = answer_button(
                f"{iid}.held.{value}", text, f"Anticoagulant held: {text}", self.host
            )
            self.held_group.addButton(button)
            self.held[value] = button
            button.clicked.connect(self._finish)
        self.row.addWidget(self.none)
        self.row.addWidget(QLabel("or drug:", self.host))
        self.row.addWidget(self.drug, 2)
        self.row.addWidget(QLabel("last dose:", self.host))
        self.row.addWidget(self.dose, 2)
        self.row.addWidget(held_label)
        self.row.addWidget(self.held["yes"])
        self.row.addWidget(self.held["no"])
        self.none.clicked.connect(self._choose_none)
        self.drug.editingFinished.connect(self._finish)
        self.dose.editingFinished.connect(self._finish)
        self._last: Any = None

    def _choose_none(self) -> None:
        self.none.setChecked(True)
        self._last = "none"
        self.on_commit("none")

    def entered(self) -> dict[str, str] | None:
        """The three fields as the core expects them, or None while one is still empty."""
        drug = self.drug.text().strip()
        dose = self.dose.text().strip().replace(" ", "T", 1)
        held = self.held_group.checkedButton()
        if not (drug and dose and held):
            return None
        value = "yes" if held is self.held["yes"] else "no"
        return {"drug": drug, "last_dose": dose, "held": value}

    def _finish(self) -> None:
        value = self.entered()
        if value is not None and value != self._last:
            self._last = value
            self.on_commit(value)

    def handle_enter(self) -> bool:
        """Enter moves along drug → last dose → held before leaving the item."""
        focused = self.host.window().focusWidget()  # also right while the window is inactive
        if focused is self.drug:
            self.dose.setFocus()
            return True
        if focused is self.dose:
            (self.held_group.checkedButton() or self.held["yes"]).setFocus()
            return True
        for button in self.held.values():
            if button is focused:
                button.click()
        return self.entered() is None

    def set_value(self, value: Any) -> None:
        self._last = value
        self.none.setChecked(value == "none")
        record = value if isinstance(value, dict) and not is_na(value) else {}
        self.drug.setText(record.get("drug", ""))
        self.dose.setText(show_datetime(record["last_dose"]) if record else "")
        self.held_group.setExclusive(False)
        for key, button in self.held.items():
            button.setChecked(record.get("held") == key)
        self.held_group.setExclusive(True)

    def focus_widgets(self) -> list[QWidget]:
        return [self.none, self.drug, self.dose, self.held["yes"], self.held["no"]]
