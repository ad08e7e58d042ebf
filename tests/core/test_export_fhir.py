"""FHIR R4 export (issue 16): every Bundle validates with fhir.resources' R4B models, reads
back answer by answer, and a record with an addendum is "amended" with two Provenance."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from export_fixtures import SIGNER_PASSWORD, rich_document, signed_record, unicode_signer
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.provenance import Provenance
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from vpchecklist.export import fhir
from vpchecklist.presentation import answer_lines
from vpchecklist.rules.values import is_na
from vpchecklist.services import Actor, checklists, exports, signing, wristband
from vpchecklist.store import Store
from vpchecklist.store.models import AuditEvent
from vpchecklist.templates import Template
from vpchecklist.wristband import WRISTBAND_ITEM

MODELS = {
    "Questionnaire": Questionnaire,
    "QuestionnaireResponse": QuestionnaireResponse,
    "Patient": Patient,
    "Provenance": Provenance,
}


def validated(path: Path) -> dict[str, Any]:
    """The Bundle's JSON after fhir.resources accepted it whole and resource by resource."""
    data = json.loads(path.read_text(encoding="utf-8"))
    Bundle.model_validate(data)
    for entry in data["entry"]:
        resource = entry["resource"]
        MODELS[resource["resourceType"]].model_validate(resource)
    return data


