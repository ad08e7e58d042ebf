"""``audit verify``: everything the database can prove about itself, and its external anchor.

The signature chain (``signing.verify_chain``) proves signed content; this adds what an
attacker with the file could otherwise change unnoticed: the chain over every audit event
(sign-ins, refusals, user and settings changes, exports, backups, restores), each signature
against the one event that logged it, the checklist row's copies of the signature (status,
signer, time, warning count), users/settings/template against the audited changes that made
them, and the database against its anchor file (rollback, lost WAL tail, full re-hash).
Read-only throughout: it runs on a store opened with ``read_only=True``.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vpchecklist.canonical import GENESIS_HASH
from vpchecklist.services import signing
from vpchecklist.store import Store, anchor, events
from vpchecklist.store.models import (
    AuditEvent,
    Checklist,
    Setting,
    Signature,
    TemplateRecord,
    User,
)
from vpchecklist.store.schema import PROTECTED_SETTINGS

_STATUS_OF_MEANING = {"ready": "signed", "postponed": "postponed"}


@dataclass
class Report:
    """What ``audit verify`` found. ``problems`` each name their checklist or user."""

    problems: list[dict[str, Any]] = field(default_factory=list)
    first_broken_event: int | None = None
    events: int = 0
    anchor_file: Path | None = None
    last_anchored: int | None = None

    def add(
        self,
        message: str,
        checklist_id: int | None = None,
        user: str | None = None,
        event: int | None = None,
    ) -> None:
        self.problems.append(
            {"checklist_id": checklist_id, "user": user, "event": event, "message": message}
        )
        if event is not None and (
            self.first_broken_event is None or event < self.first_broken_event
        ):
            self.first_broken_event = event

    @property
    def intact(self) -> bool:
        return not self.problems


def _describe(
    username: str | None, action: str, checklist_id: int | None, subject: str | None
) -> str:
    who = f"user {username}" if username else "the system"
    about = f", checklist {checklist_id}" if checklist_id else ""
    if subject:
        about += f", {subject.replace('user:', 'user ')}"
    return f"{action} by {who}{about}"


def _event_chain(report: Report) -> None:
    prev_hash = GENESIS_HASH
    expected = 1
    query = AuditEvent.select().order_by(AuditEvent.seq.asc(nulls="first"), AuditEvent.id)
    for event in query.iterator():
        report.events += 1
        what = _describe(event.username, event.action, event.checklist_id, event.subject)
        user = event.subject[5:] if (event.subject or "").startswith("user:") else event.username
        if event.seq is None:
            report.add(
                f"audit event id {event.id} ({what}) is not chained", event.checklist_id, user
            )
            continue
        if event.seq < expected:
            report.add(
                f"audit event {event.seq} appears twice (second: {what})",
                event.checklist_id,
                user,
                event.seq,
            )
            continue
        if event.seq > expected:
            report.add(
                f"audit events {expected}–{event.seq - 1} are missing before event {event.seq} "
                f"({what})",
                event.checklist_id,
                user,
                expected,
            )
        if event.prev_hash != prev_hash:
            report.add(
                f"audit event {event.seq} ({what}) does not follow the event before it "
                "(the chain was cut or rewritten there)",
                event.checklist_id,
                user,
                event.seq,
            )
        if events.link_hash(event, event.prev_hash or "") != event.event_hash:
            report.add(
                f"audit event {event.seq} ({what}) was changed after it was written",
                event.checklist_id,
                user,
                event.seq,
            )
        prev_hash = event.event_hash or ""
        expected = event.seq + 1


def _signature_events(report: Report) -> dict[int, dict[str, Any]]:
    """Each signature has exactly one ``sign``/``addendum`` event naming its seq and hash."""
    logged: dict[int, list[tuple[int, int | None, dict[str, Any]]]] = defaultdict(list)
    query = AuditEvent.select(
        AuditEvent.seq, AuditEvent.checklist_id, AuditEvent.detail, AuditEvent.action
    ).where(AuditEvent.action.in_(["sign", "addendum"]), AuditEvent.outcome == "ok")
    for event in query:
        detail = json.loads(event.detail) if event.detail else {}
        if isinstance(detail.get("seq"), int):
            logged[detail["seq"]].append((event.seq or 0, event.checklist_id, detail))
    by_seq: dict[int, list[Signature]] = defaultdict(list)
    for sig in Signature.select().order_by(Signature.seq, Signature.id):
        by_seq[sig.seq].append(sig)
    for seq, sigs in by_seq.items():
        cid = sigs[0].checklist_id
        if len(sigs) > 1:
            report.add(
                f"checklist {cid}: signature number {seq} appears {len(sigs)} times "
                "(a signature was forged)",
                cid,
            )
        entries = logged.get(seq, [])
        if not entries:
            report.add(
                f"checklist {cid}: signature {seq} has no audit event that logged it "
                "(inserted outside the application)",
                cid,
            )
        elif len(entries) > 1:
            report.add(
                f"checklist {cid}: signature {seq} is logged by {len(entries)} audit events",
                cid,
                event=entries[1][0],
            )
        for event_seq, event_cid, _detail in entries:
            if event_cid != cid:
                report.add(
                    f"checklist {cid}: signature {seq} was logged for checklist {event_cid}",
                    cid,
                    event=event_seq,
                )
    for seq, entries in logged.items():
        if seq not in by_seq:
            first_seq, logged_cid, _detail = entries[0]
            report.add(
                f"checklist {logged_cid}: signature {seq} was logged (audit event {first_seq}) "
                "but is missing from the database",
                logged_cid,
                event=first_seq,
            )
    return {seq: entries[0][2] for seq, entries in logged.items()}


def _checklist_columns(report: Report, logged: dict[int, dict[str, Any]]) -> None:
    """The row's copies of its record signature match the signed content."""
    newest: dict[int, Signature] = {}
    for sig in Signature.select().where(Signature.addendum.is_null()).order_by(Signature.seq):
        newest[sig.checklist_id] = sig
    query = Checklist.select(
        Checklist.id,
        Checklist.status,
        Checklist.signed_by_name,
        Checklist.signed_at,
        Checklist.warning_count,
    )
    for row in query.iterator():
        record_sig = newest.get(row.id)
        if record_sig is None:
            if row.signed_by_name is not None or row.signed_at is not None:
                report.add(f"checklist {row.id}: shows a signer but has no signature", row.id)
            continue
        try:
            block = json.loads(record_sig.content).get("signature", {})
        except ValueError:
            continue  # reported by the signature chain
        expected = {
            "status": _STATUS_OF_MEANING.get(block.get("meaning"), "?"),
            "signer": block.get("printed_name"),
            "signing time": block.get("signed_at"),
        }
        actual = {"status": row.status, "signer": row.signed_by_name, "signing time": row.signed_at}
        count = logged.get(record_sig.seq, {}).get("warning_count")
        if isinstance(count, int):
            expected["warning count"] = count
            actual["warning count"] = row.warning_count
        for name, value in expected.items():
            if actual[name] != value and not (name == "status" and row.status == "draft"):
                report.add(
                    f"checklist {row.id}: the {name} shown in the list ({actual[name]!r}) "
                    f"differs from the signed record ({value!r})",
                    row.id,
                )


