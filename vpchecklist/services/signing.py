"""Electronic signatures (21 CFR Part 11 §11.50/§11.70 as the model) and the hash chain.

A signature is bound to its record: the canonical JSON of what was signed is stored with the
signature, hashed together with the previous signature's hash. ``verify_chain`` recomputes the
content from the live rows, so an edit anywhere in signed content shows up as a broken link.
"""

from __future__ import annotations

import json
from typing import Any

from vpchecklist.canonical import GENESIS_HASH, canonical_json, chain_hash
from vpchecklist.clock import utc_now
from vpchecklist.errors import SignatureError, ValidationError, VPError
from vpchecklist.rules.values import clean_text
from vpchecklist.services import audit
from vpchecklist.services.actors import Actor
from vpchecklist.services.auth import check_credentials
from vpchecklist.services.checklists import (
    _draft,
    _evaluate_stored,
    _get,
    header_of,
    template_of,
)
from vpchecklist.services.metrics import signing_summary
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

MEANINGS = {
    "ready": "Pre-procedure checks completed — ready for procedure",
    "postponed": "Not ready — procedure postponed",
    "addendum": "Addendum to the signed record",
}


def _username(user_id: int, cache: dict[int, str]) -> str:
    if user_id not in cache:
        user = User.get_or_none(User.id == user_id)
        cache[user_id] = user.username if user else f"<missing user {user_id}>"
    return cache[user_id]


def record_content(checklist: Checklist, signature: dict[str, Any]) -> dict[str, Any]:
    """What a record signature covers: header, template, every answer and acknowledgement."""
    names: dict[int, str] = {}
    answers = [
        {
            "item": a.item_id,
            "value": json.loads(a.value),
            "answered_by": _username(a.answered_by_id, names),
            "answered_at": a.answered_at,
        }
        for a in Answer.select().where(Answer.checklist == checklist.id).order_by(Answer.item_id)
    ]
    acks = [
        {
            "item": a.item_id,
            "warning": a.warning,
            "reason": a.reason,
            "physician_informed": a.physician_informed,
            "acknowledged_by": _username(a.acknowledged_by_id, names),
            "acknowledged_at": a.acknowledged_at,
        }
        for a in Acknowledgement.select()
        .where(Acknowledgement.checklist == checklist.id)
        .order_by(Acknowledgement.item_id)
    ]
    return {
        "type": "record",
        "checklist_id": checklist.id,
        "template": {
            "id": checklist.template_id,
            "version": checklist.template_version,
            "hash": checklist.template_hash,
        },
        "header": header_of(checklist),
        "created_by": _username(checklist.created_by_id, names),
        "created_at": checklist.created_at,
        "answers": answers,
        "acknowledgements": acks,
        "signature": signature,
    }


def addendum_content(
    addendum: Addendum, references: str, signature: dict[str, Any]
) -> dict[str, Any]:
    return {
        "type": "addendum",
        "checklist_id": addendum.checklist_id,
        "addendum_id": addendum.id,
        "text": addendum.text,
        "author": _username(addendum.author_id, {}),
        "created_at": addendum.created_at,
        "references": references,
        "signature": signature,
    }


def _signature_block(
    actor: Actor, meaning: str, reason: str | None, signed_at: str
) -> dict[str, Any]:
    return {
        "signer": actor.username,
        "printed_name": actor.full_name,
        "role": actor.role,
        "meaning": meaning,
        "meaning_text": MEANINGS[meaning],
        "reason": reason,
        "signed_at": signed_at,
    }


def _append(
    checklist_id: int,
    actor: Actor,
    meaning: str,
    reason: str | None,
    signed_at: str,
    content: dict[str, Any],
    addendum_id: int | None = None,
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
    )


def sign(
    store: Store,
    actor: Actor,
    checklist_id: int,
    password: str,
    meaning: str,
    reason: str | None = None,
) -> str:
    """Sign a draft as ``ready`` or ``postponed`` (with a reason); returns the record hash.

    The password is checked again (re-authentication); failures count towards the lockout.
    """
    audit.require(store, actor, "sign", checklist_id)
    try:
        if meaning not in ("ready", "postponed"):
            raise ValidationError("meaning", 'the meaning must be "ready" or "postponed"')
        reason_text = None
        if meaning == "postponed":
            if not (isinstance(reason, str) and reason.strip()):
                raise ValidationError("reason", "closing as postponed needs a reason")
            reason_text = clean_text("reason", reason, "the reason")
        elif reason is not None and str(reason).strip():
            reason_text = clean_text("reason", reason, "the reason")
        check_credentials(store, actor.username, password, "sign_reauth")
        with store.transaction():
            checklist = _draft(checklist_id)
            ev = _evaluate_stored(checklist)
            if meaning == "ready" and not ev.ready_to_sign:
                raise SignatureError(
                    f"Checklist {checklist_id} cannot be signed as ready: "
                    + "; ".join(ev.blockers())
                    + ".",
                    ev.blockers(),
                )
            if meaning == "postponed" and ev.errors:
                raise SignatureError(
                    f"Checklist {checklist_id} has invalid answers; correct them first.",
                    ev.blockers(),
                )
            signed_at = utc_now()
            block = _signature_block(actor, meaning, reason_text, signed_at)
            content = record_content(checklist, block)
            signature = _append(checklist_id, actor, meaning, reason_text, signed_at, content)
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
                **signing_summary(checklist_id, [stop.item for stop in ev.stops]),
            )
            return str(signature.record_hash)
    except VPError as error:
        audit.record_refusal(store, actor.username, "sign", checklist_id, error)
        raise


