"""Core benchmarks (issues 3, 10): answer save, sign, 1,000 checklists created+signed, list at 100k.

    python benchmarks/core.py [--checklists 1000] [--rows 100000] [--db postgresql://USER@HOST/DB]

With ``--db`` every figure is printed twice: on SQLite files, then on that PostgreSQL server
(issue 14 targets there: answer save ≤ 5 ms, sign ≤ 15 ms excluding the password check).

Targets: answer save ≤ 2 ms, sign ≤ 20 ms, 1,000 created+signed —, list at 100,000 ≤ 150 ms.
Signing re-enters the password, so its time is dominated by the argon2id check (deliberately
costly); it is measured on its own and sign is also reported without it.

Every write figure is printed with its floor — one durable one-row write transaction
(synchronous=FULL) — timed alternately with it in the same run, so the ratio can be compared
across machines and under a shared disk's changing load.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.databases import Databases, backends  # noqa: E402
from tests.documents import LUMBAR_ANSWERS  # noqa: E402

TARGETS = {"answer": 2.0, "sign": 20.0, "list": 150.0}
#: Issue 14's targets on a local PostgreSQL server (every statement is a round trip there).
SERVER_TARGETS = {"answer": 5.0, "sign": 15.0, "list": 150.0}

BENIGN = LUMBAR_ANSWERS
HEADER = {
    "patient": {"name": "Jane Doe", "date_of_birth": "1948-03-02", "mrn": "MRN-0001"},
    "levels": ["L2"],
    "planned_start": "2026-03-10T10:00",
    "physician": "Dr A. Radiologist",
}
PASSWORD = "bench-password-1"


def _ms(seconds: float) -> float:
    return seconds * 1000


def _timed(call: Callable[..., Any], *args: Any) -> float:
    start = time.perf_counter()
    call(*args)
    return time.perf_counter() - start


def _verdict(value: float, target: float) -> str:
    return "ok" if value <= target else f"OVER target {target:g} ms"


def _document(n: int) -> dict[str, Any]:
    doc = json.loads(json.dumps(HEADER))
    doc["patient"]["mrn"] = f"MRN{n:06d}"
    doc["answers"] = dict(BENIGN)
    doc["acknowledgements"] = {}
    return doc


def bench_clinical(databases: Databases, n_checklists: int) -> None:
    from vpchecklist.services import auth, checklists, signing, users
    from vpchecklist.store import open_store

    store = open_store(databases.new("clinical"))
    targets = SERVER_TARGETS if databases.server_url else TARGETS
    admin = users.create_first_admin(store, "admin", "Bench Admin", PASSWORD)
    users.add_user(store, admin, "nurse", "nurse", "Bench Nurse", PASSWORD, False)
    nurse = auth.authenticate(store, "nurse", PASSWORD)
    header = checklists.parse_header(HEADER, checklists.active_template())

    # Floor: the cheapest durable write (one row, one commit, synchronous=FULL) on this disk.
    floor_key = iter(range(1_000_000))

    def bare_write() -> None:
        with store.transaction():
            store.db.execute_sql(
                "INSERT INTO setting (key, value) VALUES (?, ?)", (f"b{next(floor_key)}", "v")
            )

    floors: list[float] = []

    def against_floor(call: Callable[..., Any], *args: Any) -> float:
        """Time ``call`` and, right after, the floor: both see the disk in the same state."""
        took = _timed(call, *args)
        floors.append(_timed(bare_write))
        return took

    # Answer save: every required item of five fresh drafts (200 saves), then 200 changes.
    saves: list[float] = []
    items = list(BENIGN.items())
    drafts = [checklists.start_checklist(store, nurse, header) for _ in range(5)]
    for cid in drafts:
        for item_id, value in items:
            saves.append(against_floor(checklists.answer, store, nurse, cid, item_id, value))
    changes: list[float] = []
    for i in range(200):
        value = round(1.0 + (i % 5) / 10, 1)
        changes.append(
            against_floor(checklists.answer, store, nurse, drafts[0], "history.inr", value)
        )
    commit_ms = _ms(statistics.median(floors))
    save_ms = _ms(statistics.median(saves))
    print(f"floor: {databases.floor_label()}: {commit_ms:.2f} ms")
    print(
        f"answer save: median {save_ms:.2f} ms over {len(saves)} new answers "
        f"(floor {commit_ms:.2f} ms + {save_ms - commit_ms:.2f} ms, {save_ms / commit_ms:.1f}x; "
        f"p95 {_ms(sorted(saves)[int(len(saves) * 0.95)]):.2f} ms); "
        f"median {_ms(statistics.median(changes)):.2f} ms over {len(changes)} changed answers "
        f"— {_verdict(save_ms, targets['answer'])}"
    )

    # Password check alone (argon2id verify + user read), as done at every signature.
    checks = [
        _timed(lambda: auth.check_credentials(store, "nurse", PASSWORD, "x")) for _ in range(20)
    ]
    check_ms = _ms(statistics.median(checks))

    # Sign: the full call, and the same call with the password check replaced by a no-op.
    ready = [checklists.create_from_document(store, nurse, _document(i)) for i in range(40)]
    full = [_timed(signing.sign, store, nurse, cid, PASSWORD, "ready") for cid in ready[:20]]
    floors.clear()
    real_check = signing.check_credentials
    signing.check_credentials = lambda *a, **k: nurse  # type: ignore[assignment]
    try:
        bare = [
            against_floor(signing.sign, store, nurse, cid, PASSWORD, "ready") for cid in ready[20:]
        ]
    finally:
        signing.check_credentials = real_check
    bare_ms = _ms(statistics.median(bare))
    print(
        f"sign: median {_ms(statistics.median(full)):.1f} ms total (argon2id password check "
        f"alone {check_ms:.1f} ms); {bare_ms:.2f} ms excluding the password check "
        f"({bare_ms / _ms(statistics.median(floors)):.1f}x floor "
        f"{_ms(statistics.median(floors)):.2f} ms) — {_verdict(bare_ms, targets['sign'])} "
        "(excluding the check)"
    )

    # 1,000 checklists created from a document and signed (password checked each time).
    start = time.perf_counter()
    for i in range(n_checklists):
        cid = checklists.create_from_document(store, nurse, _document(10_000 + i))
        signing.sign(store, nurse, cid, PASSWORD, "ready")
    total = time.perf_counter() - start
    print(
        f"{n_checklists:,} checklists created+signed: {total:.1f} s "
        f"({_ms(total / n_checklists):.1f} ms each, of which ~{check_ms:.0f} ms password check; "
        f"~{total - n_checklists * check_ms / 1000:.1f} s without it)"
    )
    problems = signing.verify_chain(store)
    if problems:
        print(f"  WARNING: chain verification found {len(problems)} problem(s)")
    store.close()


def _fill(n_rows: int) -> None:
    from vpchecklist.store.models import Checklist, User, database
    from vpchecklist.templates import default_template

    template = default_template()
    rng = random.Random(7)
    user = User.get(User.username == "admin")
    level_sets = [["T8"], ["T12", "L1"], ["L1"], ["L2"], ["L3", "L4"], ["L5", "S1"], ["S1"]]
    base = datetime(2023, 1, 1, 8, 0)
    now = "2026-01-01T00:00:00.000000Z"
    rows = []
    for i in range(n_rows):
        planned = base + timedelta(minutes=30 * i + rng.randint(0, 20))
        roll = rng.random()
        status = "signed" if roll < 0.9 else ("postponed" if roll < 0.95 else "draft")
        signed_at = (planned - timedelta(minutes=15)).strftime("%Y-%m-%dT%H:%M:%S.000000Z")
        rows.append(
            {
                "template_hash": template.content_hash,
                "template_id": template.id,
                "template_version": template.version,
                "patient_name": f"Patient {rng.randint(1, 60_000)}",
                "date_of_birth": f"19{rng.randint(30, 65)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
                "mrn": f"MRN{rng.randint(0, 999_999):06d}",
                "levels": json.dumps(rng.choice(level_sets)),
                "planned_start": planned.strftime("%Y-%m-%dT%H:%M"),
                "physician": "Dr A. Radiologist",
                "timezone": "UTC (+00:00)",
                "status": status,
                "created_by": user.id,
                "created_at": now,
                "updated_at": now,
                "signed_by_name": None if status == "draft" else "Bench Nurse",
                "signed_at": None if status == "draft" else signed_at,
                "warning_count": 1 if rng.random() < 0.2 else 0,
                "progress": 100,
                "is_demo": False,
            }
        )
    with database.atomic():
        for start in range(0, len(rows), 500):
            Checklist.insert_many(rows[start : start + 500]).execute()


def bench_list(databases: Databases, n_rows: int) -> None:
    from vpchecklist.services import auth, checklists, users
    from vpchecklist.store import open_store
    from vpchecklist.store.models import Checklist

    store = open_store(databases.new("list"))
    targets = SERVER_TARGETS if databases.server_url else TARGETS
    admin = users.create_first_admin(store, "admin", "Bench Admin", PASSWORD)
    users.add_user(store, admin, "auditor", "auditor", "Bench Auditor", PASSWORD, False)
    auditor = auth.authenticate(store, "auditor", PASSWORD)
    fill_start = time.perf_counter()
    _fill(n_rows)
    fill_s = time.perf_counter() - fill_start
    store.db.execute_sql("ANALYZE")
    mrn = Checklist.select(Checklist.mrn).order_by(Checklist.id.desc()).first().mrn

    def median_ms(call: Callable[[], Any], runs: int = 20) -> float:
        call()  # warm the page cache as a running app would have it
        return _ms(statistics.median(_timed(call) for _ in range(runs)))

    first_page = median_ms(lambda: checklists.search(store, auditor, limit=100))
    signed_page = median_ms(
        lambda: checklists.search(store, auditor, checklists.Filters(status="signed"), limit=100)
    )
    by_mrn = median_ms(
        lambda: checklists.search(store, auditor, checklists.Filters(mrn=mrn), limit=100)
    )
    counted = median_ms(lambda: checklists.count(store, auditor))
    everything = median_ms(lambda: checklists.search(store, auditor), runs=3)
    print(f"list at {n_rows:,} checklists (filled in {fill_s:.1f} s):")
    print(
        f"  first page (limit 100): {first_page:.1f} ms — {_verdict(first_page, targets['list'])}"
    )
    print(
        f"  status=signed, limit 100: {signed_page:.1f} ms — {_verdict(signed_page, targets['list'])}"
    )
    print(f"  MRN filter, limit 100: {by_mrn:.1f} ms — {_verdict(by_mrn, targets['list'])}")
    print(f"  count: {counted:.1f} ms — {_verdict(counted, targets['list'])}")
    print(f"  (all {n_rows:,} rows without limit, for reference: {everything:.0f} ms)")
    store.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checklists", type=int, default=1000)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument(
        "--db", help="also run on this PostgreSQL server: postgresql://USER@HOST:PORT/DBNAME"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="vpchecklist-bench-") as tmp:
        os.environ["VPCHECKLIST_HOME"] = str(Path(tmp) / "home")
        folder = Path(tmp) / "data"
        with backends(folder, args.db) as runs:
            for databases in runs:
                print(f"== {databases.name} ==")
                bench_clinical(databases, args.checklists)
                bench_list(databases, args.rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
