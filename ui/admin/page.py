"""The administrator's home page: one tab per area of administration."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QTabWidget, QVBoxLayout, QWidget

from ui.admin.backups_tab import BackupsTab
from ui.admin.settings_tab import SettingsTab
from ui.admin.template_tab import TemplateTab
from ui.admin.users_tab import UsersTab
from vpchecklist.services import Actor
from vpchecklist.store import Store


class AdminPage(QWidget):
    """``settings_changed(dict)`` carries every setting after a save, so the shell can apply the
    new idle-lock time at once."""

    settings_changed = Signal(dict)

    def __init__(self, store: Store, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("admin")
        title = QLabel("Administration")
        title.setObjectName("page.title")
        self.users = UsersTab(store, actor)
        self.backups = BackupsTab(store, actor)
        self.settings = SettingsTab(store, actor)
        self.template = TemplateTab(store, actor)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("admin.tabs")
        self.tabs.setAccessibleName("Administration areas")
        self.tabs.addTab(self.users, "&Users")
        self.tabs.addTab(self.backups, "&Backups")
        self.tabs.addTab(self.settings, "&Settings")
        self.tabs.addTab(self.template, "&Template")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 16)
        layout.addWidget(title)
        layout.addWidget(self.tabs, 1)
        self.settings.saved.connect(self._settings_saved)
        self.tabs.currentChanged.connect(self._tab_shown)

    def set_actor(self, actor: Actor) -> None:
        """After an unlock the same administrator may come back with a fresh ``Actor``."""
        for tab in (self.users, self.backups, self.settings, self.template):
            tab.set_actor(actor)

    def refresh(self) -> None:
        for tab in (self.users, self.backups, self.settings, self.template):
            tab.refresh()

    def _tab_shown(self, index: int) -> None:
        """Lists are re-read when shown; the settings form keeps unsaved edits."""
        tab = self.tabs.widget(index)
        if tab in (self.users, self.backups, self.template):
            tab.refresh()

    def _settings_saved(self, values: dict) -> None:
        self.backups.refresh()
        self.settings_changed.emit(values)
