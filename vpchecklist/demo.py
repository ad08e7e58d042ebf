"""Realistic demo data: demo users and signed checklists over every region, some with
acknowledged warnings, some postponed. Used by ``vpchecklist demo`` and ``vpchecklist-app --demo``."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from vpchecklist.clock import ManualClock, using_clock, utc_now
from vpchecklist.errors import PermissionDenied
from vpchecklist.services import Actor, audit, checklists, signing
from vpchecklist.services.auth import check_credentials, hash_password
from vpchecklist.store import Store
from vpchecklist.store.models import User

DEMO_PASSWORD = "demo-password"
DEMO_USERS = [
    ("demo.admin", "admin", "Demo Administrator"),
    ("demo.nurse", "nurse", "Łucja Nowak-Żółć"),
    ("demo.nurse2", "nurse", "Nguyễn Thị Hạnh"),
    ("demo.physician", "physician", "Dr Amara Okafor"),
    ("demo.auditor", "auditor", "Søren Kierkegård"),
]

_FIRST = [
    "Ada",
    "Maria",
    "Jan",
    "Zofia",
    "Ingrid",
    "Margaret",
    "José",
    "Aiko",
    "Fatima",
    "Helga",
    "Øyvind",
    "Renée",
    "Łucja",
    "Nguyễn Thị",
    "Siobhán",
    "Gökhan",
    "Eleanor",
    "Chidi",
]
_LAST = [
    "Example",
    "Kowalska",
    "Hansen",
    "Müller",
    "O'Brien",
    "Nowak-Żółć",
    "Hạnh",
    "García",
    "Tanaka",
    "Haddad",
    "Lindqvist",
    "Dubois",
    "Okafor",
    "Smith",
    "Papadopoulou",
]
_ALLERGIES: list[Any] = [
    "none",
    "none",
    [{"agent": "other", "name": "Penicillin", "reaction": "rash"}],
    [{"agent": "adhesive", "reaction": "blistering under dressings"}],
    [{"agent": "iodinated_contrast", "reaction": "hives"}],
]

_LEVEL_SETS = [
    ["T8"],
    ["T11", "T12"],
    ["T12", "L1"],
    ["L1"],
    ["L2"],
    ["L3", "L4"],
    ["L4"],
    ["L5", "S1"],
    ["S1"],
    ["T10"],
    ["L2", "L3", "L4"],
    ["S2"],
    ["T5"],
]


def ensure_demo_users(store: Store) -> dict[str, Actor]:
    """Create the demo users that are missing (one audited system action); returns them.

    Only on a demo database: anywhere else these published names and password would be a
    way in. Checked and created in one write transaction, so two ``demo`` processes started
    at once on a new database create each user once."""
    require_demo_database(store)
    with store.reading():
        missing = [e for e in DEMO_USERS if User.get_or_none(User.username == e[0]) is None]
    if missing:
        password_hash = hash_password(DEMO_PASSWORD)
        with store.transaction():
            for username, role, full_name in DEMO_USERS:
                if User.get_or_none(User.username == username) is not None:
                    continue
                user = User(
                    username=username,
                    full_name=full_name,
                    role=role,
                    password_hash=password_hash,
                    created_at=utc_now(),
                )
                audit.record_user_change(
                    None, "user_add", user, username_added=username, role=role, demo=True
                )
                user.save(force_insert=True)
    return {
        username: check_credentials(store, username, DEMO_PASSWORD, "demo")
        for username, _role, _name in DEMO_USERS
    }


def require_demo_database(store: Store) -> None:
    """Demo users and data go only into a database created as a demo database."""
    if not store.is_demo:
        raise PermissionDenied(
            f"The database {store.label} was not created as a demo database; demo data goes "
            "only into a database made by 'vpchecklist demo' or 'vpchecklist-app --demo'."
        )


def check_demo_allowed(store: Store) -> None:
    require_demo_database(store)


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M")


def demo_document(
    rng: random.Random, planned: datetime, levels: list[str], flavour: str
) -> dict[str, Any]:
    """A complete checklist document; ``flavour`` is ``clean``, ``warning`` or ``stop``."""
    thoracic = any(level.startswith("T") for level in levels)
    answers: dict[str, Any] = {
        "identity.wristband_checked": "yes",
        "identity.procedure_confirmed": "yes",
        "identity.levels_match_consent": "yes",
        "identity.levels_match_imaging": "yes",
        "identity.site_marked": "yes"
        if rng.random() < 0.8
        else {"na": "Marked under fluoroscopy per site policy"},
        "consent.signed": "yes",
        "consent.matches_procedure_and_levels": "yes",
        "consent.risks_explained": "yes",
        "consent.interpreter": rng.choice(["not_needed", "not_needed", "used"]),
        "history.allergies": rng.choice(_ALLERGIES),
        "history.anticoagulants": rng.choice(
            [
                "none",
                "none",
                "none",
                [{"drug": "apixaban", "last_dose": _stamp(planned - timedelta(hours=80))}],
                [{"drug": "aspirin", "last_dose": _stamp(planned - timedelta(days=7))}],
            ]
        ),
        "history.neuro_baseline": "normal",
        "history.inr": round(rng.uniform(0.9, 1.3), 2),
        "history.platelets": rng.randint(150, 400),
        "history.active_infection": "no",
        "history.pregnancy_excluded": {"na": "Post-menopausal patient"},
        "history.imaging_available": "yes",
        "sedation.last_solids": _stamp(planned - timedelta(hours=rng.randint(9, 14))),
        "sedation.meal_type": rng.choice(["light", "fatty"]),
        "sedation.last_clear_liquids": _stamp(planned - timedelta(hours=rng.randint(3, 6))),
        "sedation.asa_class": rng.choice(["I", "II", "II", "III"]),
        "sedation.weight_kg": rng.randint(48, 95),
        "sedation.airway_assessed": "yes",
        "sedation.osa_risk": "low",
        "sedation.iv_access": rng.choice(
            ["Left forearm 20G", "Right hand 22G", "Left antecubital 18G"]
        ),
        "sedation.baseline_bp": f"{rng.randint(110, 160)}/{rng.randint(65, 95)}",
        "sedation.baseline_hr": rng.randint(58, 95),
        "sedation.baseline_spo2": rng.randint(94, 99),
        "sedation.monitoring_ready": "yes",
        "sedation.reversal_agents": "yes",
        "sedation.escort": "yes",
        "clothing.attire": "gown" if thoracic or rng.random() < 0.3 else "own_clothes",
        "clothing.metal_removed": "yes",
        "positioning.prone_tolerance": "yes",
        "positioning.pillow_torso": "chest" if levels[0].startswith("T") else "abdomen",
        "positioning.pillow_legs": "yes",
        "positioning.pressure_points": "yes",
        "skin.site_intact": "yes",
        "skin.hair_removal": rng.choice(["clipped", "not_needed"]),
        "skin.antiseptic": "chlorhexidine",
        "skin.dry_time_min": rng.choice([3, 3, 4, 5]),
        "skin.sterile_drape_ready": "yes",
        "education.recovery_explained": "yes",
        "education.aftercare_explained": "yes",
        "timeout.performed": "yes",
        "timeout.antibiotic": rng.choice(["given", "not_indicated"]),
    }
    acks: dict[str, Any] = {}
    allergies = answers["history.allergies"]
    if isinstance(allergies, list) and allergies[0]["agent"] == "iodinated_contrast":
        acks["history.allergies"] = {
            "reason": "Non-iodinated plan: vertebroplasty under fluoroscopy without contrast",
            "physician_informed": "Dr Amara Okafor",
        }
    if flavour == "warning":
        answers["history.inr"] = round(rng.uniform(1.6, 1.9), 2)
        acks["history.inr"] = {
            "reason": "Discussed with IR; proceed with local haemostasis",
            "physician_informed": "Dr Amara Okafor",
        }
    if flavour == "stop":
        answers["consent.signed"] = "no"
    if levels[0] in ("T1", "T2", "T3", "T4", "T5", "T6"):
        acks["levels"] = {
            "reason": "Level confirmed on MRI with the interventional radiologist",
            "physician_informed": "Dr Amara Okafor",
        }
    return {
        "patient": {
            "name": f"{rng.choice(_FIRST)} {rng.choice(_LAST)}",
            "date_of_birth": f"{rng.randint(1935, 1965)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            "mrn": f"MRN{rng.randint(100000, 999999)}",
        },
        "levels": levels,
        "planned_start": _stamp(planned),
        "physician": "Dr Amara Okafor",
        "answers": answers,
        "acknowledgements": acks,
    }


#: How demo checklists were completed: mostly with care, some with one section clicked through,
#: a few rushed from start to end, some imported from a file (not timed).
PACES = {"careful": 76, "hurried_section": 9, "rushed": 7, "imported": 8}
#: Seconds a careful nurse takes per answer, by item kind (checking, asking, typing).
_CAREFUL_SECONDS = {
    "confirm": (3.0, 14.0),
    "choice": (4.0, 12.0),
    "number": (8.0, 25.0),
    "text": (10.0, 30.0),
    "datetime": (10.0, 30.0),
}
_HURRIED_SECONDS = (0.4, 1.3)


def _walk(
    store: Store,
    rng: random.Random,
    signer: Actor,
    doc: dict[str, Any],
    planned: datetime,
    pace: str,
) -> tuple[int, ManualClock]:
    """Enter ``doc`` the way a nurse would, one answer at a time on a simulated clock, so the
    audit trail holds realistic answer times (``clock.using_clock``: this thread only)."""
    template = checklists.active_template()
    lead = rng.choices([rng.uniform(25, 55), rng.uniform(120, 240), rng.uniform(0, 3)], [86, 10, 4])
    clock = ManualClock((planned - timedelta(minutes=lead[0])).astimezone(UTC))
    with using_clock(clock):
        if pace == "imported":
            cid = checklists.create_from_document(store, signer, doc, is_demo=True)
            clock.advance(rng.uniform(60, 600))
            return cid, clock
        header = {key: value for key, value in doc.items() if key != "answers"}
        cid = checklists.create_from_document(
            store, signer, {**header, "answers": {}, "acknowledgements": {}}, is_demo=True
        )
        hurried = rng.choice(["identity", "consent", "sedation", "positioning", "skin"])
        for item_id, value in doc["answers"].items():
            item = template.item(item_id)
            kind = item.kind if item else "text"
            fast = pace == "rushed" or (pace == "hurried_section" and item_id.startswith(hurried))
            low, high = _HURRIED_SECONDS if fast else _CAREFUL_SECONDS.get(kind, (12.0, 40.0))
            clock.advance(rng.uniform(low, high))
            if kind == "number" and not fast and rng.random() < 0.03:
                checklists.answer(store, signer, cid, item_id, value + 1)  # a typo, corrected
                clock.advance(rng.uniform(4, 10))
            checklists.answer(store, signer, cid, item_id, value)
        for item_id, ack in doc["acknowledgements"].items():
            clock.advance(rng.uniform(20, 60))
            checklists.acknowledge(
                store, signer, cid, item_id, ack["reason"], ack["physician_informed"]
            )
        clock.advance(rng.uniform(20, 90))
    return cid, clock


def generate(
    store: Store,
    count: int,
    seed: int | None = None,
    on_signed: Callable[[int], None] | None = None,
) -> Iterator[int]:
    """Create and sign ``count`` demo checklists, yielding each id once its signature commits.

    Each is answered item by item at a realistic pace (see ``PACES``) on a simulated clock
    before its planned start, so the auditor dashboard has completion patterns to show."""
    check_demo_allowed(store)
    people = ensure_demo_users(store)
    rng = random.Random(seed)
    # The pace has its own generator: the same seed still gives the same patients, levels,
    # flavours and signers as before paces existed.
    pacing = random.Random(f"{seed}-pacing")
    start = datetime.now().replace(minute=0, second=0, microsecond=0) - timedelta(days=30)
    signers = [people["demo.nurse"], people["demo.nurse2"], people["demo.physician"]]
    for n in range(count):
        planned = start + timedelta(hours=2 * n + rng.randint(0, 1))
        flavour = rng.choices(["clean", "warning", "stop"], weights=[7, 2, 1])[0]
        levels = rng.choice(_LEVEL_SETS)
        doc = demo_document(rng, planned, levels, flavour)
        signer = rng.choice(signers)
        pace = pacing.choices(list(PACES), list(PACES.values()))[0]
        # One transaction per record (the services' own nest inside it): one durable write
        # instead of one per answer, and a record is there whole or not at all.
        with store.transaction():
            cid, clock = _walk(store, pacing, signer, doc, planned, pace)
            with using_clock(clock):  # signed once the last answer is in
                if flavour == "stop":
                    signing.sign(
                        store,
                        signer,
                        cid,
                        DEMO_PASSWORD,
                        "postponed",
                        "Consent form not signed; procedure rebooked",
                    )
                else:
                    signing.sign(store, signer, cid, DEMO_PASSWORD, "ready")
        if on_signed:
            on_signed(cid)
        yield cid
