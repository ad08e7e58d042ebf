"""Services: each verb is one transaction plus one audit event; signing, hash chain, passwords."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from argon2 import PasswordHasher, Type, extract_parameters

from vpchecklist.canonical import GENESIS_HASH, canonical_json, chain_hash
from vpchecklist.errors import (
    AuthError,
    PasswordChangeRequired,
    RecordLocked,
    SignatureError,
    ValidationError,
)
from vpchecklist.services import Actor, auth, checklists, signing, users
from vpchecklist.store import Store
from vpchecklist.store.models import (
    Acknowledgement,
    Addendum,
    Answer,
    AnswerHistory,
    AuditEvent,
    Checklist,
    Signature,
    User,
)
from vpchecklist.templates import default_template

PW = {
    "admin": "admin-password-1",
    "nurse": "nurse-password-1",
    "physician": "physician-password-1",
}
REAL_HASHER = auth._hasher


@pytest.fixture(autouse=True)
def _quick_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cheap argon2id parameters keep these tests quick; the production ones are checked below."""
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024))


ACK = {"reason": "discussed with IR, proceed", "physician_informed": "Dr A. Radiologist"}


def _header(mrn: str = "MRN-0001", levels: tuple[str, ...] = ("L2",)) -> checklists.Header:
    raw = {
        "patient": {"name": "Jane Doe", "date_of_birth": "1948-03-02", "mrn": mrn},
        "levels": list(levels),
        "planned_start": "2026-03-10T10:00",
        "physician": "Dr A. Radiologist",
    }
    return checklists.parse_header(raw, default_template())


def _complete(store: Store, actor: Actor, vp: Any, mrn: str = "MRN-0001", **answers: Any) -> int:
    doc = vp.doc(["L2"], **answers)
    doc["patient"]["mrn"] = mrn
    return checklists.create_from_document(store, actor, doc)


def _events() -> list[AuditEvent]:
    return list(AuditEvent.select().order_by(AuditEvent.id))


def _one_new_event(action: Callable[[], Any]) -> AuditEvent:
    """Run ``action`` and assert it appended exactly one audit event; return that event."""
    before = AuditEvent.select().count()
    action()
    after = _events()
    assert len(after) == before + 1, [(e.action, e.outcome) for e in after[before:]]
    return after[-1]


# --- start, answer, N/A, acknowledge ----------------------------------------------------------


def test_start_checklist_stores_the_header_as_a_draft(
    store: Store, actors: dict[str, Actor]
) -> None:
    nurse = actors["nurse"]
    ids: list[int] = []
    event = _one_new_event(
        lambda: ids.append(checklists.start_checklist(store, nurse, _header(levels=("T12", "L1"))))
    )
    row = Checklist.get_by_id(ids[0])
    assert row.status == "draft"
    assert row.mrn == "MRN-0001"
    assert json.loads(row.levels) == ["T12", "L1"]
    assert row.created_by_id == nurse.id
    assert row.template_hash == default_template().content_hash
    assert (event.action, event.outcome, event.checklist_id) == ("create", "ok", ids[0])
    assert event.username == "nurse"
    assert Answer.select().where(Answer.checklist == ids[0]).count() == 0


def test_answer_keeps_history_old_to_new_with_who_and_when(
    store: Store, actors: dict[str, Actor]
) -> None:
    nurse, physician = actors["nurse"], actors["physician"]
    cid = checklists.start_checklist(store, nurse, _header())
    e1 = _one_new_event(lambda: checklists.answer(store, nurse, cid, "history.inr", 1.0))
    e2 = _one_new_event(lambda: checklists.answer(store, physician, cid, "history.inr", "1.2"))
    assert (e1.action, e1.checklist_id, e2.action) == ("answer", cid, "answer")
    assert e2.username == "physician"

    history = list(
        AnswerHistory.select()
        .where(AnswerHistory.checklist == cid, AnswerHistory.item_id == "history.inr")
        .order_by(AnswerHistory.id)
    )
    assert [(h.old_value, h.new_value) for h in history] == [(None, "1.0"), ("1.0", "1.2")]
    assert [h.changed_by_id for h in history] == [nurse.id, physician.id]
    assert all(h.changed_at.endswith("Z") for h in history)
    assert history[0].changed_at <= history[1].changed_at

    current = Answer.get(Answer.checklist == cid, Answer.item_id == "history.inr")
    assert current.value == "1.2"
    assert current.answered_by_id == physician.id

    shown = checklists.detail(store, nurse, cid)["history"]
    assert [(h["old"], h["new"], h["changed_by"]) for h in shown] == [
        (None, 1.0, "nurse"),
        (1.0, 1.2, "physician"),
    ]


