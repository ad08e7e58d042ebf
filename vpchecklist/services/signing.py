"""Electronic signatures (21 CFR Part 11 §11.50/§11.70 as the model) and the hash chain.

A signature is bound to its record: the canonical JSON of what was signed is stored with the
signature, hashed together with the previous signature's hash. ``verify_chain`` recomputes the
content from the live rows, so an edit anywhere in signed content shows up as a broken link.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from vpchecklist.canonical import GENESIS_HASH, canonical_json, chain_hash
from vpchecklist.clock import utc_now
from vpchecklist.errors import ReviewOutdated, SignatureError, ValidationError
from vpchecklist.rules import Evaluation
from vpchecklist.rules.values import clean_text
from vpchecklist.services import audit
from vpchecklist.services.actors import Actor
from vpchecklist.services.auth import check_credentials
from vpchecklist.services.metrics import keep_summary
from vpchecklist.services.records import draft_checklist, evaluate_stored, get_checklist
from vpchecklist.services.retries import RetryNotice, new_request_id, with_retries
from vpchecklist.services.signed_content import (
    MEANINGS,
    UserNames,
    addendum_content,
    record_content,
    reviewed_sha256,
    signature_block,
)
from vpchecklist.services.verbs import performing
from vpchecklist.store import Store
from vpchecklist.store.models import (
    Addendum,
    AuditEvent,
    Checklist,
    Signature,
    User,
)


def _actor_block(actor: Actor, meaning: str, reason: str | None, signed_at: str) -> dict[str, Any]:
    return signature_block(actor.username, actor.full_name, actor.role, meaning, reason, signed_at)


def _append(
    checklist_id: int,
    actor: Actor,
    meaning: str,
    reason: str | None,
    signed_at: str,
    content: dict[str, Any],
    addendum_id: int | None,
    request_id: str,
) -> Signature:
    last = Signature.select().order_by(Signature.seq.desc()).first()
    prev_hash = last.record_hash if last else GENESIS_HASH
    text = canonical_json(content)
    return Signature.create(
        seq=(last.seq + 1) if last else 1,
        checklist=checklist_id,
        addendum=addendum_id,
        signer=actor.id,
        printed_name=actor.full_name,
        role=actor.role,
        meaning=meaning,
        reason=reason,
        signed_at=signed_at,
        content=text,
        prev_hash=prev_hash,
        record_hash=chain_hash(prev_hash, text),
        request_id=request_id,
    )


def _signed_before(checklist_id: int, request_id: str) -> str | None:
    """The record hash of the signature an earlier attempt with ``request_id`` committed (its
    reply was lost with the connection), so a retry returns it instead of signing twice."""
    done = Signature.get_or_none(
        Signature.request_id == request_id, Signature.checklist == checklist_id
    )
    return None if done is None else str(done.record_hash)


def _reason_for(meaning: str, reason: str | None) -> str | None:
    """The signature's reason: required when postponing, optional (but clean) otherwise."""
    if meaning not in ("ready", "postponed"):
        raise ValidationError("meaning", 'the meaning must be "ready" or "postponed"')
    if meaning == "postponed":
        if not (isinstance(reason, str) and reason.strip()):
            raise ValidationError("reason", "closing as postponed needs a reason")
        return clean_text("reason", reason, "the reason")
    if reason is not None and str(reason).strip():
        return clean_text("reason", reason, "the reason")
    return None


def _check_signable(checklist: Checklist, meaning: str) -> Evaluation:
    """The draft's evaluation when it may be closed with ``meaning``; else what blocks it."""
    ev = evaluate_stored(checklist)
    if meaning == "ready" and not ev.ready_to_sign:
        raise SignatureError(
            f"Checklist {checklist.id} cannot be signed as ready: "
            + "; ".join(ev.blockers())
            + ".",
            ev.blockers(),
        )
    if meaning == "postponed" and ev.errors:
        raise SignatureError(
            f"Checklist {checklist.id} has invalid answers; correct them first.", ev.blockers()
        )
    return ev


def sign(
    store: Store,
    actor: Actor,
    checklist_id: int,
    password: str,
    meaning: str,
    reason: str | None = None,
    expect: str | None = None,
    request_id: str | None = None,
    notice: RetryNotice | None = None,
) -> str:
    """Sign a draft as ``ready`` or ``postponed`` (with a reason); returns the record hash.

    The password is checked again (re-authentication); failures count towards the lockout.
    ``expect`` is the ``content_sha256`` of the draft the signer reviewed: when the live rows
    differ (another workstation changed an answer meanwhile) nothing is signed.

    ``request_id`` (made by the caller once per signature; one is made here when None) is
    stored with the signature: after a lost connection the signature is retried (``notice``
    hears the sentence first) and an attempt that had committed is returned, never repeated.
    """
    rid = request_id or new_request_id()
    return with_retries(
        lambda: _sign_once(store, actor, checklist_id, password, meaning, reason, expect, rid),
        "signature",
        notice,
    )


