"""The README's samples stay true: docs/samples' HL7 message imports without a refusal and its
FHIR Bundle validates with fhir.resources (R4B)."""

from __future__ import annotations

import json
from pathlib import Path

from fhir.resources.R4B.bundle import Bundle

from vpchecklist.services import Actor, schedule, settings
from vpchecklist.store import Store

SAMPLES = Path(__file__).parents[2] / "docs" / "samples"


def test_the_sample_message_imports_as_the_readme_says(
    store: Store, actors: dict[str, Actor]
) -> None:
    settings.update(store, actors["admin"], {"schedule_levels_field": "NTE"})
    summary = schedule.import_file(store, actors["nurse"], SAMPLES / "schedule-sample.hl7")
    assert summary.counts() == {"added": 2, "updated": 1, "cancelled": 1, "refused": 0}


def test_the_sample_bundle_validates() -> None:
    data = json.loads((SAMPLES / "fhir-bundle-sample.json").read_text(encoding="utf-8"))
    Bundle.model_validate(data)
    kinds = [entry["resource"]["resourceType"] for entry in data["entry"]]
    assert kinds == [
        "Questionnaire",
        "QuestionnaireResponse",
        "Patient",
        "Provenance",
        "Provenance",
    ]
