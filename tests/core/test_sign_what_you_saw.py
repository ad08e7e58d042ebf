"""Sign what you saw (issue 12 finding 8): a signature never covers an answer that changed after
the signer reviewed the record."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import PASSWORDS
from tests.documents import LUMBAR_ANSWERS
from vpchecklist.errors import ReviewOutdated
from vpchecklist.services import checklists, signing
from vpchecklist.services.signed_content import reviewed_sha256
from vpchecklist.store.models import AuditEvent, Signature

HEADER = {
    "patient": {"name": "Ada Example", "date_of_birth": "1948-03-02", "mrn": "MRN-7"},
    "levels": ["L2"],
    "planned_start": "2026-03-10T10:00",
    "physician": "Dr A. Radiologist",
}


@pytest.fixture
def draft(store, actors) -> int:  # type: ignore[no-untyped-def]
    doc: dict[str, Any] = {**HEADER, "answers": dict(LUMBAR_ANSWERS), "acknowledgements": {}}
    return checklists.create_from_document(store, actors["nurse"], doc)


def test_the_content_hash_changes_with_any_answer_and_only_then(store, actors, draft) -> None:  # type: ignore[no-untyped-def]
    nurse, physician = actors["nurse"], actors["physician"]
    shown = checklists.detail(store, nurse, draft)["content_sha256"]
    assert len(shown) == 64
    assert checklists.detail(store, physician, draft)["content_sha256"] == shown  # any reader
    checklists.answer(store, nurse, draft, "sedation.baseline_hr", 72)  # the same value again
    assert checklists.detail(store, nurse, draft)["content_sha256"] == shown
    checklists.answer(store, physician, draft, "sedation.baseline_hr", 73)
    assert checklists.detail(store, nurse, draft)["content_sha256"] != shown


def test_a_change_after_the_review_refuses_the_signature(store, actors, draft) -> None:  # type: ignore[no-untyped-def]
    nurse, physician = actors["nurse"], actors["physician"]
    reviewed = checklists.detail(store, nurse, draft)["content_sha256"]
    checklists.answer(store, physician, draft, "history.platelets", 180)  # another workstation
    with pytest.raises(ReviewOutdated, match="the checklist changed since you reviewed it"):
        signing.sign(store, nurse, draft, PASSWORDS["nurse"], "ready", expect=reviewed)
    assert checklists.detail(store, nurse, draft)["status"] == "draft"
    assert Signature.select().count() == 0
    refused = AuditEvent.get(AuditEvent.action == "sign", AuditEvent.outcome == "refused")
    assert "changed since you reviewed it" in json.loads(refused.detail)["reason"]

    now_shown = checklists.detail(store, nurse, draft)["content_sha256"]
    signing.sign(store, nurse, draft, PASSWORDS["nurse"], "ready", expect=now_shown.upper())
    signature = Signature.get(Signature.checklist == draft)
    # The signature covers exactly the content that was shown (its hash without the block).
    assert reviewed_sha256(json.loads(signature.content)) == now_shown
    assert json.loads(signature.content)["answers"][3]["item"]  # the real answers, not a stub
    assert signing.verify_chain(store) == []


def test_without_expect_signing_is_unchanged(store, actors, draft) -> None:  # type: ignore[no-untyped-def]
    signing.sign(store, actors["nurse"], draft, PASSWORDS["nurse"], "ready")
    assert checklists.detail(store, actors["nurse"], draft)["status"] == "signed"