def test_same_answer_again_changes_nothing(store: Store, actors: dict[str, Actor]) -> None:
    nurse = actors["nurse"]
    cid = checklists.start_checklist(store, nurse, _header())
    checklists.answer(store, nurse, cid, "consent.signed", "yes")
    checklists.answer(store, nurse, cid, "consent.signed", "yes")
    assert AnswerHistory.select().where(AnswerHistory.checklist == cid).count() == 1


def test_invalid_answer_is_refused_and_nothing_is_written(
    store: Store, actors: dict[str, Actor]
) -> None:
    nurse = actors["nurse"]
    cid = checklists.start_checklist(store, nurse, _header())
    for item, value in (
        ("history.inr", "abc"),
        ("sedation.baseline_spo2", 101),
        ("no.such_item", "yes"),
    ):
        with pytest.raises(ValidationError):
            checklists.answer(store, nurse, cid, item, value)
    assert Answer.select().where(Answer.checklist == cid).count() == 0
    assert AnswerHistory.select().where(AnswerHistory.checklist == cid).count() == 0
    refused = AuditEvent.select().where(AuditEvent.outcome == "refused").count()
    assert refused == 3


def test_mark_na_needs_a_reason_and_stores_it(store: Store, actors: dict[str, Actor]) -> None:
    nurse = actors["nurse"]
    cid = checklists.start_checklist(store, nurse, _header())
    with pytest.raises(ValidationError):
        checklists.mark_na(store, nurse, cid, "identity.site_marked", "   ")
    with pytest.raises(ValidationError):
        # consent.signed may not be marked N/A
        checklists.mark_na(store, nurse, cid, "consent.signed", "not applicable here")
    event = _one_new_event(
        lambda: checklists.mark_na(
            store, nurse, cid, "identity.site_marked", "marked under fluoroscopy"
        )
    )
    assert event.action == "mark_na"
    row = Answer.get(Answer.checklist == cid, Answer.item_id == "identity.site_marked")
    assert json.loads(row.value) == {"na": "marked under fluoroscopy"}
    assert Answer.get_or_none(Answer.checklist == cid, Answer.item_id == "consent.signed") is None


def test_acknowledge_records_reason_and_physician(
    store: Store, actors: dict[str, Actor], vp: Any
) -> None:
    nurse = actors["nurse"]
    cid = _complete(store, nurse, vp, history__inr=1.6)
    with pytest.raises(ValidationError, match="no warning"):
        checklists.acknowledge(store, nurse, cid, "history.platelets", "x", "Dr X")
    event = _one_new_event(
        lambda: checklists.acknowledge(
            store, nurse, cid, "history.inr", ACK["reason"], ACK["physician_informed"]
        )
    )
    assert (event.action, event.outcome) == ("acknowledge", "ok")
    ack = Acknowledgement.get(Acknowledgement.checklist == cid)
    assert (ack.item_id, ack.reason, ack.physician_informed) == (
        "history.inr",
        ACK["reason"],
        ACK["physician_informed"],
    )
    assert "INR" in ack.warning
    assert ack.acknowledged_by_id == nurse.id
    assert checklists.evaluation(store, nurse, cid).ready_to_sign