def _sign_once(
    store: Store,
    actor: Actor,
    checklist_id: int,
    password: str,
    meaning: str,
    reason: str | None,
    expect: str | None,
    request_id: str,
) -> str:
    with performing(store, actor, "sign", checklist_id):
        reason_text = _reason_for(meaning, reason)
        check_credentials(store, actor.username, password, "sign_reauth")
        with store.transaction():
            earlier = _signed_before(checklist_id, request_id)
            if earlier is not None:
                return earlier
            checklist = draft_checklist(checklist_id)
            signed_at = utc_now()
            block = _actor_block(actor, meaning, reason_text, signed_at)
            content = record_content(checklist, block)
            if expect is not None and reviewed_sha256(content) != expect.strip().lower():
                raise ReviewOutdated(
                    f"Checklist {checklist_id}: the checklist changed since you reviewed it; "
                    "nothing was signed. Review it again, then sign."
                )
            ev = _check_signable(checklist, meaning)
            signature = _append(
                checklist_id, actor, meaning, reason_text, signed_at, content, None, request_id
            )
            Checklist.update(
                status="signed" if meaning == "ready" else "postponed",
                signed_by_name=actor.full_name,
                signed_at=signed_at,
                updated_at=signed_at,
                warning_count=len(ev.warnings),
            ).where(Checklist.id == checklist_id).execute()
            audit.record(
                actor.username,
                "sign",
                checklist_id=checklist_id,
                meaning=meaning,
                seq=signature.seq,
                record_hash=signature.record_hash,
                warning_count=len(ev.warnings),  # audit verify checks the list's copy
                **keep_summary(checklist_id, [stop.item for stop in ev.stops]),
            )
            return str(signature.record_hash)


def add_addendum(
    store: Store,
    actor: Actor,
    checklist_id: int,
    text: str,
    password: str,
    request_id: str | None = None,
    notice: RetryNotice | None = None,
) -> str:
    """A signed correction or note on a closed record; the original stays as it was.
    Retried after a lost connection and never signed twice, like ``sign``."""
    rid = request_id or new_request_id()
    return with_retries(
        lambda: _add_addendum_once(store, actor, checklist_id, text, password, rid),
        "signature",
        notice,
    )


def _add_addendum_once(
    store: Store, actor: Actor, checklist_id: int, text: str, password: str, request_id: str
) -> str:
    with performing(store, actor, "addendum", checklist_id):
        body = clean_text("addendum", text, "the addendum", 4000)
        check_credentials(store, actor.username, password, "sign_reauth")
        with store.transaction():
            earlier = _signed_before(checklist_id, request_id)
            if earlier is not None:
                return earlier
            checklist = get_checklist(checklist_id)
            if checklist.status == "draft":
                raise ValidationError(
                    None, f"Checklist {checklist_id} is a draft: change it directly."
                )
            previous = (
                Signature.select()
                .where(Signature.checklist == checklist_id)
                .order_by(Signature.seq.desc())
                .first()
            )
            now = utc_now()
            addendum = Addendum.create(
                checklist=checklist_id, text=body, author=actor.id, created_at=now
            )
            block = _actor_block(actor, "addendum", None, now)
            content = addendum_content(addendum, previous.record_hash, block)
            signature = _append(
                checklist_id, actor, "addendum", None, now, content, addendum.id, request_id
            )
            audit.record(
                actor.username,
                "addendum",
                checklist_id=checklist_id,
                seq=signature.seq,
                record_hash=signature.record_hash,
            )
            return str(signature.record_hash)


