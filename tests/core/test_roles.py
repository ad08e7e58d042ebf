"""Roles are enforced in the services (not only in the UI), and every refusal is audited."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from argon2 import PasswordHasher

from vpchecklist.errors import PermissionDenied
from vpchecklist.services import Actor, audit, auth, checklists, signing, users
from vpchecklist.store import Store
from vpchecklist.store.models import (
    Acknowledgement,
    Addendum,
    Answer,
    AuditEvent,
    Checklist,
    Signature,
    User,
)

PW = {
    "admin": "admin-password-1",
    "nurse": "nurse-password-1",
    "physician": "physician-password-1",
    "auditor": "auditor-password-1",
}
ACK = ("discussed with IR", "Dr A. Radiologist")


@pytest.fixture(autouse=True)
def _quick_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cheap argon2id parameters keep these tests quick (test_services checks the real ones)."""
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024))


@pytest.fixture
def records(store: Store, actors: dict[str, Actor], vp: Any) -> dict[str, int]:
    """A draft with an unacknowledged warning, and a signed record, made by the nurse."""
    nurse = actors["nurse"]
    draft = checklists.create_from_document(store, nurse, vp.doc(["L2"], history__inr=1.6))
    signed = checklists.create_from_document(store, nurse, vp.doc(["T12", "L1"]))
    signing.sign(store, nurse, signed, PW["nurse"], "ready")
    return {"draft": draft, "signed": signed}


def _content(store: Store) -> tuple[int, ...]:
    models = (Checklist, Answer, Acknowledgement, Signature, Addendum, User)
    return tuple(m.select().count() for m in models)


def _assert_refused_and_audited(
    store: Store, actor: Actor, verb: str, call: Callable[[], Any], checklist_id: int | None
) -> None:
    before_content = _content(store)
    before_events = AuditEvent.select().count()
    with pytest.raises(PermissionDenied) as caught:
        call()
    assert actor.role in str(caught.value)
    new = list(AuditEvent.select().where(AuditEvent.id > before_events).order_by(AuditEvent.id))
    assert [(e.username, e.action, e.outcome, e.checklist_id) for e in new] == [
        (actor.username, verb, "refused", checklist_id)
    ]
    assert _content(store) == before_content


def _clinical_calls(
    store: Store, actor: Actor, vp: Any, records: dict[str, int]
) -> list[tuple[str, Callable[[], Any], int | None]]:
    draft, signed = records["draft"], records["signed"]
    header = checklists.parse_header(vp.doc(["L2"]), checklists.active_template())
    password = PW[actor.role]
    return [
        ("create", lambda: checklists.start_checklist(store, actor, header), None),
        ("create", lambda: checklists.create_from_document(store, actor, vp.doc(["L2"])), None),
        ("answer", lambda: checklists.answer(store, actor, draft, "consent.signed", "yes"), draft),
        (
            "answer",
            lambda: checklists.mark_na(store, actor, draft, "identity.site_marked", "per policy"),
            draft,
        ),
        ("answer", lambda: checklists.clear_answer(store, actor, draft, "consent.signed"), draft),
        (
            "acknowledge",
            lambda: checklists.acknowledge(store, actor, draft, "history.inr", *ACK),
            draft,
        ),
        ("sign", lambda: signing.sign(store, actor, draft, password, "ready"), draft),
        (
            "sign",
            lambda: signing.sign(store, actor, draft, password, "postponed", "a reason"),
            draft,
        ),
        (
            "addendum",
            lambda: signing.add_addendum(store, actor, signed, "a note", password),
            signed,
        ),
    ]


@pytest.mark.parametrize("role", ["auditor", "admin"])
def test_auditor_and_admin_cannot_create_answer_acknowledge_or_sign(
    store: Store, actors: dict[str, Actor], vp: Any, records: dict[str, int], role: str
) -> None:
    actor = actors[role]
    calls = _clinical_calls(store, actor, vp, records)
    for verb, call, checklist_id in calls:
        _assert_refused_and_audited(store, actor, verb, call, checklist_id)
    assert Checklist.get_by_id(records["draft"]).status == "draft"
    assert User.get_by_id(actor.id).failed_attempts == 0


