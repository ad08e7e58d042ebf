"""Concurrency worker: create and sign complete checklists in a loop on a shared database.

``python worker.py DB USERNAME PASSWORD SECONDS SEED`` prints each signed id on its own line
(flushed as soon as its signature commits) and exits 0 when no call failed; every failure is
one line ``ERROR <sentence>`` on stderr. Used by the concurrency tests and benchmarks/soak.py.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from reliability_support import document  # noqa: E402

from vpchecklist.errors import VPError  # noqa: E402
from vpchecklist.services import checklists, signing  # noqa: E402
from vpchecklist.services.auth import authenticate  # noqa: E402
from vpchecklist.store import open_store  # noqa: E402


def main(argv: list[str]) -> int:
    db, username, password, seconds, seed = argv
    store = open_store(db, create=False)  # a file path or a postgresql:// URL
    actor = authenticate(store, username, password)
    deadline = time.monotonic() + float(seconds)
    errors = 0
    n = int(seed) * 1_000_000
    while time.monotonic() < deadline:
        n += 1
        flavour = ("clean", "clean", "warning", "stop")[n % 4]
        try:
            cid = checklists.create_from_document(store, actor, document(n, flavour))
            if n % 3 == 0:  # some answers changed on the draft before signing
                checklists.answer(store, actor, cid, "sedation.baseline_hr", 60 + n % 30)
            if flavour == "stop":
                signing.sign(store, actor, cid, password, "postponed", "Consent missing")
            else:
                signing.sign(store, actor, cid, password, "ready")
        except VPError as exc:
            errors += 1
            print(f"ERROR {exc}", file=sys.stderr, flush=True)
            continue
        print(cid, flush=True)
    store.close()
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
