"""Patient identity, the levels (large) and the allergy banner, above every page: wrong patient,
wrong level and a missed allergy are the errors this product exists to prevent."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ui.checklist.style import named
from vpchecklist.presentation import mrn_words, wall_time
from vpchecklist.rules.evaluation import Evaluation

STATUS_WORDS = {
    "draft": "Draft — every answer is saved as you go",
    "signed": "Signed — read-only",
    "postponed": "Closed: not ready — procedure postponed (read-only)",
}


BLOCKED_WORDS = "Blocked by a hard stop — every answer is saved as you go"


class PatientHeader(QWidget):
    back_requested = Signal()
    addendum_requested = Signal()

    def __init__(
        self, header: dict[str, Any], parent: QWidget | None = None, template_note: str = ""
    ) -> None:
        super().__init__(parent)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        top = QFrame()
        top.setObjectName("checklist.header")
        row = QHBoxLayout(top)
        row.setContentsMargins(12, 6, 12, 6)
        row.setSpacing(16)
        self.back = QPushButton("← Worklist")
        named(self.back, "checklist.back", "Back to the worklist")
        self.back.clicked.connect(self.back_requested)
        row.addWidget(self.back)

        patient = header["patient"]
        who = QVBoxLayout()
        who.setSpacing(2)
        name = QLabel(patient["name"])
        name.setObjectName("checklist.patient")
        facts = QLabel(
            f"Born {patient['date_of_birth']}  ·  {mrn_words(patient['mrn'])}  ·  "
            f"Planned {wall_time(header['planned_start'])}  ·  {header['physician']}"
        )
        facts.setObjectName("checklist.patient_facts")
        self.status = QLabel()
        self.status.setObjectName("checklist.status")
        who.addWidget(name)
        who.addWidget(facts)
        who.addWidget(self.status)
        # A draft started on an older template version says it continues on that version.
        self.template_note = QLabel(template_note)
        self.template_note.setObjectName("checklist.template_note")
        self.template_note.setProperty("role", "info")
        self.template_note.setWordWrap(True)
        if not template_note:
            # Only ever hide here: showing a widget before it has a parent opens it as a
            # window of its own for a moment, which takes the focus from the main window.
            self.template_note.hide()
        who.addWidget(self.template_note)
        row.addLayout(who, 1)

        self.addendum = QPushButton("Add addendum…")
        named(self.addendum, "checklist.addendum", "Add an addendum to the signed record")
        self.addendum.clicked.connect(self.addendum_requested)
        self.addendum.hide()
        row.addWidget(self.addendum)

        level_box = QVBoxLayout()
        level_box.setSpacing(0)
        caption = QLabel("LEVELS")
        caption.setObjectName("checklist.levels_caption")
        self.levels = QLabel(", ".join(header["levels"]))
        self.levels.setObjectName("checklist.levels")
        self.levels.setAccessibleName("Levels to treat")
        self.region = QLabel()
        self.region.setObjectName("checklist.region")
        for widget in (caption, self.levels, self.region):
            level_box.addWidget(widget, 0, Qt.AlignmentFlag.AlignRight)
        row.addLayout(level_box)
        outer.addWidget(top)

        self.allergy = QLabel()
        self.allergy.setObjectName("checklist.allergy_banner")
        self.allergy.setAccessibleName("Allergy warning")
        self.allergy.setWordWrap(True)
        self.allergy.hide()
        outer.addWidget(self.allergy)

        # Above every page while a stop exists: off its section a stop was easy to miss.
        self.stop_banner = QLabel()
        self.stop_banner.setObjectName("checklist.stop_banner")
        self.stop_banner.setAccessibleName("Hard stop")
        self.stop_banner.setWordWrap(True)
        self.stop_banner.hide()
        outer.addWidget(self.stop_banner)

    def update_from(self, ev: Evaluation, status: str, stop_words: list[str] | None = None) -> None:
        """``stop_words``: each hard stop as "<item>: <why>", for the banner."""
        self.region.setText(" + ".join(r.capitalize() for r in ev.regions))
        blocked = status == "draft" and bool(ev.stops)
        self.status.setText(BLOCKED_WORDS if blocked else STATUS_WORDS.get(status, status))
        words = stop_words or []
        if blocked and words:
            self.stop_banner.setText(
                "Hard stop — "
                + "; ".join(words)
                + ". This checklist can only be signed as not ready (postponed)."
            )
        self.stop_banner.setVisible(blocked and bool(words))
        self.addendum.setVisible(status != "draft")
        flags = ev.allergy_flags
        if flags:
            parts = [f"{f['label']} ({', '.join(f['matches'])})" for f in flags]
            self.allergy.setText("⚠ ALLERGY: " + "  ·  ".join(parts))
        self.allergy.setVisible(bool(flags))