def resources(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def response_items(bundle: dict[str, Any]) -> dict[str, dict[str, Any]]:
    (response,) = resources(bundle, "QuestionnaireResponse")
    return {item["linkId"]: item for group in response["item"] for item in group["item"]}


def read_back(item: Any, answers: list[dict[str, Any]], utc: str | None) -> Any:
    """An answer as the record stores it, decoded from the FHIR answer alone."""
    (first, *_) = answers
    if "valueBoolean" in first:
        return "yes" if first["valueBoolean"] else "no"
    if "valueCoding" in first:
        return first["valueCoding"]["code"]
    if "valueDecimal" in first:
        return first["valueDecimal"]
    if "valueDateTime" in first:
        moment = datetime.fromisoformat(first["valueDateTime"])
        assert utc is None or moment.astimezone().utcoffset() is not None
        return moment.strftime("%Y-%m-%dT%H:%M")
    return [a["valueString"] for a in answers]


def check_every_answer(bundle: dict[str, Any], record: dict[str, Any], template: Template) -> None:
    items = response_items(bundle)
    assert set(record["answers"]) <= set(items)
    for item_id, entry in record["answers"].items():
        item = template.item(item_id)
        assert item is not None
        fhir_item = items[item_id]
        assert fhir_item["text"] == item.label
        got = read_back(item, fhir_item["answer"], entry.get("value_utc"))
        value = entry["value"]
        if is_na(value):
            reasons = [e["valueString"] for e in fhir_item["answer"][0]["extension"]]
            assert reasons == [value["na"]], item_id
        elif isinstance(got, list):
            planned = record["header"]["planned_start"]
            assert got == answer_lines(item, value, planned), item_id
        else:
            assert got == value, item_id


@pytest.fixture
def signer(store: Store, actors: dict[str, Actor]) -> Actor:
    return unicode_signer(store, actors["admin"])


def test_a_rich_signed_record_validates_and_reads_back(
    store: Store, signer: Actor, vp1: Any, tmp_path: Path
) -> None:
    cid = signed_record(store, signer, rich_document(vp1.doc(["T12", "L1"])))
    result = exports.export_fhir(store, signer, cid, tmp_path / "record.json")
    bundle = validated(result.path)
    record, template = exports.load_record(store, signer, cid)
    check_every_answer(bundle, record, template)

    (questionnaire,) = resources(bundle, "Questionnaire")
    assert questionnaire["url"] == fhir.questionnaire_url(template)
    assert questionnaire["version"] == template.version == "1"
    (response,) = resources(bundle, "QuestionnaireResponse")
    assert response["status"] == "completed"
    assert response["questionnaire"] == f"{questionnaire['url']}|1"
    (patient,) = resources(bundle, "Patient")
    assert patient["identifier"][0]["value"] == "MRN-0042"
    assert patient["identifier"][0]["type"]["coding"][0]["code"] == "MR"
    assert patient["name"][0]["text"] == "Łucja Nowak-Żółć"
    assert patient["birthDate"] == "1941-07-14"
    # The acknowledged warning: its message, the reason and the physician as extensions.
    inr = response_items(bundle)["history.inr"]
    urls = {e["url"].rsplit("/", 1)[1]: e for e in inr["extension"]}
    assert "warning" in urls
    ack = {
        e["url"].rsplit("/", 1)[1]: e.get("valueString")
        for e in urls["acknowledgement"]["extension"]
    }
    assert ack["reason"] == record["acknowledgements"]["history.inr"]["reason"]
    assert ack["physician-informed"] == "Dr Amara Okafor"


def test_a_signature_is_a_provenance_with_the_record_hash_as_data(
    store: Store, signer: Actor, vp: Any, tmp_path: Path
) -> None:
    cid = signed_record(store, signer, vp.doc(["L2"]))
    bundle = validated(exports.export_fhir(store, signer, cid, tmp_path / "a.json").path)
    (provenance,) = resources(bundle, "Provenance")
    record, _ = exports.load_record(store, signer, cid)
    signature = record["signatures"][0]
    assert provenance["recorded"] == signature["signed_at"]
    assert provenance["agent"][0]["who"]["display"] == "Nguyễn Thị Hạnh"
    assert provenance["agent"][0]["role"][0]["text"] == "Nurse"
    data = base64.b64decode(provenance["signature"][0]["data"])
    assert data.hex() == signature["record_hash"] == record["record_hash"]


def test_a_record_with_an_addendum_is_amended_with_two_provenances(
    store: Store, signer: Actor, vp: Any, tmp_path: Path
) -> None:
    cid = signed_record(store, signer, vp.doc(["L2"]))
    signing.add_addendum(store, signer, cid, "Levels re-checked on imaging.", SIGNER_PASSWORD)
    bundle = validated(exports.export_fhir(store, signer, cid, tmp_path / "b.json").path)
    (response,) = resources(bundle, "QuestionnaireResponse")
    assert response["status"] == "amended"
    provenances = resources(bundle, "Provenance")
    assert len(provenances) == 2
    codes = [p["activity"]["coding"][0]["code"] for p in provenances]
    assert codes == ["CREATE", "UPDATE"]
    record, _ = exports.load_record(store, signer, cid)
    hashes = [base64.b64decode(p["signature"][0]["data"]).hex() for p in provenances]
    assert hashes == [s["record_hash"] for s in record["signatures"]]
    addendum = next(e for e in response["extension"] if e["url"].endswith("/addendum"))
    assert addendum["extension"][0]["valueString"] == "Levels re-checked on imaging."


def test_the_postponement_reason_is_on_the_response(
    store: Store, signer: Actor, vp: Any, tmp_path: Path
) -> None:
    doc = vp.doc(["L2"])
    cid = signed_record(store, signer, doc, "postponed", "Patient ate breakfast at 07:00")
    bundle = validated(exports.export_fhir(store, signer, cid, tmp_path / "c.json").path)
    (response,) = resources(bundle, "QuestionnaireResponse")
    reasons = [e["valueString"] for e in response["extension"] if "postponement" in e["url"]]
    assert reasons == ["Patient ate breakfast at 07:00"]


def test_a_draft_is_in_progress_and_a_scanned_wristband_says_so(
    store: Store, actors: dict[str, Actor], tmp_path: Path
) -> None:
    nurse = actors["nurse"]
    doc = {
        "patient": {"name": "Ada Example", "date_of_birth": "1948-03-02", "mrn": "MRN00123"},
        "levels": ["L2"],
        "planned_start": "2026-12-01T10:30",
        "physician": "Dr Example",
    }
    cid = checklists.create_from_document(store, nurse, {**doc, "answers": {}})
    wristband.scan(store, nurse, cid, "MRN00123")
    bundle = validated(exports.export_fhir(store, nurse, cid, tmp_path / "d.json").path)
    (response,) = resources(bundle, "QuestionnaireResponse")
    assert response["status"] == "in-progress"
    item = response_items(bundle)[WRISTBAND_ITEM]
    assert item["answer"] == [{"valueBoolean": True}]
    assert {"url": f"{fhir.EXT}/answer-provenance", "valueString": "scanned"} in item["extension"]
    assert resources(bundle, "Provenance") == []


def test_the_export_is_audited_like_a_pdf_and_the_renderer_is_pure(
    store: Store, signer: Actor, vp: Any, tmp_path: Path
) -> None:
    cid = signed_record(store, signer, vp.doc(["L2"]))
    result = exports.export_fhir(store, signer, cid, tmp_path / "e.json")
    event = AuditEvent.select().where(AuditEvent.action == "export").get()
    detail = json.loads(event.detail)
    assert detail["format"] == "fhir"
    assert detail["file_sha256"] == hashlib.sha256(result.path.read_bytes()).hexdigest()
    record, template = exports.load_record(store, signer, cid)
    assert fhir.render(record, template) == result.path.read_bytes()


def test_a_bulk_fhir_export_writes_one_valid_bundle_per_record(
    store: Store, signer: Actor, vp: Any, tmp_path: Path
) -> None:
    ids = [signed_record(store, signer, vp.doc(["L2"])) for _ in range(3)]
    summary = exports.export_bulk(
        store, signer, checklists.Filters(status="signed"), tmp_path / "out", "fhir"
    )
    assert sorted(p.name for p in summary.written) == sorted(exports.fhir_name(i) for i in ids)
    assert summary.text().startswith("3 FHIR Bundles written")
    for path in summary.written:
        validated(path)


def test_a_v2_record_with_coded_allergies_and_drugs_reads_back(
    store: Store, signer: Actor, vp: Any, tmp_path: Path
) -> None:
    doc = vp.doc(["L2"])
    doc["answers"]["history.allergies"] = [
        {"agent": "latex", "reaction": "urticaria"},
        {"agent": "other", "name": "Penicillin", "reaction": "rash"},
    ]
    doc["answers"]["history.anticoagulants"] = [
        {"drug": "apixaban", "last_dose": "2026-03-07T08:00"}
    ]
    cid = checklists.create_from_document(store, signer, doc)
    result = exports.export_fhir(store, signer, cid, tmp_path / "v2.json")
    bundle = validated(result.path)
    record, template = exports.load_record(store, signer, cid)
    assert template.version == "2"
    check_every_answer(bundle, record, template)
    drugs = response_items(bundle)["history.anticoagulants"]["answer"]
    assert len(drugs) == 1 and drugs[0]["valueString"].startswith("Apixaban"), drugs
    allergies = response_items(bundle)["history.allergies"]["answer"]
    assert len(allergies) == 2, allergies