def test_acknowledgement_is_withdrawn_when_the_value_changes(
    store: Store, actors: dict[str, Actor], vp: Any
) -> None:
    nurse = actors["nurse"]
    cid = _complete(store, nurse, vp, history__inr=1.6)
    checklists.acknowledge(store, nurse, cid, "history.inr", ACK["reason"], "Dr A")
    assert checklists.evaluation(store, nurse, cid).ready_to_sign

    event = _one_new_event(lambda: checklists.answer(store, nurse, cid, "history.inr", 1.7))
    assert json.loads(event.detail)["acknowledgement_withdrawn"] is True
    assert Acknowledgement.select().where(Acknowledgement.checklist == cid).count() == 0
    ev = checklists.evaluation(store, nurse, cid)
    assert [w.item for w in ev.unacknowledged] == ["history.inr"]
    assert not ev.ready_to_sign
    with pytest.raises(SignatureError):
        signing.sign(store, nurse, cid, PW["nurse"], "ready")


def test_clear_answer_is_kept_in_history(store: Store, actors: dict[str, Actor]) -> None:
    nurse = actors["nurse"]
    cid = checklists.start_checklist(store, nurse, _header())
    checklists.answer(store, nurse, cid, "consent.signed", "yes")
    event = _one_new_event(lambda: checklists.clear_answer(store, nurse, cid, "consent.signed"))
    assert event.action == "clear_answer"
    last = AnswerHistory.select().order_by(AnswerHistory.id.desc()).first()
    assert (last.old_value, last.new_value) == ('"yes"', None)
    assert Answer.select().where(Answer.checklist == cid).count() == 0


def test_create_from_document_is_one_event_and_refuses_errors_whole(
    store: Store, actors: dict[str, Actor], vp: Any
) -> None:
    nurse = actors["nurse"]
    doc = vp.doc(["T12", "L1"], history__inr=1.6)
    doc["acknowledgements"] = {"history.inr": ACK}
    ids: list[int] = []
    event = _one_new_event(lambda: ids.append(checklists.create_from_document(store, nurse, doc)))
    assert event.action == "create"
    assert Answer.select().where(Answer.checklist == ids[0]).count() == len(doc["answers"])
    assert Acknowledgement.select().where(Acknowledgement.checklist == ids[0]).count() == 1

    before = (Checklist.select().count(), Answer.select().count())
    bad = vp.doc(["L2"], sedation__baseline_spo2=101)
    with pytest.raises(ValidationError):
        checklists.create_from_document(store, nurse, bad)
    assert (Checklist.select().count(), Answer.select().count()) == before


# --- signing ------------------------------------------------------------------------------


def test_sign_ready_when_complete(store: Store, actors: dict[str, Actor], vp: Any) -> None:
    nurse = actors["nurse"]
    cid = _complete(store, nurse, vp)
    hashes: list[str] = []
    event = _one_new_event(
        lambda: hashes.append(signing.sign(store, nurse, cid, PW["nurse"], "ready"))
    )
    assert (event.action, event.outcome, event.checklist_id) == ("sign", "ok", cid)
    row = Checklist.get_by_id(cid)
    assert row.status == "signed"
    assert row.signed_by_name == nurse.full_name
    assert row.signed_at
    sig = Signature.get(Signature.checklist == cid)
    assert (sig.meaning, sig.printed_name, sig.role, sig.signer_id) == (
        "ready",
        nurse.full_name,
        "nurse",
        nurse.id,
    )
    assert sig.record_hash == hashes[0]
    assert signing.verify_chain(store) == []


def test_sign_ready_blocked_by_missing_items(store: Store, actors: dict[str, Actor]) -> None:
    nurse = actors["nurse"]
    cid = checklists.start_checklist(store, nurse, _header())
    checklists.answer(store, nurse, cid, "consent.signed", "yes")
    with pytest.raises(SignatureError) as caught:
        signing.sign(store, nurse, cid, PW["nurse"], "ready")
    assert "missing: timeout.performed" in caught.value.blockers
    assert "missing: consent.signed" not in caught.value.blockers
    assert Checklist.get_by_id(cid).status == "draft"
    assert Signature.select().count() == 0


