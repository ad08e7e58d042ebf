"""Reading one stored checklist: the row, its template, header, document and evaluation.

Shared by the checklist verbs and signing (and anything else that needs a stored record), so
neither has to reach into the other's private helpers.
"""

from __future__ import annotations

import json
from typing import Any

from vpchecklist.errors import NotFound, RecordLocked
from vpchecklist.rules import Evaluation, evaluate
from vpchecklist.services.draft_rows import answers_and_acknowledgements, checklist_row
from vpchecklist.services.templates import template_by_hash
from vpchecklist.store.models import Checklist
from vpchecklist.templates import Template


def get_checklist(checklist_id: int) -> Checklist:
    """The checklist row, or NotFound naming the id."""
    checklist = checklist_row(checklist_id)
    if checklist is None:
        raise NotFound(f"There is no checklist {checklist_id}.")
    return checklist


def draft_checklist(checklist_id: int) -> Checklist:
    """The checklist row when it may still change; a closed record refuses (addenda only)."""
    checklist = get_checklist(checklist_id)
    if checklist.status != "draft":
        raise RecordLocked(
            f"Checklist {checklist_id} is {checklist.status} and read-only; add an addendum instead."
        )
    return checklist


def template_of(checklist: Checklist) -> Template:
    """The template the checklist was made with (not necessarily today's active one)."""
    return template_by_hash(checklist.template_hash)


def header_of(checklist: Checklist) -> dict[str, Any]:
    """The checklist header (spec §3) as stored: one shape for documents, details and the
    signed content."""
    return {
        "patient": {
            "name": checklist.patient_name,
            "date_of_birth": checklist.date_of_birth,
            "mrn": checklist.mrn,
        },
        "levels": json.loads(checklist.levels),
        "planned_start": checklist.planned_start,
        "physician": checklist.physician,
        "timezone": checklist.timezone,
    }


def document(checklist: Checklist) -> dict[str, Any]:
    """The stored checklist in the ``evaluate`` file shape (canonical values)."""
    answers, acks = answers_and_acknowledgements(checklist.id)
    return document_from(checklist, answers, acks)


def document_from(
    checklist: Checklist, answers: dict[str, Any], acknowledgements: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    """The ``evaluate`` file shape from answers and acknowledgements already read (a caller
    that has them, like ``checklists.detail``, need not read them twice)."""
    header = header_of(checklist)
    del header["timezone"]
    return {**header, "answers": answers, "acknowledgements": acknowledgements}


def evaluate_stored(checklist: Checklist) -> Evaluation:
    """The rules applied to the stored record with the template it was made with."""
    return evaluate(template_of(checklist), document(checklist))
