"""Benign answers to every required item of the active template (v2) and of template v1, shared
by the core, CLI and UI tests and the core benchmark, so a template change is made in one place."""

from __future__ import annotations

from typing import Any

#: Benign answers to every required item of template v1; attire and pillow are filled in from
#: the levels.
BENIGN_V1_ANSWERS: dict[str, Any] = {
    "identity.wristband_checked": "yes",
    "identity.procedure_confirmed": "yes",
    "identity.levels_match_consent": "yes",
    "identity.levels_match_imaging": "yes",
    "identity.site_marked": "yes",
    "consent.signed": "yes",
    "consent.matches_procedure_and_levels": "yes",
    "consent.risks_explained": "yes",
    "consent.interpreter": "not_needed",
    "history.allergies": "none",
    "history.anticoagulants": "none",
    "history.inr": 1.0,
    "history.platelets": 250,
    "history.active_infection": "no",
    "history.pregnancy_excluded": "yes",
    "history.imaging_available": "yes",
    "sedation.last_solids": "2026-03-09T20:00",
    "sedation.meal_type": "light",
    "sedation.last_clear_liquids": "2026-03-10T06:00",
    "sedation.asa_class": "II",
    "sedation.airway_assessed": "yes",
    "sedation.iv_access": "left forearm, 20 G",
    "sedation.baseline_bp": "130/80",
    "sedation.baseline_hr": 72,
    "sedation.baseline_spo2": 97,
    "sedation.monitoring_ready": "yes",
    "sedation.reversal_agents": "yes",
    "sedation.escort": "yes",
    "clothing.metal_removed": "yes",
    "positioning.prone_tolerance": "yes",
    "positioning.pillow_legs": "yes",
    "positioning.pressure_points": "yes",
    "skin.site_intact": "yes",
    "skin.hair_removal": "not_needed",
    "skin.antiseptic": "chlorhexidine",
    "skin.dry_time_min": 3,
    "skin.sterile_drape_ready": "yes",
    "education.recovery_explained": "yes",
    "education.aftercare_explained": "yes",
    "timeout.performed": "yes",
}

#: Benign answers to every required item of the active template (v2: spec §6.4's new items).
BENIGN_ANSWERS: dict[str, Any] = {
    **BENIGN_V1_ANSWERS,
    "history.neuro_baseline": "normal",
    "sedation.weight_kg": 70,
    "sedation.osa_risk": "low",
    "timeout.antibiotic": "given",
}

#: The same for a lumbar checklist (own clothes, pillow under the abdomen), ready to sign.
LUMBAR_ANSWERS: dict[str, Any] = {
    **BENIGN_ANSWERS,
    "clothing.attire": "own_clothes",
    "positioning.pillow_torso": "abdomen",
}

#: The v1 answers for a lumbar checklist, for a file pinned with ``"template_version": 1``.
LUMBAR_V1_ANSWERS: dict[str, Any] = {
    **BENIGN_V1_ANSWERS,
    "clothing.attire": "own_clothes",
    "positioning.pillow_torso": "abdomen",
}