def test_sign_ready_blocked_by_stops(store: Store, actors: dict[str, Actor], vp: Any) -> None:
    nurse = actors["nurse"]
    cid = _complete(store, nurse, vp, consent__signed="no", history__active_infection="yes")
    with pytest.raises(SignatureError) as caught:
        signing.sign(store, nurse, cid, PW["nurse"], "ready")
    blockers = caught.value.blockers
    assert any(b.startswith("hard stop on consent.signed") for b in blockers), blockers
    assert any(b.startswith("hard stop on history.active_infection") for b in blockers), blockers
    assert not any(b.startswith("missing") for b in blockers)
    assert Checklist.get_by_id(cid).status == "draft"
    refusal = AuditEvent.select().order_by(AuditEvent.id.desc()).first()
    assert (refusal.action, refusal.outcome, refusal.checklist_id) == ("sign", "refused", cid)


def test_sign_ready_blocked_by_unacknowledged_warning(
    store: Store, actors: dict[str, Actor], vp: Any
) -> None:
    nurse = actors["nurse"]
    cid = _complete(store, nurse, vp, history__platelets=49)
    with pytest.raises(SignatureError) as caught:
        signing.sign(store, nurse, cid, PW["nurse"], "ready")
    assert [b for b in caught.value.blockers if "history.platelets" in b] == [
        b for b in caught.value.blockers if b.startswith("warning not acknowledged")
    ]
    assert len(caught.value.blockers) == 1
    checklists.acknowledge(store, nurse, cid, "history.platelets", ACK["reason"], "Dr A")
    signing.sign(store, nurse, cid, PW["nurse"], "ready")
    assert Checklist.get_by_id(cid).status == "signed"


def test_postponed_requires_a_reason_and_closes_a_stopped_checklist(
    store: Store, actors: dict[str, Actor], vp: Any
) -> None:
    physician = actors["physician"]
    cid = _complete(store, physician, vp, consent__signed="no")
    for reason in (None, "", "   "):
        with pytest.raises(ValidationError, match="reason"):
            signing.sign(store, physician, cid, PW["physician"], "postponed", reason)
    assert Checklist.get_by_id(cid).status == "draft"
    event = _one_new_event(
        lambda: signing.sign(
            store, physician, cid, PW["physician"], "postponed", "consent not signed; rebooked"
        )
    )
    assert event.action == "sign"
    row = Checklist.get_by_id(cid)
    assert row.status == "postponed"
    sig = Signature.get(Signature.checklist == cid)
    assert (sig.meaning, sig.reason) == ("postponed", "consent not signed; rebooked")
    assert json.loads(sig.content)["signature"]["reason"] == "consent not signed; rebooked"


def test_unknown_meaning_is_refused(store: Store, actors: dict[str, Actor], vp: Any) -> None:
    nurse = actors["nurse"]
    cid = _complete(store, nurse, vp)
    with pytest.raises(ValidationError):
        signing.sign(store, nurse, cid, PW["nurse"], "approved")
    assert Checklist.get_by_id(cid).status == "draft"


def test_signed_record_is_immutable_through_the_services(
    store: Store, actors: dict[str, Actor], vp: Any
) -> None:
    nurse = actors["nurse"]
    cid = _complete(store, nurse, vp, history__inr=1.6)
    checklists.acknowledge(store, nurse, cid, "history.inr", ACK["reason"], "Dr A")
    signing.sign(store, nurse, cid, PW["nurse"], "ready")
    answers_before = [(a.item_id, a.value) for a in Answer.select().order_by(Answer.id)]
    attempts: list[Callable[[], Any]] = [
        lambda: checklists.answer(store, nurse, cid, "consent.signed", "no"),
        lambda: checklists.mark_na(store, nurse, cid, "identity.site_marked", "reason here"),
        lambda: checklists.clear_answer(store, nurse, cid, "consent.signed"),
        lambda: checklists.acknowledge(store, nurse, cid, "history.inr", "new reason", "Dr B"),
        lambda: signing.sign(store, nurse, cid, PW["nurse"], "ready"),
        lambda: signing.sign(store, nurse, cid, PW["nurse"], "postponed", "changed my mind"),
    ]
    for attempt in attempts:
        before = AuditEvent.select().count()
        with pytest.raises(RecordLocked):
            attempt()
        refusal = AuditEvent.select().order_by(AuditEvent.id.desc()).first()
        assert AuditEvent.select().count() == before + 1
        assert (refusal.outcome, refusal.checklist_id) == ("refused", cid)
    assert [(a.item_id, a.value) for a in Answer.select().order_by(Answer.id)] == answers_before
    assert Signature.select().count() == 1
    assert Checklist.get_by_id(cid).status == "signed"
    assert signing.verify_chain(store) == []


