"""The checklist template in use (id, version, hash) and loading a new version: validated
first, its changes shown for confirmation, then activated. Records keep their own template."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QVBoxLayout,
    QWidget,
)

from ui.admin.common import error_text, hint, show_status, status_label
from ui.widgets import button, named
from vpchecklist.errors import VPError
from vpchecklist.services import Actor
from vpchecklist.services import templates as template_service
from vpchecklist.store import Store
from vpchecklist.templates import Template


def _value_label(object_name: str) -> QLabel:
    label = QLabel()
    label.setObjectName(object_name)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setWordWrap(True)
    return label


class TemplateTab(QWidget):
    activated = Signal(str)  # the new content hash

    def __init__(self, store: Store, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("admin.template")
        self._store = store
        self._actor = actor
        self.confirm_dialog: TemplateChangeDialog | None = None

        self.template_id = _value_label("admin.template.id")
        self.title = _value_label("admin.template.title")
        self.version = _value_label("admin.template.version")
        self.content_hash = _value_label("admin.template.hash")
        self.load = button(
            "Load new version…", "admin.template.load", "Load a new template version"
        )
        self.upgrade = button(
            "Review bundled version…",
            "admin.template.upgrade",
            "Review what the bundled newer version changes, then use it",
        )
        self.upgrade.hide()
        self.status = status_label("admin.template.status")
        form = QFormLayout()
        form.addRow("Template", self.template_id)
        form.addRow("Title", self.title)
        form.addRow("Version", self.version)
        form.addRow("Content hash (SHA-256)", self.content_hash)
        explain = hint(
            "New checklists use this template. A checklist already started or signed keeps the "
            "template version it was started with, so its record and PDF never change. A new "
            "version is checked before it is used, and you see what it changes before you confirm."
        )
        load_row = QHBoxLayout()
        load_row.addWidget(self.load)
        load_row.addWidget(self.upgrade)
        load_row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(explain)
        layout.addSpacing(8)
        layout.addLayout(load_row)
        layout.addWidget(self.status)
        layout.addStretch(1)
        self.load.clicked.connect(self._choose_file)
        self.upgrade.clicked.connect(self._review_bundled)
        self.refresh()

    def set_actor(self, actor: Actor) -> None:
        self._actor = actor

    def _active(self) -> Template:
        with self._store.reading():
            return template_service.active_template()

    def refresh(self) -> None:
        try:
            template = self._active()
        except VPError as error:
            show_status(self.status, error_text(error), error=True)
            return
        self.template_id.setText(template.id)
        self.title.setText(template.title)
        self.version.setText(template.version)
        self.content_hash.setText(template.content_hash)
        newer = template_service.newer_bundled(template)
        if newer is not None:
            self.upgrade.setText(f"Review version {newer.version}…")
        self.upgrade.setVisible(newer is not None)

    def _review_bundled(self) -> None:
        """The bundled newer version (v2 where a site still uses v1): its changes first."""
        newer = template_service.newer_bundled(self._active())
        if newer is not None:
            self.load_file(template_service.bundled_path(newer))

    def _choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Load a checklist template", "", "Checklist templates (*.toml);;All files (*)"
        )
        if path:
            self.load_file(path)

    def load_file(self, path: str) -> None:
        """Validate ``path`` and, when it is a usable new version, ask for confirmation."""
        show_status(self.status, "")
        try:
            new, _source = template_service.preview_template(path)
            current = self._active()
        except VPError as error:
            show_status(
                self.status, f"This template cannot be used. {error_text(error)}", error=True
            )
            return
        except OSError as error:
            show_status(
                self.status, f"The file {path} cannot be read ({error.strerror}).", error=True
            )
            return
        if new.id != current.id:
            show_status(
                self.status,
                f"This file is the template '{new.id}', not '{current.id}'; nothing was changed.",
                error=True,
            )
            return
        if new.content_hash == current.content_hash:
            show_status(self.status, "This file is the template already in use; nothing changed.")
            return
        changes = template_service.describe_changes(current, new)
        dialog = TemplateChangeDialog(current, new, changes, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.confirm_dialog = dialog

        def done(accepted: int) -> None:
            self.confirm_dialog = None
            if accepted:
                self._activate(path)
            else:
                show_status(self.status, "The new template was not loaded.")

        dialog.finished.connect(done)
        dialog.open()

    def _activate(self, path: str) -> None:
        try:
            template_service.activate_template(self._store, self._actor, path)
        except (VPError, OSError) as error:
            text = error_text(error) if isinstance(error, VPError) else str(error)
            show_status(self.status, f"The template was not changed. {text}", error=True)
            return
        self.refresh()
        show_status(
            self.status,
            f"Version {self.version.text()} is now used for new checklists. Existing checklists "
            "keep the version they were started with.",
        )
        self.activated.emit(self.content_hash.text())


class TemplateChangeDialog(QDialog):
    """What a new template version changes, for the administrator to confirm."""

    def __init__(
        self, current: Template, new: Template, changes: list[str], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("admin.template.confirm")
        self.setWindowTitle("Use the new template version?")
        intro = QLabel(
            f"The file is valid. Version {new.version} replaces version {current.version} of "
            f"“{current.title}” for new checklists. Checklists already started keep version "
            f"{current.version}.\n\nWhat changes ({len(changes)}):"
        )
        intro.setWordWrap(True)
        self.changes = named(QListWidget(), "admin.template.changes", "Changes in the new version")
        self.changes.addItems(changes or ["No item changes (wording or formatting only)."])
        self.changes.setWordWrap(True)
        self.activate = button("Use the new version", "admin.template.activate")
        self.activate.setProperty("kind", "primary")
        self.cancel = button("Cancel", "admin.template.cancel", "Keep the current version")
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel)
        buttons.addWidget(self.activate)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.changes, 1)
        layout.addLayout(buttons)
        self.resize(640, 480)
        self.activate.clicked.connect(self.accept)
        self.cancel.clicked.connect(self.reject)
