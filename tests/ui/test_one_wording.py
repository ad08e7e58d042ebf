"""One wording: the review page a nurse signs and the PDF an auditor files say the same words.

Every item kind and answer shape is stored, then read back twice: through the real review page
widget (what the nurse sees before and after signing) and through the PDF's text layer (pypdf),
and each item's words must appear in its own row on both. The canonical words are pinned too,
so a surface that words an answer itself — a second formatter — fails here.
"""

from __future__ import annotations

import copy
import io
import re
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader
from PySide6.QtWidgets import QLabel

from tests.core.export_fixtures import SIGNER_PASSWORD, unicode_signer
from tests.documents import BENIGN_ANSWERS, BENIGN_V1_ANSWERS
from ui.checklist.review_page import ReviewPage
from ui.checklist.session import ChecklistSession
from vpchecklist.clock import parse_utc
from vpchecklist.export import pdf
from vpchecklist.presentation import (
    acknowledgement_lines,
    answer_lines,
    local_time,
    signature_fields,
)
from vpchecklist.services import Actor, checklists, signing
from vpchecklist.store import Store

# What each answer shape must read as, on every surface. ``None`` is an unanswered item.
SHAPES: dict[str, list[tuple[str, Any, list[str]]]] = {
    "postponed": [
        ("identity.wristband_checked", "yes", ["Yes"]),
        ("history.active_infection", "no", ["No"]),
        (
            "history.pregnancy_excluded",
            {"na": "Post-menopausal patient (aged 84)"},
            ["N/A — Post-menopausal patient (aged 84)"],
        ),
        ("sedation.meal_type", "fatty", ["Fatty"]),
        ("history.inr", 1.7, ["1.7"]),
        ("history.platelets", 250, ["250 ×10⁹/L"]),
        ("sedation.iv_access", "left forearm, 20 G", ["left forearm, 20 G"]),
        ("sedation.baseline_bp", "128/76", ["128/76 mmHg"]),
        ("sedation.last_solids", "2026-03-09T20:00", ["9 Mar 2026, 20:00"]),
        (
            "history.allergies",
            ["Latex gloves", "Iodinated contrast (hives)"],
            ["Latex gloves", "Iodinated contrast (hives)"],
        ),
        (
            "history.anticoagulants",
            {"drug": "Apixaban 5 mg", "last_dose": "2026-03-08T08:00", "held": "no"},
            ["Apixaban 5 mg", "Last dose: 8 Mar 2026, 08:00", "Held: no"],
        ),
        ("sedation.escort", None, ["Not answered"]),
    ],
    "signed": [
        ("history.allergies", "none", ["No known allergies"]),
        ("history.anticoagulants", "none", ["None taken"]),
    ],
    # Template v2's coded lists (spec §6.2/6.3), a "no" that is a warning, the new items.
    "coded": [
        (
            "history.allergies",
            [
                {"agent": "latex", "reaction": "hives"},
                {"agent": "other", "name": "Sulfonamides", "reaction": "rash"},
            ],
            ["Latex — hives", "Sulfonamides — rash"],
        ),
        (
            "history.anticoagulants",
            [
                {"drug": "apixaban", "last_dose": "2026-03-08T08:00"},
                {"drug": "other", "name": "Cilostazol", "last_dose": "2026-03-01T08:00"},
            ],
            [
                "Apixaban — last dose 8 Mar 2026, 08:00; 50 h before the start, hold 72 h",
                "Cilostazol — last dose 1 Mar 2026, 08:00; 218 h before the start, "
                "not in the hold table: the physician confirms the hold",
            ],
        ),
        ("sedation.escort", "no", ["No"]),
        ("history.neuro_baseline", "deficit", ["Deficit present"]),
        ("sedation.weight_kg", 82.5, ["82.5 kg"]),
        ("timeout.antibiotic", None, ["Not answered"]),
    ],
}
ACK = {"reason": "Held per IR; last dose 50 h before", "physician_informed": "Dr Amara Okafor"}
POSTPONE_REASON = "Anticoagulant not held long enough"


