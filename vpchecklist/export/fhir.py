"""A record as an HL7 FHIR R4 Bundle: Questionnaire, QuestionnaireResponse, Patient, Provenance.

Record in, JSON bytes out (the verb that writes and audits the file is in
``services.exports``). The same record always gives the same bytes: ids are UUIDs derived from
the checklist id and its record hash, and no clock is read.

- The template is the ``Questionnaire`` (canonical URL + version); sections are groups.
- The record is the ``QuestionnaireResponse``: ``completed`` when signed, ``amended`` once it
  has addenda, ``in-progress`` for a draft; every answer under ``linkId`` = the item id.
  Warnings, hard stops and acknowledgements are extensions on the answered item; the
  postponement reason and the addenda are extensions on the response.
- The ``Patient`` carries the MRN (identifier type MR), the name and the birth date.
- One ``Provenance`` per signature: the signer as agent with their role, ``recorded`` = the
  signing time, and a signature whose data is the record's SHA-256 (the hash chain link).
"""

from __future__ import annotations

import base64
import json
import uuid
from datetime import datetime
from typing import Any

from vpchecklist.presentation import answer_lines, role_name
from vpchecklist.rules.values import is_na
from vpchecklist.templates import Template
from vpchecklist.templates.model import Item

#: Where the Questionnaire's canonical URL and the extensions live; a site that publishes its
#: Questionnaire elsewhere maps this base.
CANONICAL_BASE = "http://vpchecklist.invalid/fhir"
EXT = f"{CANONICAL_BASE}/StructureDefinition"
MRN_TYPE = {
    "coding": [
        {"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "MR"},
    ],
    "text": "Medical record number",
}
_NAMESPACE = uuid.UUID("5b0f3c1e-9c55-4c1e-8a4a-6c1b7f0d1e16")
_ITEM_TYPES = {
    "confirm": "boolean",
    "choice": "choice",
    "number": "decimal",
    "datetime": "dateTime",
    "text": "text",
    "blood_pressure": "string",
    "allergies": "string",
    "anticoagulants": "string",
}


def questionnaire_url(template: Template) -> str:
    return f"{CANONICAL_BASE}/Questionnaire/{template.id}"


def _full_url(record: dict[str, Any], kind: str) -> str:
    seed = f"{record['id']}:{record.get('record_hash') or record['status']}:{kind}"
    return f"urn:uuid:{uuid.uuid5(_NAMESPACE, seed)}"


def _instant(stamp: str) -> str:
    """Stored UTC text (``…T09:12:03.123456Z``) is already a FHIR instant."""
    return stamp


def _wall_with_offset(wall: str, utc: str | None) -> str:
    """A local wall time as a FHIR dateTime, its offset taken from the stored UTC instant."""
    local = datetime.strptime(wall, "%Y-%m-%dT%H:%M")
    if not utc:
        return local.strftime("%Y-%m-%dT%H:%M:00")
    moment = datetime.strptime(utc.rstrip("Z")[:16], "%Y-%m-%dT%H:%M")
    minutes = round((local - moment).total_seconds() / 60)
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"{local:%Y-%m-%dT%H:%M}:00{sign}{hours:02d}:{rest:02d}"


def _questionnaire_item(item: Item) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "linkId": item.id,
        "text": item.label,
        "type": _ITEM_TYPES.get(item.kind, "string"),
        "required": item.required,
    }
    if item.kind in ("allergies", "anticoagulants"):
        entry["repeats"] = True
    if item.kind == "choice":
        entry["answerOption"] = [
            {
                "valueCoding": {
                    "system": f"{questionnaire_url_of_item(item)}",
                    "code": o.id,
                    "display": o.label,
                }
            }
            for o in item.options
        ]
    return entry


def questionnaire_url_of_item(item: Item) -> str:
    """The code system of a choice item's options: one per item, under the canonical base."""
    return f"{CANONICAL_BASE}/CodeSystem/{item.id}"