def signatures_of(checklist_id: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    signatures = []
    addenda = []
    for s in Signature.select().where(Signature.checklist == checklist_id).order_by(Signature.seq):
        user = User.get_or_none(User.id == s.signer_id)
        entry = {
            "seq": s.seq,
            "signer": user.username if user else None,
            "printed_name": s.printed_name,
            "role": s.role,
            "meaning": s.meaning,
            "meaning_text": MEANINGS.get(s.meaning, s.meaning),
            "reason": s.reason,
            "signed_at": s.signed_at,
            "record_hash": s.record_hash,
            "prev_hash": s.prev_hash,
        }
        signatures.append(entry)
        if s.addendum_id is not None:
            a = Addendum.get_or_none(Addendum.id == s.addendum_id)
            addenda.append(
                {
                    "id": s.addendum_id,
                    "text": a.text if a else None,
                    "created_at": a.created_at if a else None,
                    "signature": entry,
                }
            )
    return signatures, addenda


def record_hash(store: Store, checklist_id: int) -> str | None:
    """The hash of a checklist's newest signature (changes when an addendum is signed)."""
    with store.reading():
        last = (
            Signature.select(Signature.record_hash)
            .where(Signature.checklist == checklist_id)
            .order_by(Signature.seq.desc())
            .first()
        )
    return last.record_hash if last else None


def _expected_content(signature: Signature, references: dict[int, str]) -> str | None:
    """The canonical content the signature should cover, rebuilt from the live rows with the
    same builders signing used; None when its record or addendum is gone."""
    checklist = Checklist.get_or_none(Checklist.id == signature.checklist_id)
    if checklist is None:
        return None
    block = signature_block(
        UserNames()(signature.signer_id),
        signature.printed_name,
        signature.role,
        signature.meaning,
        signature.reason,
        signature.signed_at,
    )
    if signature.addendum_id is None:
        return canonical_json(record_content(checklist, block))
    addendum = Addendum.get_or_none(Addendum.id == signature.addendum_id)
    if addendum is None:
        return None
    stored = json.loads(signature.content)
    ref = references.get(signature.checklist_id, stored.get("references"))
    return canonical_json(addendum_content(addendum, ref or "", block))


Report = Callable[[int | None, str], None]


def _hashes_at_signing() -> dict[int, str]:
    """Each signature's hash as the audit log kept it at signing: a record forged and re-hashed
    afterwards (even the newest, which no later link protects) differs from it."""
    logged: dict[int, str] = {}
    for event in AuditEvent.select().where(
        AuditEvent.action.in_(["sign", "addendum"]), AuditEvent.outcome == "ok"
    ):
        detail = json.loads(event.detail) if event.detail else {}
        if isinstance(detail.get("seq"), int) and isinstance(detail.get("record_hash"), str):
            logged[detail["seq"]] = detail["record_hash"]
    return logged


def _check_link(
    s: Signature, expected_seq: int, prev_hash: str, prev_checklist: int | None, report: Report
) -> None:
    """The signature's place in the chain: no gap before it, chained to the one before."""
    cid = s.checklist_id
    if s.seq != expected_seq:
        report(
            cid,
            f"signatures {expected_seq}–{s.seq - 1} are missing before checklist {cid}'s signature",
        )
    if s.prev_hash != prev_hash:
        report(
            cid,
            f"checklist {cid}: signature {s.seq} does not follow the previous one (chain broken)",
        )
        if prev_checklist is not None and prev_checklist != cid and s.seq == expected_seq:
            # No gap: the previous record was rewritten and re-hashed after this one
            # was chained to it, so name it too (a gap is reported above instead).
            report(
                prev_checklist,
                f"checklist {prev_checklist}: its signature no longer matches the hash "
                f"that the next signature (checklist {cid}) was chained to",
            )


def _check_content(
    s: Signature, logged: dict[int, str], latest: dict[int, str], report: Report
) -> None:
    """The signature against the audit log, its own hash, and the live rows it covers."""
    cid = s.checklist_id
    at_signing = logged.get(s.seq)
    if at_signing is not None and at_signing != s.record_hash:
        report(cid, f"checklist {cid}: signature {s.seq} differs from the hash recorded at signing")
    if chain_hash(s.prev_hash, s.content) != s.record_hash:
        report(cid, f"checklist {cid}: signature {s.seq} hash does not match its content")
    expected = _expected_content(s, latest)
    if expected is None:
        report(cid, f"checklist {cid}: signed record or addendum is missing from the database")
    elif expected != s.content:
        report(
            cid, f"checklist {cid}: signed content was changed after signing (signature {s.seq})"
        )


def _check_signatures(report: Report) -> set[int]:
    """Walk the chain in order; returns the ids of the checklists that have a signature."""
    logged = _hashes_at_signing()
    prev_hash = GENESIS_HASH
    prev_checklist: int | None = None
    expected_seq = 1
    latest: dict[int, str] = {}
    for s in Signature.select().order_by(Signature.seq):
        _check_link(s, expected_seq, prev_hash, prev_checklist, report)
        _check_content(s, logged, latest, report)
        latest[s.checklist_id] = s.record_hash
        prev_hash = s.record_hash
        prev_checklist = s.checklist_id
        expected_seq = s.seq + 1
    return set(latest)


def _check_statuses(signed_ids: set[int], report: Report) -> None:
    """Record status, signatures and the audit log agree: no closed record without a
    signature, no signed record gone, no signed record back to draft."""
    closed = Checklist.select(Checklist.id).where(Checklist.status != "draft")
    for cid in closed.scalars():
        if cid not in signed_ids:
            report(cid, f"checklist {cid} is closed but has no signature")
    existing = set(Checklist.select(Checklist.id).scalars())
    signed_events = (
        AuditEvent.select(AuditEvent.checklist_id)
        .where(AuditEvent.action == "sign", AuditEvent.outcome == "ok")
        .scalars()
    )
    for cid in signed_events:
        if cid not in signed_ids or cid not in existing:
            report(
                cid, f"checklist {cid} was signed (audit log) but its record or signature is gone"
            )
    for cid in signed_ids:
        c = Checklist.get_or_none(Checklist.id == cid)
        if c is not None and c.status == "draft":
            report(cid, f"checklist {cid} has a signature but is marked as a draft")


def verify_chain(store: Store) -> list[dict[str, Any]]:
    """Every problem in the signature chain, each naming its checklist; empty when intact."""
    problems: list[dict[str, Any]] = []

    def report(checklist_id: int | None, message: str) -> None:
        problems.append({"checklist_id": checklist_id, "message": message})

    with store.reading():
        signed_ids = _check_signatures(report)
        _check_statuses(signed_ids, report)
    return problems


__all__ = [
    "MEANINGS",
    "add_addendum",
    "record_hash",
    "sign",
    "signatures_of",
    "verify_chain",
]