def test_addendum_is_signed_and_chained(store: Store, actors: dict[str, Actor], vp: Any) -> None:
    nurse, physician = actors["nurse"], actors["physician"]
    cid = _complete(store, nurse, vp)
    draft = _complete(store, nurse, vp)
    first = signing.sign(store, nurse, cid, PW["nurse"], "ready")
    with pytest.raises(ValidationError):
        signing.add_addendum(store, nurse, draft, "a note", PW["nurse"])
    with pytest.raises(ValidationError):
        signing.add_addendum(store, nurse, cid, "   ", PW["nurse"])
    hashes: list[str] = []
    event = _one_new_event(
        lambda: hashes.append(
            signing.add_addendum(
                store, physician, cid, "Level confirmed again on CT.", PW["physician"]
            )
        )
    )
    assert (event.action, event.checklist_id) == ("addendum", cid)
    addendum = Addendum.get(Addendum.checklist == cid)
    assert addendum.text == "Level confirmed again on CT."
    sig = Signature.get(Signature.addendum == addendum.id)
    assert sig.meaning == "addendum"
    assert sig.prev_hash == first
    assert json.loads(sig.content)["references"] == first
    assert signing.record_hash(store, cid) == hashes[0]
    assert Checklist.get_by_id(cid).status == "signed"
    assert signing.verify_chain(store) == []


# --- hash chain and canonical form --------------------------------------------------------


def test_hash_chain_links_signatures(store: Store, actors: dict[str, Actor], vp: Any) -> None:
    nurse = actors["nurse"]
    a = _complete(store, nurse, vp, mrn="A")
    b = _complete(store, nurse, vp, mrn="B")
    c = _complete(store, nurse, vp, consent__signed="no")
    ha = signing.sign(store, nurse, a, PW["nurse"], "ready")
    hb = signing.sign(store, nurse, b, PW["nurse"], "ready")
    hc = signing.sign(store, nurse, c, PW["nurse"], "postponed", "no consent")
    sigs = list(Signature.select().order_by(Signature.seq))
    assert [s.seq for s in sigs] == [1, 2, 3]
    assert [s.checklist_id for s in sigs] == [a, b, c]
    assert sigs[0].prev_hash == GENESIS_HASH
    assert sigs[1].prev_hash == sigs[0].record_hash == ha
    assert sigs[2].prev_hash == sigs[1].record_hash == hb
    assert sigs[2].record_hash == hc
    for s in sigs:
        expected = hashlib.sha256(f"{s.prev_hash}\n{s.content}".encode()).hexdigest()
        assert s.record_hash == expected == chain_hash(s.prev_hash, s.content)
        assert len(s.record_hash) == 64


def test_signed_content_is_canonical_and_complete(
    store: Store, actors: dict[str, Actor], vp: Any
) -> None:
    nurse = actors["nurse"]
    cid = _complete(store, nurse, vp)
    signing.sign(store, nurse, cid, PW["nurse"], "ready")
    sig = Signature.get(Signature.checklist == cid)
    content = json.loads(sig.content)
    # Stored text is exactly the canonical form of its own parse (sorted, no whitespace).
    assert canonical_json(content) == sig.content
    assert content["type"] == "record"
    assert content["checklist_id"] == cid
    assert content["header"]["patient"]["mrn"] == "MRN-0001"
    assert content["template"]["hash"] == default_template().content_hash
    signed_answers = {a["item"]: a["value"] for a in content["answers"]}
    stored = {
        a.item_id: json.loads(a.value) for a in Answer.select().where(Answer.checklist == cid)
    }
    assert signed_answers == stored
    block = content["signature"]
    assert (block["signer"], block["printed_name"], block["role"], block["meaning"]) == (
        "nurse",
        nurse.full_name,
        "nurse",
        "ready",
    )
    assert block["meaning_text"] == signing.MEANINGS["ready"]


