"""Spec §6: a site still on template v1 is shown what v2 changes before it activates it, and a
v1 draft opened afterwards says it continues on v1 (its rules do not change under it)."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QLabel, QPushButton

from tests.ui.test_admin import child, click
from tests.ui.test_checklist_flows import find, open_page, start
from vpchecklist.resources import templates_dir
from vpchecklist.services import checklists
from vpchecklist.services import templates as template_service
from vpchecklist.services.actors import Actor
from vpchecklist.store import Store


def test_v1_to_v2_differences_before_activation_and_the_v1_draft_continues_on_v1(
    qtbot: Any,
    store: Store,
    actors: dict[str, Actor],
    admin_page,  # noqa: F811
) -> None:
    # The site had activated v1; a nurse starts a draft on it.
    template_service.activate_template(
        store, actors["admin"], str(templates_dir() / "vertebroplasty-v1.toml")
    )
    admin_page.template.refresh()
    draft = start(store, actors["nurse"], ["L2"])
    assert checklists.detail(store, actors["nurse"], draft)["template"]["version"] == "1"
    page = open_page(qtbot, store, actors["nurse"], draft)
    assert not find(page, "checklist.template_note").isVisible()  # v1 is the active version
    page.close()

    # The administrator reviews the bundled v2 before it is used.
    admin_page.tabs.setCurrentWidget(admin_page.template)
    assert child(admin_page, QLabel, "admin.template.version").text() == "1"
    upgrade = child(admin_page, QPushButton, "admin.template.upgrade")
    assert upgrade.isVisible() and upgrade.text() == "Review version 2…"
    click(qtbot, admin_page, "admin.template.upgrade")
    dialog = admin_page.template.confirm_dialog
    assert dialog is not None and dialog.isVisible()
    changes = [dialog.changes.item(i).text() for i in range(dialog.changes.count())]
    assert 'timeout.performed: "no" is a hard stop (Time-out not performed.)' in changes
    assert any(c.startswith('sedation.escort: "no" is a warning') for c in changes)
    assert any(c.startswith("item added: sedation.weight_kg") for c in changes)
    assert any("Clopidogrel 120 h" in c for c in changes)
    assert any(c.startswith("history.allergies: coded agents") for c in changes)
    assert "levels: more than 3 levels warn" in changes
    assert "levels: levels that are not adjacent warn" in changes
    assert child(admin_page, QLabel, "admin.template.version").text() == "1"  # not yet
    click(qtbot, dialog, "admin.template.activate")
    assert child(admin_page, QLabel, "admin.template.version").text() == "2"
    assert not upgrade.isVisible()

    # New checklists use v2; the v1 draft, opened again, says it continues on v1.
    fresh = start(store, actors["nurse"], ["L3"])
    assert checklists.detail(store, actors["nurse"], fresh)["template"]["version"] == "2"
    page = open_page(qtbot, store, actors["nurse"], draft)
    note = find(page, "checklist.template_note")
    assert note.isVisible()
    assert note.text() == (
        "Started on template version 1: this checklist continues on version 1. "
        "New checklists use version 2."
    )
    assert page.findChild(QPushButton, "history.allergies.latex") is None  # v1's typed field
    page.close()
    page = open_page(qtbot, store, actors["nurse"], fresh)
    assert not find(page, "checklist.template_note").isVisible()
