"""New checklist: the header a nurse copies from the order. The core validates it
(``parse_header``) and each refusal is shown in plain words next to its field."""

from __future__ import annotations

from datetime import datetime, timedelta

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ui.messages import as_sentence, show_error
from ui.widgets import TOUCH_PX, button, error_label, line_edit, show_inline
from ui.worklist.spine_picker import SpinePicker
from vpchecklist.errors import ValidationError, VPError
from vpchecklist.rules import level_warnings
from vpchecklist.rules.values import HEADER_FIELDS
from vpchecklist.services import Actor, checklists, schedule
from vpchecklist.services.templates import active_template
from vpchecklist.store import Store
from vpchecklist.typed_times import TypedTimeError, as_stored, parse_typed_time, understood_words


class NewChecklistPage(QWidget):
    created = Signal(int)
    cancelled = Signal()

    def __init__(self, store: Store, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("new")
        self._store = store
        self._actor = actor
        with store.reading():
            template = active_template()
        self._template = template

        self.patient_name = line_edit("new.patient_name", "Patient name", "as on the wristband")
        self.date_of_birth = line_edit("new.date_of_birth", "Date of birth", "YYYY-MM-DD")
        self.mrn = line_edit("new.mrn", "Medical record number (MRN)", "e.g. MRN123456")
        # One field, typed "14:00", "tomorrow" aside: a date-time editor's five parts trapped
        # Tab ("Tab, Dr Radia, Tab, T8" set the date to the 8th; issue 13 finding 3).
        self.planned_start = line_edit(
            "new.planned_start", "Planned start of the procedure", "HH:MM or YYYY-MM-DD HH:MM"
        )
        self.planned_understood = QLabel()
        self.planned_understood.setObjectName("new.planned_start.understood")
        self.planned_understood.setProperty("role", "help")
        self.planned_start.textChanged.connect(self._show_planned)
        self.physician = line_edit(
            "new.physician", "Interventional radiologist", "interventional radiologist"
        )
        self.levels = SpinePicker(template.levels.allowed, template.levels.regions)
        self.level_warnings = QLabel()
        self.level_warnings.setObjectName("new.levels.warnings")
        self.level_warnings.setProperty("severity", "warning")
        self.level_warnings.setWordWrap(True)
        self.level_warnings.hide()
        self.levels.changed.connect(self._show_level_warnings)
        self.errors = {field: error_label(f"new.error.{field}") for field in HEADER_FIELDS}
        self.general_error = error_label("new.error")
        # A visit from the schedule fixes the identity: changing it asks for a reason.
        self.visit: dict | None = None
        self.identity_note = QLabel(
            "From the hospital schedule: name, date of birth and MRN are locked."
        )
        self.identity_note.setObjectName("new.identity.locked")
        self.identity_note.setWordWrap(True)
        self.identity_change = button(
            "Change identity…", "new.identity.change", "Change the scheduled identity"
        )
        self.identity_change.setProperty("kind", "secondary")
        self.identity_reason = line_edit(
            "new.identity.reason",
            "Reason for changing the scheduled identity",
            "Why is the schedule's identity wrong? (recorded in the audit trail)",
        )
        self.identity_change.clicked.connect(self._unlock_identity)
        self.create_button = button("Create checklist", "new.create")
        self.create_button.setProperty("kind", "primary")
        self.create_button.setDefault(True)
        self.cancel = button("Cancel", "new.cancel", "Cancel and return to the worklist")
        self.cancel.setProperty("kind", "secondary")

        self._build_layout()
        self._wire_keyboard()
        self.reset()

    def _build_layout(self) -> None:
        title = QLabel("New checklist")
        title.setObjectName("page.title")
        hint = QLabel(
            "Copy the details from the procedure order. Levels are confirmed again later."
        )
        hint.setObjectName("page.hint")
        hint.setWordWrap(True)

        patient = QGroupBox("Patient")
        patient_form = QFormLayout(patient)
        self._row(patient_form, "&Name", self.patient_name, "patient.name")
        self._row(patient_form, "&Date of birth", self.date_of_birth, "patient.date_of_birth")
        self._row(patient_form, "&MRN", self.mrn, "patient.mrn")
        patient_form.addRow(self.identity_note)
        patient_form.addRow(self.identity_change, self.identity_reason)
        procedure = QGroupBox("Procedure")
        procedure_form = QFormLayout(procedure)
        self._row(procedure_form, "Planned &start", self.planned_start, "planned_start")
        procedure_form.addRow("", self.planned_understood)
        self._row(procedure_form, "&Physician", self.physician, "physician")
        actions = QHBoxLayout()
        actions.addStretch(1)
        actions.addWidget(self.cancel)
        actions.addWidget(self.create_button)
        left = QVBoxLayout()
        left.addWidget(patient)
        left.addWidget(procedure)
        left.addStretch(1)
        left.addWidget(self.general_error)
        left.addLayout(actions)

        spine = QGroupBox("Levels to treat")
        spine_layout = QVBoxLayout(spine)
        spine_layout.addWidget(self.levels)
        spine_layout.addWidget(self.level_warnings)
        spine_layout.addWidget(self.errors["levels"])

        columns = QHBoxLayout()
        columns.setSpacing(24)
        columns.addLayout(left, 1)
        columns.addWidget(spine, 1)

        content = QWidget()
        content.setObjectName("new.content")
        body = QVBoxLayout(content)
        body.setContentsMargins(24, 16, 24, 16)
        body.addWidget(title)
        body.addWidget(hint)
        body.addLayout(columns, 1)
        scroll = QScrollArea()
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidgetResizable(True)
        scroll.setWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

    def _row(self, form: QFormLayout, text: str, field: QWidget, error_key: str) -> None:
        label = QLabel(text)
        label.setBuddy(field)
        label.setMinimumHeight(TOUCH_PX)  # centred on the field, not on field + message
        label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        box = QVBoxLayout()
        box.setSpacing(2)
        box.addWidget(field)
        box.addWidget(self.errors[error_key])
        form.addRow(label, box)

    def _wire_keyboard(self) -> None:
        """Enter moves to the next field in reading order; Enter on the last one creates."""
        order: list[QWidget] = [
            self.patient_name,
            self.date_of_birth,
            self.mrn,
            self.planned_start,
            self.physician,
            self.levels.entry,
            self.create_button,
            self.cancel,
        ]
        for first, second in zip(order, order[1:], strict=False):
            QWidget.setTabOrder(first, second)
        chain: list[QLineEdit] = [self.patient_name, self.date_of_birth, self.mrn]
        for edit, following in zip(chain, chain[1:], strict=False):
            edit.returnPressed.connect(following.setFocus)
        self.mrn.returnPressed.connect(self._to_planned_start)
        self.planned_start.returnPressed.connect(self.physician.setFocus)
        self.physician.returnPressed.connect(self.levels.entry.setFocus)
        self.levels.entry.returnPressed.connect(self.submit)
        self.create_button.clicked.connect(self.submit)
        self.cancel.clicked.connect(self.cancelled)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self).activated.connect(self.submit)
        QShortcut(QKeySequence("Escape"), self).activated.connect(self.cancelled.emit)

    def _to_planned_start(self) -> None:
        """Into the planned start with its text selected: the time typed replaces it."""
        self.planned_start.setFocus(Qt.FocusReason.TabFocusReason)
        self.planned_start.selectAll()

    def set_actor(self, actor: Actor) -> None:
        self._actor = actor

    def reset(self) -> None:
        self._set_identity_locked(False)
        self.visit = None
        for widget in (self.identity_note, self.identity_change, self.identity_reason):
            widget.hide()
        self.identity_reason.clear()
        for edit in (self.patient_name, self.date_of_birth, self.mrn, self.physician):
            edit.clear()
        self.levels.set_levels([])
        now = datetime.now()
        next_hour = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
        self.planned_start.setText(next_hour.strftime("%Y-%m-%d %H:%M"))
        self._clear_errors()
        self.patient_name.setFocus()

    def fill_from_visit(self, visit: dict) -> None:
        """The header from a scheduled visit, identity locked; the nurse confirms the rest."""
        self.reset()
        self.visit = visit
        self.patient_name.setText(visit["name"])
        self.date_of_birth.setText(visit["date_of_birth"])
        self.mrn.setText(visit["mrn"])
        self.physician.setText(visit["physician"])
        self.levels.set_levels(list(visit["levels"]))
        start = str(visit.get("planned_start") or "")
        if start:
            self.planned_start.setText(start.replace("T", " ", 1))
        self._set_identity_locked(True)
        self.identity_note.show()
        self.identity_change.show()
        (self.levels.entry if not visit["levels"] else self.physician).setFocus()

    def _set_identity_locked(self, locked: bool) -> None:
        for edit in (self.patient_name, self.date_of_birth, self.mrn):
            edit.setReadOnly(locked)
            edit.setProperty("locked", locked)
            edit.style().unpolish(edit)
            edit.style().polish(edit)

    def _unlock_identity(self) -> None:
        self._set_identity_locked(False)
        self.identity_note.setText(
            "Changing the scheduled identity: give the reason; it is recorded with the change."
        )
        self.identity_change.hide()
        self.identity_reason.show()
        self.identity_reason.setFocus()

    def header_document(self) -> dict:
        """The header in the core's evaluate-file shape."""
        return {
            "patient": {
                "name": self.patient_name.text(),
                "date_of_birth": self.date_of_birth.text().strip(),
                "mrn": self.mrn.text(),
            },
            "levels": self.levels.levels(),
            "planned_start": self._planned_value(),
            "physician": self.physician.text(),
        }

    def _planned_value(self) -> str:
        """The typed planned start as the core's ``YYYY-MM-DDTHH:MM``; text it does not
        understand goes to the core as typed, which refuses it in words."""
        try:
            return as_stored(parse_typed_time(self.planned_start.text(), datetime.now()))
        except TypedTimeError:
            return self.planned_start.text().strip()

    def _show_planned(self, text: str) -> None:
        """Say which date-time the typed text means, while it is typed."""
        try:
            wall = parse_typed_time(text, datetime.now())
        except TypedTimeError:
            self.planned_understood.setText("")
            return
        self.planned_understood.setText(understood_words(wall))

    def _show_level_warnings(self, levels: list[str]) -> None:
        """The core's warnings on these levels (count, gap, upper thoracic), shown while the
        levels are picked; the checklist asks for their acknowledgement later."""
        texts = level_warnings(levels, self._template) if levels else []
        show_inline(self.level_warnings, "\n".join(f"⚠ {text}" for text in texts))

    def submit(self) -> None:
        self._clear_errors()
        try:
            parse_typed_time(self.planned_start.text(), datetime.now())
        except TypedTimeError as error:
            show_inline(self.errors["planned_start"], str(error))
            self.planned_start.setFocus()
            return
        if self.levels.refuse_unknown():
            self.levels.entry.setFocus()
            return  # a typed level that is not one is never dropped silently (spec §6.5)
        try:
            header = checklists.parse_header(self.header_document(), self._template)
            if self.visit is not None:
                checklist_id = schedule.start_from_appointment(
                    self._store, self._actor, self.visit["id"], header, self.identity_reason.text()
                )
            else:
                checklist_id = checklists.start_checklist(self._store, self._actor, header)
        except ValidationError as error:
            self._show_validation(error)
            return
        except VPError as error:
            show_error(self, error)
            return
        self.created.emit(checklist_id)

    def _show_validation(self, error: ValidationError) -> None:
        label = self.errors.get(error.item_id or "", self.general_error)
        show_inline(label, as_sentence(error.message))
        focus = {
            "patient.name": self.patient_name,
            "patient.date_of_birth": self.date_of_birth,
            "patient.mrn": self.mrn,
            "levels": self.levels.entry,
            "planned_start": self.planned_start,
            "physician": self.physician,
            "identity": self.identity_reason,
        }.get(error.item_id or "")
        if focus is not None:
            focus.setFocus()

    def _clear_errors(self) -> None:
        for label in [*self.errors.values(), self.general_error]:
            show_inline(label, "")