def _questionnaire(template: Template) -> dict[str, Any]:
    return {
        "resourceType": "Questionnaire",
        "url": questionnaire_url(template),
        "version": template.version,
        "name": template.id.replace("-", "_").title().replace("_", ""),
        "title": template.title,
        "status": "active",
        "item": [
            {
                "linkId": section.id,
                "text": section.title,
                "type": "group",
                "item": [_questionnaire_item(item) for item in section.items],
            }
            for section in template.sections
        ],
    }


def _answers(item: Item, entry: dict[str, Any], planned_start: str) -> list[dict[str, Any]]:
    value = entry["value"]
    if is_na(value):
        return [
            {
                "valueString": answer_lines(item, value)[0],
                "extension": [{"url": f"{EXT}/not-applicable-reason", "valueString": value["na"]}],
            }
        ]
    if item.kind == "confirm":
        return [{"valueBoolean": value == "yes"}]
    if item.kind == "choice":
        return [
            {
                "valueCoding": {
                    "system": questionnaire_url_of_item(item),
                    "code": value,
                    "display": item.option_label(value),
                }
            }
        ]
    if item.kind == "number" and isinstance(value, int | float) and not isinstance(value, bool):
        return [{"valueDecimal": value}]
    if item.kind == "datetime" and isinstance(value, str):
        return [{"valueDateTime": _wall_with_offset(value, entry.get("value_utc"))}]
    # Allergies, anticoagulants (with the hours before the start), blood pressure, text: the
    # review page's words, one answer per line.
    return [{"valueString": line} for line in answer_lines(item, value, planned_start)]


def _extension_text(url: str, text: str) -> dict[str, Any]:
    return {"url": f"{EXT}/{url}", "valueString": text}


def _acknowledgement(ack: dict[str, Any]) -> dict[str, Any]:
    parts = [
        _extension_text("warning", ack.get("warning", "")),
        _extension_text("reason", ack.get("reason", "")),
        _extension_text("physician-informed", ack.get("physician_informed", "")),
        _extension_text(
            "acknowledged-by", ack.get("acknowledged_by_name") or ack.get("acknowledged_by") or ""
        ),
    ]
    if ack.get("acknowledged_at"):
        parts.append({"url": f"{EXT}/acknowledged-at", "valueDateTime": ack["acknowledged_at"]})
    return {"url": f"{EXT}/acknowledgement", "extension": parts}


def _response_item(
    item: Item, record: dict[str, Any], findings: dict[str, list[tuple[str, str]]]
) -> dict[str, Any] | None:
    entry = record["answers"].get(item.id)
    ack = record["acknowledgements"].get(item.id)
    found = findings.get(item.id, [])
    if entry is None and ack is None and not found:
        return None
    out: dict[str, Any] = {"linkId": item.id, "text": item.label}
    extensions = [_extension_text(kind, message) for kind, message in found]
    if entry is not None and entry.get("provenance"):
        extensions.append(_extension_text("answer-provenance", str(entry["provenance"])))
    if ack is not None:
        extensions.append(_acknowledgement(ack))
    if extensions:
        out["extension"] = extensions
    if entry is not None:
        out["answer"] = _answers(item, entry, record["header"]["planned_start"])
    return out


def _findings(record: dict[str, Any]) -> dict[str, list[tuple[str, str]]]:
    evaluation = record.get("evaluation", {})
    found: dict[str, list[tuple[str, str]]] = {}
    for kind, key in (("hard-stop", "stops"), ("warning", "warnings")):
        for finding in evaluation.get(key, []):
            found.setdefault(finding["item"], []).append((kind, finding["message"]))
    return found


def _status(record: dict[str, Any]) -> str:
    if record["status"] == "draft":
        return "in-progress"
    return "amended" if record.get("addenda") else "completed"


def _record_signature(record: dict[str, Any]) -> dict[str, Any] | None:
    return next((s for s in record["signatures"] if s["meaning"] != "addendum"), None)


