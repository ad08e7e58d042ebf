"""The settings of issue 16 on the administrator's settings tab: how the hospital's schedule
and wristbands are read, and the drop folder the app polls for HL7 files."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFormLayout, QGroupBox, QLabel, QWidget

from ui.admin.common import hint
from ui.widgets import line_edit

FIELDS = {
    "schedule_drop_folder": ("Schedule &drop folder (HL7 files)", "empty: no folder is polled"),
    "schedule_mrn_type": ("MRN identifier t&ype in PID-3", "MR"),
    "schedule_mrn_authority": ("MRN assigning &authority (optional)", "any authority"),
    "schedule_levels_field": ("Field with the le&vels", "e.g. OBR-13 or NTE; empty: nurse picks"),
    "wristband_mrn_pattern": ("&Wristband barcode pattern", "a regular expression with (?P<mrn>…)"),
}


class HospitalSettings(QGroupBox):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Hospital systems", parent)
        self.setObjectName("admin.settings.hospital")
        self.edits = {
            key: line_edit(f"admin.settings.{key}", label.replace("&", ""), placeholder)
            for key, (label, placeholder) in FIELDS.items()
        }
        form = QFormLayout(self)
        form.setVerticalSpacing(10)
        for key, (label, _placeholder) in FIELDS.items():
            caption = QLabel(label)
            caption.setBuddy(self.edits[key])
            form.addRow(caption, self.edits[key])
        form.addRow(
            hint(
                "Nurses and physicians see the folder's new visits on their worklist (polled "
                "every 30 s from their next sign-in); see the README's Hospital systems section."
            )
        )

    def show_values(self, values: dict[str, str]) -> None:
        for key, edit in self.edits.items():
            edit.setText(values.get(key, ""))

    def values(self) -> dict[str, str]:
        return {key: edit.text() for key, edit in self.edits.items()}

    def problem(self) -> str:
        """A drop folder must be a full path (the app runs from anywhere)."""
        folder = self.edits["schedule_drop_folder"].text().strip()
        if folder and not Path(folder).expanduser().is_absolute():
            return "The schedule drop folder must be a full path."
        return ""
