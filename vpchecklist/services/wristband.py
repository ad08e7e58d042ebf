"""The wristband scan verb: a scanned code answers the wristband check, or stops it.

The scanner types the code into the app; the MRN in it (the site's pattern) is compared with
the checklist's. Equal: the check is answered "yes" with the provenance "scanned". Different:
the check is answered "no" (scanned) — a hard stop on the record, not only a message — and the
nurse is told both MRNs. A code without a recognisable MRN changes nothing (refusal audited).
"""

from __future__ import annotations

from dataclasses import dataclass

from vpchecklist.errors import ValidationError
from vpchecklist.rules import Evaluation
from vpchecklist.services import checklists
from vpchecklist.services.actors import Actor
from vpchecklist.services.records import get_checklist
from vpchecklist.services.settings import get_all
from vpchecklist.services.verbs import performing
from vpchecklist.store import Store
from vpchecklist.wristband import (
    SCANNED,
    WRISTBAND_ITEM,
    mismatch_message,
    mrn_from_code,
    same_mrn,
)


@dataclass(frozen=True)
class ScanResult:
    matched: bool
    message: str  # "" when matched; the hard stop's sentence otherwise
    evaluation: Evaluation


def scan(store: Store, actor: Actor, checklist_id: int, code: str) -> ScanResult:
    with performing(store, actor, "answer", checklist_id):  # the answer below audits itself
        pattern = get_all(store)["wristband_mrn_pattern"]
        with store.reading():
            expected = get_checklist(checklist_id).mrn
        scanned = mrn_from_code(code[:500], pattern)
        if scanned is None:
            raise ValidationError(
                WRISTBAND_ITEM, "the scanned code holds no MRN this site's wristbands carry"
            )
    matched = same_mrn(scanned, expected)
    ev = checklists.answer(
        store, actor, checklist_id, WRISTBAND_ITEM, "yes" if matched else "no", SCANNED
    )
    return ScanResult(matched, "" if matched else mismatch_message(scanned, expected), ev)
