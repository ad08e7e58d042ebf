"""Site settings: idle-lock minutes, backup folder, the site name printed on PDFs, and how the
hospital's schedule and wristbands are read (``hospital_settings``)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ui.admin.common import error_text, hint, show_status, status_label
from ui.admin.hospital_settings import HospitalSettings
from ui.widgets import TOUCH_PX, button, line_edit, named
from vpchecklist import machine_config
from vpchecklist.errors import VPError
from vpchecklist.services import Actor, settings
from vpchecklist.store import Store

SITE_NAME_EXAMPLE = "e.g. St Mary's Hospital — Interventional Radiology"


class SettingsTab(QWidget):
    """``saved(dict)`` carries every setting after a successful save."""

    saved = Signal(dict)

    def __init__(self, store: Store, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("admin.settings")
        self._store = store
        self._actor = actor

        # Read-only: which database this computer is on is the machine's configuration, not a
        # setting stored in the database (that would need the database to find the database).
        self.database = line_edit("adminDatabaseLocation", "Database this computer uses")
        self.database.setReadOnly(True)
        self.database.setProperty("locked", True)  # looks read-only (the style sheet's rule)
        self.database.setText(store.label)
        self.database.setCursorPosition(0)
        self.idle_minutes = named(QSpinBox(), "admin.settings.idle_minutes", "Idle lock, minutes")
        self.idle_minutes.setRange(1, 120)
        self.idle_minutes.setSuffix(" minutes")
        self.idle_minutes.setMinimumHeight(TOUCH_PX)
        self.idle_minutes.setFixedWidth(160)
        # Touch-sized − / + beside the number instead of the spin box's tiny arrows. The arrows
        # are hidden by style: NoButtons under a style sheet shrinks the text field to 1 px.
        self.idle_minutes.setStyleSheet(
            "QSpinBox::up-button, QSpinBox::down-button { width: 0px; border: none; }"
        )
        self.idle_minutes.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.idle_less = button("−", "admin.settings.idle_minutes.less", "One minute less")
        self.idle_more = button("+", "admin.settings.idle_minutes.more", "One minute more")
        for push in (self.idle_less, self.idle_more):
            push.setFixedWidth(TOUCH_PX + 8)
        self.backup_folder = line_edit("admin.settings.backup_folder", "Backup folder")
        self.choose_folder = button(
            "Choose…", "admin.settings.backup_folder.choose", "Choose the backup folder"
        )
        self.site_name = line_edit(
            "admin.settings.site_name",
            "Site name",
            SITE_NAME_EXAMPLE,
        )
        self.hospital = HospitalSettings()
        self.save = button("Save settings", "admin.settings.save")
        self.save.setProperty("kind", "primary")
        self.status = status_label("admin.settings.status")

        idle_row = QHBoxLayout()
        idle_row.addWidget(self.idle_less)
        idle_row.addWidget(self.idle_minutes)
        idle_row.addWidget(self.idle_more)
        idle_row.addStretch(1)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.backup_folder, 1)
        folder_row.addWidget(self.choose_folder)
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        form.setVerticalSpacing(10)
        form.addRow(_buddy("Database this computer uses", self.database), self.database)
        form.addRow(
            hint(
                "Set on each computer with --db, VPCHECKLIST_DB or the configuration file "
                f"{machine_config.config_path()}."
            )
        )
        form.addRow(
            _buddy("&Lock the screen after this much idle time", self.idle_minutes), idle_row
        )
        form.addRow(hint("Anyone can unlock with their own password; the session stays open."))
        form.addRow(_buddy("&Backup folder", self.backup_folder), folder_row)
        form.addRow(
            hint("Leave empty to keep backups in the “backups” folder beside the database.")
        )
        form.addRow("&Site name (printed on every PDF)", self.site_name)
        save_row = QHBoxLayout()
        save_row.addWidget(self.save)
        save_row.addStretch(1)
        content = QWidget()
        content.setMaximumWidth(760)
        inner = QVBoxLayout(content)
        inner.setContentsMargins(0, 0, 0, 0)
        inner.addLayout(form)
        inner.addWidget(self.hospital)
        inner.addSpacing(12)
        inner.addLayout(save_row)
        inner.addWidget(self.status)
        holder = QWidget()
        holder.setObjectName("admin.settings.content")
        holder_layout = QVBoxLayout(holder)
        holder_layout.addWidget(content)
        holder_layout.addStretch(1)
        scroll = QScrollArea()  # the hospital-systems settings need more than a laptop screen
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidgetResizable(True)
        scroll.setWidget(holder)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)

        self.idle_less.clicked.connect(self.idle_minutes.stepDown)
        self.idle_more.clicked.connect(self.idle_minutes.stepUp)
        self.choose_folder.clicked.connect(self._choose_folder)
        self.save.clicked.connect(self.save_settings)
        self.refresh()

    def set_actor(self, actor: Actor) -> None:
        self._actor = actor

    def refresh(self) -> None:
        try:
            values = settings.get_all(self._store)
            default_folder = settings.default_backup_folder(self._store)
            fallback_site = machine_config.active().site_name
        except VPError as error:
            show_status(self.status, error_text(error), error=True)
            return
        self.idle_minutes.setValue(int(values["idle_lock_minutes"]))
        self.backup_folder.setText(values["backup_folder"])
        self.backup_folder.setPlaceholderText(str(default_folder))
        self.site_name.setText(values["site_name"])
        self.site_name.setPlaceholderText(
            f"Empty: “{fallback_site}” from this computer's configuration file"
            if fallback_site
            else SITE_NAME_EXAMPLE
        )
        self.hospital.show_values(values)

    def _choose_folder(self) -> None:
        start = self.backup_folder.text() or str(settings.default_backup_folder(self._store))
        folder = QFileDialog.getExistingDirectory(self, "Choose the backup folder", start)
        if folder:
            self.backup_folder.setText(folder)

    def save_settings(self) -> None:
        problem = settings.backup_folder_problem(self.backup_folder.text())
        if problem:
            show_status(self.status, problem, error=True)
            self.backup_folder.setFocus()
            return
        problem = self.hospital.problem()
        if problem:
            show_status(self.status, problem, error=True)
            return
        changes = {
            "idle_lock_minutes": self.idle_minutes.value(),
            "backup_folder": self.backup_folder.text(),
            "site_name": self.site_name.text(),
            **self.hospital.values(),
        }
        try:
            values = settings.update(self._store, self._actor, changes)
        except VPError as error:
            show_status(self.status, error_text(error), error=True)
            return
        self.refresh()
        show_status(self.status, "Settings saved.")
        self.saved.emit(values)


def _buddy(text: str, widget: QWidget) -> QLabel:
    """A form label whose mnemonic focuses ``widget`` (a layout row cannot be a buddy)."""
    label = QLabel(text)
    label.setBuddy(widget)
    return label