def _response(record: dict[str, Any], template: Template, patient_url: str) -> dict[str, Any]:
    findings = _findings(record)
    groups = []
    for section in template.sections:
        items = [
            answered
            for item in section.items
            if (answered := _response_item(item, record, findings)) is not None
        ]
        if items:
            groups.append({"linkId": section.id, "text": section.title, "item": items})
    signed = _record_signature(record)
    response: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "identifier": {"system": f"{CANONICAL_BASE}/checklist", "value": str(record["id"])},
        "questionnaire": f"{questionnaire_url(template)}|{template.version}",
        "status": _status(record),
        "subject": {"reference": patient_url},
        "authored": _instant(signed["signed_at"] if signed else record["created_at"]),
        "item": groups,
    }
    if signed is not None:
        response["author"] = {"display": signed["printed_name"]}
    extensions = []
    if signed is not None and signed["meaning"] == "postponed" and signed.get("reason"):
        extensions.append(_extension_text("postponement-reason", signed["reason"]))
    for addendum in record.get("addenda", []):
        extensions.append(
            {
                "url": f"{EXT}/addendum",
                "extension": [
                    _extension_text("text", addendum.get("text") or ""),
                    _extension_text("author", addendum["signature"]["printed_name"]),
                    {
                        "url": f"{EXT}/signed-at",
                        "valueDateTime": addendum["signature"]["signed_at"],
                    },
                ],
            }
        )
    if extensions:
        response["extension"] = extensions
    return response


def _patient(record: dict[str, Any]) -> dict[str, Any]:
    patient = record["header"]["patient"]
    return {
        "resourceType": "Patient",
        "identifier": [{"use": "usual", "type": MRN_TYPE, "value": patient["mrn"]}],
        "name": [{"text": patient["name"]}],
        "birthDate": patient["date_of_birth"],
    }


def _provenance(signature: dict[str, Any], response_url: str) -> dict[str, Any]:
    digest = base64.b64encode(bytes.fromhex(signature["record_hash"])).decode("ascii")
    signer = {"display": signature["printed_name"]}
    if signature.get("signer"):
        signer["identifier"] = {"system": f"{CANONICAL_BASE}/user", "value": signature["signer"]}
    addendum = signature["meaning"] == "addendum"
    return {
        "resourceType": "Provenance",
        "target": [{"reference": response_url}],
        "recorded": _instant(signature["signed_at"]),
        "activity": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/v3-DataOperation",
                    "code": "UPDATE" if addendum else "CREATE",
                }
            ],
            "text": signature["meaning_text"],
        },
        "reason": [{"text": signature["meaning_text"]}],
        "agent": [
            {
                "type": {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/provenance-participant-type",
                            "code": "author",
                        }
                    ]
                },
                "role": [{"text": role_name(signature["role"])}],
                "who": signer,
            }
        ],
        "signature": [
            {
                "type": [
                    {
                        "system": "urn:iso-astm:E1762-95:2013",
                        "code": "1.2.840.10065.1.12.1.1",
                        "display": "Author's Signature",
                    }
                ],
                "when": _instant(signature["signed_at"]),
                "who": signer,
                "targetFormat": "application/json",
                "sigFormat": "application/octet-stream",
                "data": digest,
            }
        ],
    }


def bundle(record: dict[str, Any], template: Template) -> dict[str, Any]:
    """The Bundle as a JSON-ready dict (``render`` gives its bytes)."""
    urls = {kind: _full_url(record, kind) for kind in ("questionnaire", "response", "patient")}
    entries = [
        {"fullUrl": urls["questionnaire"], "resource": _questionnaire(template)},
        {"fullUrl": urls["response"], "resource": _response(record, template, urls["patient"])},
        {"fullUrl": urls["patient"], "resource": _patient(record)},
    ]
    for signature in record["signatures"]:
        entries.append(
            {
                "fullUrl": _full_url(record, f"provenance-{signature['seq']}"),
                "resource": _provenance(signature, urls["response"]),
            }
        )
    last = record["signatures"][-1]["signed_at"] if record["signatures"] else record["created_at"]
    return {
        "resourceType": "Bundle",
        "identifier": {
            "system": f"{CANONICAL_BASE}/record",
            "value": f"{record['id']}-{record.get('record_hash') or 'draft'}",
        },
        "type": "collection",
        "timestamp": _instant(last),
        "entry": entries,
    }


def render(record: dict[str, Any], template: Template) -> bytes:
    return (json.dumps(bundle(record, template), indent=2, ensure_ascii=False) + "\n").encode()