def test_canonical_json_is_stable() -> None:
    a = {"b": [3, {"z": 1, "y": "ü—Ł"}], "a": 1.5, "c": None, "d": True}
    b = {"d": True, "c": None, "a": 1.5, "b": [3, {"y": "ü—Ł", "z": 1}]}
    text = canonical_json(a)
    assert text == canonical_json(b)
    assert text == '{"a":1.5,"b":[3,{"y":"ü—Ł","z":1}],"c":null,"d":true}'
    assert canonical_json(json.loads(text)) == text
    digest = chain_hash(GENESIS_HASH, text)
    assert digest == hashlib.sha256(f"{'0' * 64}\n{text}".encode()).hexdigest()
    with pytest.raises(ValueError):
        canonical_json({"x": float("nan")})


# --- passwords, lockout, disabled users ---------------------------------------------------


def test_wrong_password_at_signing_is_refused_and_counted(
    store: Store, actors: dict[str, Actor], vp: Any
) -> None:
    nurse = actors["nurse"]
    cid = _complete(store, nurse, vp)
    with pytest.raises(AuthError):
        signing.sign(store, nurse, cid, "not-the-password", "ready")
    assert Checklist.get_by_id(cid).status == "draft"
    assert Signature.select().count() == 0
    assert User.get_by_id(nurse.id).failed_attempts == 1
    failed = AuditEvent.select().where(
        AuditEvent.username == "nurse", AuditEvent.outcome == "failed"
    )
    assert [e.action for e in failed] == ["sign_reauth"]
    refused = AuditEvent.select().where(
        AuditEvent.action == "sign", AuditEvent.outcome == "refused"
    )
    assert [e.checklist_id for e in refused] == [cid]
    # The right password afterwards signs, and resets the counter.
    signing.sign(store, nurse, cid, PW["nurse"], "ready")
    assert User.get_by_id(nurse.id).failed_attempts == 0


