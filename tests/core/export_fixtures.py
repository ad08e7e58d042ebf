"""Signed records for the export tests: unicode names, every answer kind, a warning with its
acknowledgement, N/A, allergies and an anticoagulant, plus readers for the PDFs they produce."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pypdf import PdfReader

from vpchecklist.services import Actor, checklists, signing, users
from vpchecklist.store import Store

PATIENT = "Łucja Nowak-Żółć"
SIGNER = "Nguyễn Thị Hạnh"
SIGNER_PASSWORD = "hanh-password-1"
LONG_IV = (
    "Left antecubital fossa, 18 G cannula placed on the second attempt after a failed attempt "
    "on the right dorsal hand vein; flushes well, no swelling, dressing dated and initialled, "
    "extension line secured with tape away from the procedure field"
)


def unicode_signer(store: Store, admin: Actor) -> Actor:
    return users.add_user(
        store, admin, "hanh", "nurse", SIGNER, SIGNER_PASSWORD, must_change_password=False
    )


def rich_document(doc: dict[str, Any]) -> dict[str, Any]:
    """A complete thoracolumbar document with every kind of answer and one acknowledged warning.

    Give it a template v1 document (``vp1.doc``): its allergies and anticoagulant are v1's."""
    doc["patient"] = {"name": PATIENT, "date_of_birth": "1941-07-14", "mrn": "MRN-0042"}
    answers = doc["answers"]
    answers["history.allergies"] = ["Latex gloves", "Iodinated contrast (hives)", "Penicillin"]
    answers["history.anticoagulants"] = {
        "drug": "Apixaban 5 mg",
        "last_dose": "2026-03-07T08:00",
        "held": "yes",
    }
    answers["history.inr"] = 1.7
    answers["history.pregnancy_excluded"] = {"na": "Post-menopausal patient (aged 84)"}
    answers["sedation.iv_access"] = LONG_IV
    doc["acknowledgements"] = {
        "history.inr": {
            "reason": "Discussed with IR; proceed with local haemostasis and a 22 G needle",
            "physician_informed": "Dr Amara Okafor",
        }
    }
    return doc


def signed_record(
    store: Store,
    signer: Actor,
    doc: dict[str, Any],
    meaning: str = "ready",
    reason: str | None = None,
) -> int:
    cid = checklists.create_from_document(store, signer, doc)
    signing.sign(store, signer, cid, SIGNER_PASSWORD, meaning, reason)
    return cid


def flat(text: str) -> str:
    """Whitespace-normalised text, so a wrapped line compares equal to the stored string."""
    return " ".join(text.split())


def pages_text(path: Path) -> list[str]:
    return [flat(page.extract_text() or "") for page in PdfReader(str(path)).pages]


def has(text: str, expected: str) -> bool:
    return flat(expected) in text or re.sub(r"\s", "", expected) in re.sub(r"\s", "", text)