def _audited_state(report: Report) -> None:
    """Users, protected settings and the active template equal what their audited changes made."""
    users: dict[str, dict[str, Any]] = {}
    settings: dict[str, str] = {}
    template: str | None = None
    query = AuditEvent.select(AuditEvent.subject, AuditEvent.detail).where(
        AuditEvent.subject.is_null(False), AuditEvent.outcome == "ok"
    )
    for event in query.order_by(AuditEvent.seq):
        detail = json.loads(event.detail) if event.detail else {}
        subject = event.subject or ""
        if subject.startswith("user:") and isinstance(detail.get("state"), dict):
            users[subject[5:]] = detail["state"]
        elif subject == "settings" and isinstance(detail.get("values"), dict):
            settings.update({k: str(v) for k, v in detail["values"].items()})
        elif subject == "template" and isinstance(detail.get("hash"), str):
            template = detail["hash"]
    rows = {u.username: u for u in User.select()}
    for name, user in sorted(rows.items()):
        expected = users.get(name)
        if expected is None:
            report.add(f"user {name}: the account was added outside the application", user=name)
            continue
        state = user.audited_state()
        for key in sorted(state):
            if state[key] != expected.get(key):
                what = "password" if key == "password" else f"{key.replace('_', ' ')}"
                shown = "" if key == "password" else f" is {state[key]!r} but"
                report.add(
                    f"user {name}: the {what}{shown} was changed outside the application "
                    f"(the audit trail does not record this change)",
                    user=name,
                )
    for name in sorted(set(users) - set(rows)):
        report.add(f"user {name}: the account was deleted from the database", user=name)
    stored = {s.key: s.value for s in Setting.select() if s.key in PROTECTED_SETTINGS}
    for key in PROTECTED_SETTINGS:
        if stored.get(key, "") != settings.get(key, ""):
            report.add(f"setting {key} was changed outside the application")
    active = TemplateRecord.get_or_none(TemplateRecord.active == True)  # noqa: E712
    if (active.content_hash if active else None) != template:
        report.add("the active checklist template was changed outside the application")


def verify(store: Store) -> Report:
    """Every check of ``audit verify``; an intact database gives a report without problems."""
    report = Report()
    report.problems.extend({**p, "user": None, "event": None} for p in signing.verify_chain(store))
    with store.reading():
        _event_chain(report)
        logged = _signature_events(report)
        _checklist_columns(report, logged)
        _audited_state(report)
        target, problems, last = anchor.check_current()
        report.anchor_file, report.last_anchored = target, last
        for message in problems:
            report.add(message, event=(last if "behind" in message else None))
    return report


def check_anchor_at_start(store: Store) -> list[str]:
    """The app's start-up check: the database against its anchor; when they agree, the current
    head is anchored (so a later rollback shows even without a signature in between)."""
    with store.reading():
        _target, problems, last = anchor.check_current()
    if problems:
        return [f"{p} (last anchored event {last})" for p in problems]
    with store.reading():
        anchor.append_current("start")
    return []