def squeeze(text: str) -> str:
    """Without whitespace: a PDF cell wraps its lines where the page needs, not where we do."""
    return re.sub(r"\s", "", text)


@pytest.fixture
def paris(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A workstation one hour ahead of UTC, so a UTC time shown as if local would be caught."""
    monkeypatch.setenv("TZ", "Europe/Paris")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


#: The template version each kind of record is made on (v1: free-text allergies, held or not).
VERSIONS = {"postponed": 1, "signed": 2, "coded": 2}


def document(kind: str) -> dict[str, Any]:
    version = VERSIONS[kind]
    answers = copy.deepcopy(BENIGN_V1_ANSWERS if version == 1 else BENIGN_ANSWERS)
    answers["clothing.attire"] = "own_clothes"
    answers["positioning.pillow_torso"] = "abdomen"
    for item_id, value, _ in SHAPES[kind]:
        if value is None:
            answers.pop(item_id)
        else:
            answers[item_id] = value
    acks = {"history.anticoagulants": ACK} if kind != "signed" else {}
    return {
        "patient": {"name": "Jane Doe", "date_of_birth": "1948-03-02", "mrn": "MRN-0001"},
        "levels": ["L2"],
        "planned_start": "2026-03-10T10:00",
        "physician": "Dr. A. Radiologist",
        "answers": answers,
        "acknowledgements": acks,
        "template_version": version,
    }


def signed(store: Store, signer: Actor, kind: str) -> int:
    cid = checklists.create_from_document(store, signer, document(kind))
    if kind != "signed":
        signing.sign(store, signer, cid, SIGNER_PASSWORD, "postponed", POSTPONE_REASON)
    else:
        signing.sign(store, signer, cid, SIGNER_PASSWORD, "ready")
    return cid


def review_texts(qtbot, store: Store, signer: Actor, cid: int) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """(the answers table, every other text) of the real review page."""
    page = ReviewPage(ChecklistSession(store, signer, cid))
    qtbot.addWidget(page)
    page.resize(1280, 800)
    page.show()
    page.refresh()
    others = "\n".join(label.text() for label in page.findChildren(QLabel))
    return page.answers.toPlainText(), others


def pdf_text(store: Store, signer: Actor, cid: int) -> str:
    record = checklists.detail(store, signer, cid)
    data = pdf.render(record, checklists.template_for(store, signer, cid))
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def rows(text: str, anchors: list[str]) -> dict[str, str]:
    """Each anchor's row: the text from it to the next anchor, found in order."""
    flat = squeeze(text)
    starts: list[int] = []
    at = 0
    for anchor in anchors:
        at = flat.index(squeeze(anchor), at)
        starts.append(at)
        at += len(squeeze(anchor))
    ends = [*starts[1:], len(flat)]
    return {a: flat[s:e] for a, s, e in zip(anchors, starts, ends, strict=True)}


@pytest.mark.parametrize("kind", ["postponed", "signed", "coded"])
def test_review_page_and_pdf_word_every_answer_alike(qtbot, store, actors, paris, kind):
    signer = unicode_signer(store, actors["admin"])
    cid = signed(store, signer, kind)
    record = checklists.detail(store, signer, cid)
    template = checklists.template_for(store, signer, cid)
    review, review_rest = review_texts(qtbot, store, signer, cid)
    printed = pdf_text(store, signer, cid)

    # The review table's rows are the item labels; the PDF's, the item ids under the labels.
    labels = [item.label for item in template.items]
    review_rows = rows(review, labels)
    pdf_end = printed.index("Warnings and acknowledgements")
    pdf_rows = rows(printed[:pdf_end], [f"{item.label}\n{item.id}" for item in template.items])

    for item in template.items:
        stored = record["answers"].get(item.id)
        planned = record["header"]["planned_start"]
        words = answer_lines(item, stored["value"] if stored else None, planned)
        for line in words:
            assert squeeze(line) in review_rows[item.label], (item.id, line, "review page")
            assert squeeze(line) in pdf_rows[f"{item.label}\n{item.id}"], (item.id, line, "PDF")

    # The canonical words, pinned: what a nurse reads is decided once.
    for item_id, _, expected in SHAPES[kind]:
        item = template.item(item_id)
        assert item is not None
        stored = record["answers"].get(item_id)
        value = stored["value"] if stored else None
        assert answer_lines(item, value, record["header"]["planned_start"]) == expected, item_id
        for line in expected:
            assert squeeze(line) in review_rows[item.label], (item_id, line)
            assert squeeze(line) in pdf_rows[f"{item.label}\n{item.id}"], (item_id, line)

    # Acknowledged warnings and the signature: the same lines on both, times in local words.
    for ack in record["acknowledgements"].values():
        for line in acknowledgement_lines(ack):
            assert squeeze(line) in squeeze(review_rest), line
            assert squeeze(line) in squeeze(printed), line
        assert local_time(ack["acknowledged_at"]) in acknowledgement_lines(ack)[0]
    signature = record["signatures"][0]
    for label, words in signature_fields(signature):
        assert squeeze(f"{label}: {words}") in squeeze(review_rest), label
        assert squeeze(f"{label} {words}") in squeeze(printed), label
    assert f"Signed: {local_time(signature['signed_at'])}" in review_rest
    if kind != "signed":
        assert squeeze(f"Reason for postponement: {POSTPONE_REASON}") in squeeze(review_rest)
        assert squeeze("Acknowledged by") in squeeze(review_rest)


def test_times_are_local_words_with_the_zone_named_once(qtbot, store, actors, paris):
    signer = unicode_signer(store, actors["admin"])
    cid = signed(store, signer, "postponed")
    record = checklists.detail(store, signer, cid)
    signed_at = record["signatures"][0]["signed_at"]
    review, review_rest = review_texts(qtbot, store, signer, cid)
    printed = pdf_text(store, signer, cid)

    local = local_time(signed_at)
    assert re.fullmatch(r"\d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d", local)
    # Paris is one or two hours ahead of the stored UTC time.
    paris_time = parse_utc(signed_at).astimezone(ZoneInfo("Europe/Paris"))
    assert local.endswith(f"{paris_time:%H:%M}")
    zone = "CET (UTC+01:00)" if paris_time.utcoffset() == timedelta(hours=1) else "CEST (UTC+02:00)"
    for text in (review + review_rest, printed):
        assert signed_at not in text  # never the stored ISO stamp
        assert "+00:00" not in text and "UTC (" not in text
        assert local in text
    assert review_rest.count(zone) == 1
    assert printed.count(zone) == 1
    assert "Planned start 10 Mar 2026, 10:00" in printed


def test_auditor_table_shows_local_signed_times_and_names_the_zone_once(
    qtbot, store, actors, paris
):
    from ui.auditor.page import AuditorPage

    signer = unicode_signer(store, actors["admin"])
    cid = signed(store, signer, "signed")
    signed_at = checklists.detail(store, signer, cid)["signatures"][0]["signed_at"]
    page = AuditorPage(store, actors["auditor"])
    qtbot.addWidget(page)
    page.show()
    model = page.table.model()
    qtbot.waitUntil(lambda: model.rowCount() == 1)
    row = [model.index(0, c).data() for c in range(model.columnCount())]
    assert local_time(signed_at) in row and "10 Mar 2026, 10:00" in row
    assert page.findChild(QLabel, "auditor.times").text() in (
        "Times are local to this workstation: CET (UTC+01:00).",
        "Times are local to this workstation: CEST (UTC+02:00).",
    )
