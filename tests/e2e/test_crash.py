"""Crash test (issue 3): ``demo --count 500`` killed with SIGKILL at random moments, again and
again on the same database; afterwards the file is healthy, every id the CLI printed is there and
signed, and the signature chain verifies."""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from cli_support import as_user, cli_env, query, run_cli

from vpchecklist.demo import DEMO_PASSWORD

KILLS = 10


def _run_and_kill(
    db: Path, seed: int, after: float, from_first_id: bool
) -> tuple[list[int], int | None]:
    """Start the demo, collect the lines it prints, SIGKILL it ``after`` seconds after its start
    (or, with ``from_first_id``, after it printed its first id: start-up alone — imports and five
    argon2 password checks — can take longer than 2 s on a busy machine)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "vpchecklist.cli", "--db", str(db), "demo", "--count", "500",
         "--seed", str(seed)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=cli_env(),
    )  # fmt: skip
    lines: list[str] = []
    first = threading.Event()

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line)
            first.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    if from_first_id:
        first.wait(timeout=30)
    time.sleep(after)
    proc.send_signal(signal.SIGKILL)
    code = proc.wait(timeout=30)
    reader.join(timeout=30)
    # Only whole lines count as printed: a line cut by the kill was never fully announced.
    ids = [int(line) for line in lines if line.endswith("\n")]
    return ids, code


@pytest.mark.slow
def test_sigkill_during_demo_loses_nothing_that_was_reported(
    new_db: Callable[[str], Path],
) -> None:
    db = new_db("crash")
    master = random.randrange(1 << 30)
    rng = random.Random(master)
    printed: list[int] = []
    for run in range(KILLS):
        after = rng.uniform(0.3, 2.0)
        ids, code = _run_and_kill(db, master + run, after, from_first_id=run % 2 == 1)
        assert code == -signal.SIGKILL, f"run {run} ended by itself (code {code}); seed {master}"
        assert not set(ids) & set(printed), f"ids printed twice; seed {master}"
        printed += ids

    assert printed, f"no demo checklist was ever reported in {KILLS} runs (seed {master})"
    print(f"{len(printed)} ids reported before {KILLS} kills (seed {master})")

    check = run_cli(db, "db", "check")
    assert check.returncode == 0, f"{check.stderr} (seed {master})"

    verify = run_cli(db, "audit", "verify")
    assert verify.returncode == 0, f"{verify.stderr} (seed {master})"

    listed = as_user(
        db, "demo.auditor", "list", "--limit", "0", "--format", "json", password=DEMO_PASSWORD
    )
    assert listed.returncode == 0, listed.stderr
    status = {row["id"]: row["status"] for row in json.loads(listed.stdout)}
    lost = [cid for cid in printed if cid not in status]
    assert lost == [], f"printed but missing after the kill: {lost} (seed {master})"
    unsigned = {cid: status[cid] for cid in printed if status[cid] not in ("signed", "postponed")}
    assert unsigned == {}, f"printed but not signed: {unsigned} (seed {master})"

    # Each reported record has exactly one signature and a sign event in the audit trail.
    for cid in printed:
        assert query(db, "SELECT count(*) FROM signature WHERE checklist_id = ?", cid) == [(1,)]
        assert query(
            db,
            "SELECT count(*) FROM audit_event WHERE checklist_id = ? AND action = 'sign' "
            "AND outcome = 'ok'",
            cid,
        ) == [(1,)]
