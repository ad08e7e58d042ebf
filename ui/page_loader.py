"""Pages built by other parts of the app (``ui.checklist``, ``ui.auditor``), imported only when
first needed so start-up stays fast, with a stand-in while a package is not installed."""

from __future__ import annotations

import logging

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from ui.checklist_placeholder import ChecklistPlaceholder
from vpchecklist.services import Actor
from vpchecklist.store import Store

log = logging.getLogger(__name__)


def _missing(error: ModuleNotFoundError, package: str) -> bool:
    """Only the package itself being absent means "not installed"; a broken import inside it
    is a bug and must surface."""
    return error.name is not None and (error.name == package or package.startswith(error.name))


def checklist_page(store: Store, actor: Actor, checklist_id: int) -> QWidget:
    try:
        from ui.checklist import ChecklistPage
    except ModuleNotFoundError as error:
        if not _missing(error, "ui.checklist"):
            raise
        log.warning("ui.checklist is not installed; showing the read-only summary")
        return ChecklistPlaceholder(store, actor, checklist_id)
    return ChecklistPage(store, actor, checklist_id)


def auditor_page(store: Store, actor: Actor) -> QWidget:
    try:
        from ui.auditor import AuditorPage
    except ModuleNotFoundError as error:
        if not _missing(error, "ui.auditor"):
            raise
        log.warning("ui.auditor is not installed; showing a placeholder")
        return _placeholder("Auditor workspace", "The auditor workspace is not installed.")
    return AuditorPage(store, actor)


def admin_page(store: Store, actor: Actor) -> QWidget:
    try:
        from ui.admin import AdminPage
    except ModuleNotFoundError as error:
        if not _missing(error, "ui.admin"):
            raise
        log.warning("ui.admin is not installed; showing a placeholder")
        return _placeholder("Administration", "Manage users with: vpchecklist user --help")
    return AdminPage(store, actor)


def _placeholder(title: str, text: str) -> QWidget:
    page = QWidget()
    page.setObjectName("placeholder")
    heading = QLabel(title)
    heading.setObjectName("page.title")
    layout = QVBoxLayout(page)
    layout.addWidget(heading)
    layout.addWidget(QLabel(text))
    layout.addStretch(1)
    return page