def add_addendum(store: Store, actor: Actor, checklist_id: int, text: str, password: str) -> str:
    """A signed correction or note on a closed record; the original stays as it was."""
    audit.require(store, actor, "addendum", checklist_id)
    try:
        body = clean_text("addendum", text, "the addendum", 4000)
        check_credentials(store, actor.username, password, "sign_reauth")
        with store.transaction():
            checklist = _get(checklist_id)
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
            block = _signature_block(actor, "addendum", None, now)
            content = addendum_content(addendum, previous.record_hash, block)
            signature = _append(checklist_id, actor, "addendum", None, now, content, addendum.id)
            audit.record(
                actor.username,
                "addendum",
                checklist_id=checklist_id,
                seq=signature.seq,
                record_hash=signature.record_hash,
            )
            return str(signature.record_hash)
    except VPError as error:
        audit.record_refusal(store, actor.username, "addendum", checklist_id, error)
        raise


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
    checklist = Checklist.get_or_none(Checklist.id == signature.checklist_id)
    if checklist is None:
        return None
    stored = json.loads(signature.content)
    block = {
        "signer": _username(signature.signer_id, {}),
        "printed_name": signature.printed_name,
        "role": signature.role,
        "meaning": signature.meaning,
        "meaning_text": MEANINGS.get(signature.meaning, signature.meaning),
        "reason": signature.reason,
        "signed_at": signature.signed_at,
    }
    if signature.addendum_id is None:
        return canonical_json(record_content(checklist, block))
    addendum = Addendum.get_or_none(Addendum.id == signature.addendum_id)
    if addendum is None:
        return None
    ref = references.get(signature.checklist_id, stored.get("references"))
    return canonical_json(addendum_content(addendum, ref or "", block))


def verify_chain(store: Store) -> list[dict[str, Any]]:
    """Every problem in the signature chain, each naming its checklist; empty when intact."""
    problems: list[dict[str, Any]] = []

    def report(checklist_id: int | None, message: str) -> None:
        problems.append({"checklist_id": checklist_id, "message": message})

    with store.reading():
        prev_hash = GENESIS_HASH
        prev_checklist: int | None = None
        expected_seq = 1
        # The audit log keeps each signature's hash as it was at signing: a record forged and
        # re-hashed afterwards (even the newest, which no later link protects) shows up here.
        signed_hashes: dict[int, str] = {}
        for event in AuditEvent.select().where(
            AuditEvent.action.in_(["sign", "addendum"]), AuditEvent.outcome == "ok"
        ):
            detail = json.loads(event.detail) if event.detail else {}
            if isinstance(detail.get("seq"), int) and isinstance(detail.get("record_hash"), str):
                signed_hashes[detail["seq"]] = detail["record_hash"]
        latest: dict[int, str] = {}
        signed_ids: set[int] = set()
        for s in Signature.select().order_by(Signature.seq):
            cid = s.checklist_id
            signed_ids.add(cid)
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
            logged = signed_hashes.get(s.seq)
            if logged is not None and logged != s.record_hash:
                report(
                    cid,
                    f"checklist {cid}: signature {s.seq} differs from the hash recorded at signing",
                )
            if chain_hash(s.prev_hash, s.content) != s.record_hash:
                report(cid, f"checklist {cid}: signature {s.seq} hash does not match its content")
            expected = _expected_content(s, latest)
            if expected is None:
                report(
                    cid, f"checklist {cid}: signed record or addendum is missing from the database"
                )
            elif expected != s.content:
                report(
                    cid,
                    f"checklist {cid}: signed content was changed after signing (signature {s.seq})",
                )
            latest[cid] = s.record_hash
            prev_hash = s.record_hash
            prev_checklist = cid
            expected_seq = s.seq + 1
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
                    cid,
                    f"checklist {cid} was signed (audit log) but its record or signature is gone",
                )
        for cid in signed_ids:
            c = Checklist.get_or_none(Checklist.id == cid)
            if c is not None and c.status == "draft":
                report(cid, f"checklist {cid} has a signature but is marked as a draft")
    return problems


__all__ = [
    "MEANINGS",
    "add_addendum",
    "record_hash",
    "sign",
    "signatures_of",
    "verify_chain",
    "template_of",
]
