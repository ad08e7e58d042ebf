"""``verify``: is this PDF an unaltered copy of the record as it stands now?

A copy passes only when all of these hold:

1. its embedded binding (Keywords metadata) names a checklist of this database and the record
   hash it shows is that record's current hash (the newest signature of the hash chain, so an
   addendum signed since the copy was made fails it);
2. its text layer, page by page, says exactly what the record re-derived from the database
   says when rendered again on the same paper, in the zone the copy was made in (its binding
   names it; ``local_zone``), (``pdf_text``; only the copy's own marks, such as
   the audit chain's head when it was made, are left out). An edited copy fails here even if an
   ``export`` event naming its bytes was slipped into the audit log;
3. its SHA-256 is one this database recorded when exporting that checklist (any changed byte,
   even outside the text, fails);
4. the record's signatures still pass the hash-chain check.

Nothing is written: the CLI opens the database read-only for it, and no user is needed (the
answer reveals nothing the copy does not already show).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from vpchecklist.errors import NotFound, StorageError, VPError
from vpchecklist.export import pdf_text
from vpchecklist.export.pdf_text import CopyText
from vpchecklist.local_zone import rendering_in
from vpchecklist.presentation import local_time_with_zone
from vpchecklist.services import checklists, signing
from vpchecklist.services.export_copies import render_pdf
from vpchecklist.services.templates import template_by_hash
from vpchecklist.store import Store
from vpchecklist.store.models import AuditEvent, Checklist


def _exports_of(checklist_id: int) -> dict[str, dict[str, Any]]:
    """Every exported file's SHA-256 for one checklist, with who exported it and when."""
    out: dict[str, dict[str, Any]] = {}
    events = AuditEvent.select().where(
        AuditEvent.action == "export",
        AuditEvent.outcome == "ok",
        AuditEvent.checklist_id == checklist_id,
    )
    for event in events:
        detail = json.loads(event.detail) if event.detail else {}
        digest = detail.get("file_sha256")
        if digest:
            out[digest] = {"user": event.username, "at": event.at, **detail}
    return out


def text_difference(store: Store, copy: CopyText) -> str | None:
    """Where the copy's text departs from the stored record rendered again (None: nowhere)."""
    if copy.checklist_id is None:
        return "it names no checklist"
    if copy.paper is None:
        return "its page size is neither A4 nor Letter"
    record = checklists.stored_detail(store, copy.checklist_id)
    with store.reading():
        template = template_by_hash(record["template"]["hash"])
    with rendering_in(copy.zone):  # its local times as the workstation that made it wrote them
        expected = pdf_text.text_of(render_pdf(store, record, template, copy.paper))
    if len(copy.pages) != len(expected):
        return f"the copy has {len(copy.pages)} pages, the record {len(expected)}"
    for number, (found, wanted) in enumerate(zip(copy.pages, expected, strict=True), start=1):
        if found != wanted:
            return f"first on page {number}"
    return None


def verify_pdf(store: Store, pdf_path: Path | str, check_chain: bool = True) -> tuple[bool, str]:
    """(ok, sentence): is this file an unaltered copy of the record as it stands now?"""
    path = Path(pdf_path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        return False, f"The file {path} cannot be read: {exc.strerror or exc}."
    try:
        copy = pdf_text.read_copy(data)
    except ValueError as error:
        return False, f"Not verified: {error}."
    checklist_id, embedded_hash = copy.checklist_id, copy.record_hash
    if checklist_id is None:
        return False, "Not verified: the file names no checklist."
    try:
        with store.reading():
            if Checklist.get_or_none(Checklist.id == checklist_id) is None:
                raise NotFound(f"there is no checklist {checklist_id} in this database")
            exports = _exports_of(checklist_id)
        current = signing.record_hash(store, checklist_id)
        if embedded_hash is None or current is None:
            return False, (
                f"Not verified: this is a copy of an unsigned draft of checklist "
                f"{checklist_id}, not a signed record."
            )
        if embedded_hash != current:
            return False, (
                f"Not verified: checklist {checklist_id} has changed since this copy was made "
                f"(an addendum was signed). The copy shows record hash {embedded_hash}; the "
                f"record's current hash is {current}. Export a new copy."
            )
        difference = text_difference(store, copy)
        problems = (
            [p for p in signing.verify_chain(store) if p["checklist_id"] == checklist_id]
            if check_chain
            else []
        )
    except (NotFound, StorageError) as error:
        return False, f"Not verified: {error}."
    except VPError as error:
        return False, f"Not verified: the record cannot be read back ({error})."
    if difference is not None:
        return False, (
            f"Not verified: the text of this copy differs from checklist {checklist_id} as "
            f"stored ({difference}); it was edited."
        )
    file_hash = hashlib.sha256(data).hexdigest()
    if file_hash not in exports:
        return False, (
            f"Not verified: the file's content is not that of any copy of checklist "
            f"{checklist_id} exported from this database (file SHA-256 {file_hash}); it may "
            "have been edited."
        )
    if problems:
        return False, (
            f"Not verified: the database record of checklist {checklist_id} fails its "
            f"integrity check: {problems[0]['message']}."
        )
    made = exports[file_hash]
    return True, (
        f"Verified: an unaltered copy of checklist {checklist_id} (record hash {current}), "
        f"exported by {made['user']} on {local_time_with_zone(made['at'])}."
    )
