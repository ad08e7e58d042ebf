"""Which input widget answers which template item kind: the one place that knows both the
simple inputs (``inputs``) and the compound ones built on them (``compound_inputs``)."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from ui.checklist.coded_inputs import CodedAllergiesInput, CodedAnticoagulantsInput
from ui.checklist.compound_inputs import AllergiesInput, AnticoagulantsInput
from ui.checklist.inputs import (
    BloodPressureInput,
    DateTimeInput,
    ItemInput,
    NumberInput,
    TextInput,
    choice_input,
    confirm_input,
)
from vpchecklist.templates.model import Item


def make_input(item: Item, parent: QWidget, planned_start: str | None = None) -> ItemInput:
    """The input for ``item``; a coded list (template v2) gets its picker, which needs the
    planned start to show each drug's hours before it."""
    if item.kind == "allergies" and item.agents:
        return CodedAllergiesInput(item, parent, planned_start)
    if item.kind == "anticoagulants" and item.drugs:
        return CodedAnticoagulantsInput(item, parent, planned_start)
    if item.kind == "datetime":
        return DateTimeInput(item, parent, planned_start)
    makers = {
        "confirm": confirm_input,
        "choice": choice_input,
        "number": NumberInput,
        "datetime": DateTimeInput,
        "text": TextInput,
        "blood_pressure": BloodPressureInput,
        "allergies": AllergiesInput,
        "anticoagulants": AnticoagulantsInput,
    }
    return makers[item.kind](item, parent)
