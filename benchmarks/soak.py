"""Soak test: two processes create and sign checklists on one database for N minutes.

    python benchmarks/soak.py --minutes 1

Prints signatures per second and the number of errors (expected: 0), then checks that every
printed id is signed, that ``vpchecklist audit verify`` and ``db check`` pass. Exit 0 when
everything held, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORKER = ROOT / "tests" / "reliability" / "worker.py"
sys.path.insert(0, str(WORKER.parent))

from reliability_support import PASSWORDS, cli, seed_users  # noqa: E402

from vpchecklist.store import open_store  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=1.0)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    seconds = args.minutes * 60
    with tempfile.TemporaryDirectory(prefix="vp-soak-") as tmp:
        os.environ["VPCHECKLIST_HOME"] = str(Path(tmp) / "home")
        db = Path(tmp) / "soak.sqlite"
        store = open_store(db)
        seed_users(store, ["nurse", "nurse2", "physician", "auditor"])
        store.close()
        users = ["nurse", "nurse2", "physician"]
        started = time.monotonic()
        procs = [
            subprocess.Popen(
                [
                    sys.executable,
                    str(WORKER),
                    str(db),
                    users[n % 3],
                    PASSWORDS[users[n % 3]],
                    str(seconds),
                    str(n + 1),
                ],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for n in range(args.workers)
        ]
        ids: list[int] = []
        error_lines: list[str] = []
        for proc in procs:
            out, err = proc.communicate()
            ids += [int(line) for line in out.split()]
            error_lines += [line for line in err.splitlines() if line.strip()]
        elapsed = time.monotonic() - started
        listed = cli(
            db,
            "list",
            "--user",
            "auditor",
            "--password-stdin",
            "--format",
            "json",
            stdin=PASSWORDS["auditor"] + "\n",
        )
        rows = {r["id"]: r for r in json.loads(listed.stdout)} if listed.returncode == 0 else {}
        unsigned = [i for i in ids if rows.get(i, {}).get("status") not in ("signed", "postponed")]
        verify = cli(db, "audit", "verify")
        check = cli(db, "db", "check")
        errors = (
            len(error_lines)
            + len(unsigned)
            + (verify.returncode != 0)
            + (check.returncode != 0)
            + (listed.returncode != 0)
        )
        print(f"workers: {args.workers}, duration: {elapsed:.1f} s")
        print(f"signatures: {len(ids)}")
        print(f"signatures per second: {len(ids) / elapsed:.2f}")
        print(f"errors: {errors}")
        for line in error_lines[:10]:
            print(f"  {line}")
        if unsigned:
            print(f"  printed but not signed: {unsigned[:10]}")
        if verify.returncode:
            print(f"  audit verify: {verify.stderr.strip()}")
        if check.returncode:
            print(f"  db check: {check.stderr.strip()}")
        return 0 if errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