def test_nurse_cannot_manage_users(store: Store, actors: dict[str, Actor]) -> None:
    nurse = actors["nurse"]
    calls: list[tuple[str, Callable[[], Any]]] = [
        ("manage_users", lambda: users.add_user(store, nurse, "x1", "admin", "X", "a-password-1")),
        ("manage_users", lambda: users.list_users(store, nurse)),
        ("manage_users", lambda: users.disable_user(store, nurse, "physician")),
        ("manage_users", lambda: users.enable_user(store, nurse, "physician")),
        ("manage_users", lambda: users.reset_password(store, nurse, "admin", "b-password-1")),
    ]
    for verb, call in calls:
        _assert_refused_and_audited(store, nurse, verb, call, None)
    assert User.get(User.username == "physician").active
    assert User.get_or_none(User.username == "x1") is None


@pytest.mark.parametrize("role", ["physician", "auditor"])
def test_other_roles_cannot_manage_users_either(
    store: Store, actors: dict[str, Actor], role: str
) -> None:
    actor = actors[role]
    _assert_refused_and_audited(
        store,
        actor,
        "manage_users",
        lambda: users.add_user(store, actor, "x2", "admin", "X", "a-password-1"),
        None,
    )


def test_nurse_and_physician_cannot_read_the_full_audit_log(
    store: Store, actors: dict[str, Actor]
) -> None:
    for role in ("nurse", "physician"):
        actor = actors[role]
        _assert_refused_and_audited(
            store, actor, "audit_log", lambda a=actor: audit.events(store, a), None
        )


def test_auditor_can_read_and_search(
    store: Store, actors: dict[str, Actor], records: dict[str, int]
) -> None:
    auditor = actors["auditor"]
    rows = checklists.search(store, auditor)
    assert {r["id"] for r in rows} == set(records.values())
    signed = checklists.search(store, auditor, checklists.Filters(status="signed"))
    assert [r["id"] for r in signed] == [records["signed"]]
    assert checklists.count(store, auditor) == 2
    detail = checklists.detail(store, auditor, records["signed"])
    assert detail["record_hash"] == signing.record_hash(store, records["signed"])
    assert detail["signatures"][0]["signer"] == "nurse"
    assert not checklists.evaluation(store, auditor, records["draft"]).ready_to_sign
    log = audit.events(store, auditor)
    assert any(e["action"] == "sign" and e["checklist_id"] == records["signed"] for e in log)
    per_record = audit.events(store, auditor, records["signed"])
    assert per_record and all(e["checklist_id"] == records["signed"] for e in per_record)


def test_admin_manages_users_but_cannot_read_checklists(
    store: Store, actors: dict[str, Actor], records: dict[str, int]
) -> None:
    admin = actors["admin"]
    names = [u["username"] for u in users.list_users(store, admin)]
    assert names == sorted(["admin", "nurse", "physician", "auditor"])
    _assert_refused_and_audited(
        store,
        admin,
        "read",
        lambda: checklists.detail(store, admin, records["signed"]),
        records["signed"],
    )


def test_clinical_roles_can_do_the_clinical_work(
    store: Store, actors: dict[str, Actor], vp: Any
) -> None:
    for role in ("nurse", "physician"):
        actor = actors[role]
        cid = checklists.create_from_document(store, actor, vp.doc(["L2"], history__inr=1.6))
        checklists.acknowledge(store, actor, cid, "history.inr", *ACK)
        signing.sign(store, actor, cid, PW[role], "ready")
        signing.add_addendum(store, actor, cid, f"note by {role}", PW[role])
        assert Checklist.get_by_id(cid).status == "signed"
    assert AuditEvent.select().where(AuditEvent.outcome == "refused").count() == 0