def test_five_failures_lock_the_account_until_it_expires(
    store: Store, actors: dict[str, Actor]
) -> None:
    for attempt in range(auth.MAX_FAILED_ATTEMPTS):
        assert User.get_by_id(actors["nurse"].id).locked_until is None, attempt
        with pytest.raises(AuthError, match="Wrong"):
            auth.authenticate(store, "nurse", "wrong-password-x")
    user = User.get_by_id(actors["nurse"].id)
    assert user.locked_until is not None
    until = datetime.strptime(user.locked_until, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    assert timedelta(minutes=14) < until - datetime.now(UTC) <= timedelta(minutes=15)
    assert AuditEvent.select().where(AuditEvent.action == "lockout").count() == 1

    # Locked: even the right password is refused, and the refusal is audited.
    with pytest.raises(AuthError, match="locked"):
        auth.authenticate(store, "nurse", PW["nurse"])
    last = AuditEvent.select().order_by(AuditEvent.id.desc()).first()
    assert (last.username, last.action, last.outcome) == ("nurse", "login", "refused")

    # The lock expires.
    past = (datetime.now(UTC) - timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    User.update(locked_until=past).where(User.id == actors["nurse"].id).execute()
    actor = auth.authenticate(store, "nurse", PW["nurse"])
    assert actor.username == "nurse"


def test_failures_at_signing_share_the_lockout_counter(
    store: Store, actors: dict[str, Actor], vp: Any
) -> None:
    nurse = actors["nurse"]
    cid = _complete(store, nurse, vp)
    for _ in range(auth.MAX_FAILED_ATTEMPTS):
        with pytest.raises(AuthError):
            signing.sign(store, nurse, cid, "wrong-password-x", "ready")
    with pytest.raises(AuthError, match="locked"):
        signing.sign(store, nurse, cid, PW["nurse"], "ready")
    assert Checklist.get_by_id(cid).status == "draft"


def test_password_policy_minimum_length(store: Store, actors: dict[str, Actor]) -> None:
    admin = actors["admin"]
    with pytest.raises(ValidationError, match="10"):
        users.add_user(store, admin, "shorty", "nurse", "Short Pw", "9-chars!!")
    assert User.get_or_none(User.username == "shorty") is None
    users.add_user(store, admin, "tenner", "nurse", "Ten Chars", "10-chars!!")
    assert User.get(User.username == "tenner").role == "nurse"


def test_passwords_are_stored_as_argon2id(store: Store, actors: dict[str, Actor]) -> None:
    for user in User.select():
        assert user.password_hash.startswith("$argon2id$"), user.username
        assert PW.get(user.username, "never-stored") not in user.password_hash


def test_production_hasher_is_argon2id_at_owasp_minimum(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(auth, "_hasher", REAL_HASHER)
    digest = auth.hash_password("a-password-1")
    assert digest.startswith("$argon2id$")
    params = extract_parameters(digest)
    assert params.type is Type.ID
    assert params.memory_cost >= 19456
    assert params.time_cost >= 2
    assert auth.hash_password("a-password-1") != digest  # salted


def test_disabled_user_cannot_sign_in(store: Store, actors: dict[str, Actor], vp: Any) -> None:
    nurse = actors["nurse"]
    cid = _complete(store, nurse, vp)
    event = _one_new_event(lambda: users.disable_user(store, actors["admin"], "nurse"))
    assert event.action == "user_disable"
    with pytest.raises(AuthError, match="disabled"):
        auth.authenticate(store, "nurse", PW["nurse"])
    # An open session of a disabled user cannot sign either.
    with pytest.raises(AuthError):
        signing.sign(store, nurse, cid, PW["nurse"], "ready")
    assert Checklist.get_by_id(cid).status == "draft"


def test_unknown_user_is_refused_and_audited(store: Store, actors: dict[str, Actor]) -> None:
    with pytest.raises(AuthError, match="Wrong"):
        auth.authenticate(store, "nobody", "whatever-password")
    last = AuditEvent.select().order_by(AuditEvent.id.desc()).first()
    assert (last.username, last.outcome) == ("nobody", "refused")


def test_admin_set_password_must_be_changed(store: Store, actors: dict[str, Actor]) -> None:
    users.add_user(store, actors["admin"], "newbie", "nurse", "New Bie", "initial-pass-1")
    with pytest.raises(PasswordChangeRequired):
        auth.authenticate(store, "newbie", "initial-pass-1")
    auth.change_password(store, "newbie", "initial-pass-1", "my-own-pass-1")
    assert auth.authenticate(store, "newbie", "my-own-pass-1").username == "newbie"


def test_user_administration_is_one_event_each(store: Store, actors: dict[str, Actor]) -> None:
    admin = actors["admin"]
    e = _one_new_event(
        lambda: users.add_user(store, admin, "extra", "physician", "Dr Extra", "extra-pass-1")
    )
    assert (e.action, e.username) == ("user_add", "admin")
    assert _one_new_event(lambda: users.disable_user(store, admin, "extra")).action == (
        "user_disable"
    )
    assert _one_new_event(lambda: users.enable_user(store, admin, "extra")).action == (
        "user_enable"
    )
    assert _one_new_event(
        lambda: users.reset_password(store, admin, "extra", "reset-pass-12")
    ).action == ("password_reset")


def test_search_and_count(store: Store, actors: dict[str, Actor], vp: Any) -> None:
    nurse = actors["nurse"]
    a = _complete(store, nurse, vp)
    b = checklists.start_checklist(store, nurse, _header(mrn="MRN-0002"))
    signing.sign(store, nurse, a, PW["nurse"], "ready")
    rows = checklists.search(store, nurse)
    assert {r["id"] for r in rows} == {a, b}
    signed = checklists.search(store, nurse, checklists.Filters(status="signed"))
    assert [(r["id"], r["signed_by"]) for r in signed] == [(a, nurse.full_name)]
    by_mrn = checklists.search(store, nurse, checklists.Filters(mrn="MRN-0002"))
    assert [r["id"] for r in by_mrn] == [b]
    assert checklists.count(store, nurse, checklists.Filters(status="draft")) == 1
    assert len(checklists.search(store, nurse, limit=1)) == 1
