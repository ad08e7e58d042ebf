"""Two processes creating and signing checklists on one database (file or server) at once."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from reliability_support import PASSWORDS, PYTHON, WORKER, cli, seed_users

from vpchecklist.store import open_store


def run_pair(db: Path, seconds: float) -> tuple[list[list[int]], list[str]]:
    """Run two workers (different users) side by side; their printed ids and stderr."""
    procs = [
        subprocess.Popen(
            [PYTHON, str(WORKER), str(db), user, PASSWORDS[user], str(seconds), str(seed)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for seed, user in enumerate(("nurse", "nurse2"), start=1)
    ]
    ids, errs = [], []
    for proc in procs:
        out, err = proc.communicate(timeout=seconds + 120)
        assert proc.returncode == 0, err
        ids.append([int(line) for line in out.split()])
        errs.append(err)
    return ids, errs


def check_pair(db: Path, seconds: float) -> None:
    store = open_store(db)
    seed_users(store, ["nurse", "nurse2", "auditor"])
    store.close()
    ids, errs = run_pair(db, seconds)
    assert all(not e.strip() for e in errs), errs
    assert all(len(chunk) >= 3 for chunk in ids), "each worker signed several checklists"
    every = [i for chunk in ids for i in chunk]
    assert len(set(every)) == len(every), "two workers got the same checklist id"
    listed = cli(
        db,
        "list",
        "--limit",
        "0",
        "--user",
        "auditor",
        "--password-stdin",
        "--format",
        "json",
        stdin=PASSWORDS["auditor"] + "\n",
    )
    assert listed.returncode == 0, listed.stderr
    import json

    rows = {r["id"]: r for r in json.loads(listed.stdout)}
    for cid in every:
        assert rows[cid]["status"] in ("signed", "postponed"), rows[cid]
        assert rows[cid]["signed_by"], rows[cid]
    assert len(rows) == len(every)
    verify = cli(db, "audit", "verify")
    assert verify.returncode == 0, verify.stderr
    check = cli(db, "db", "check")
    assert check.returncode == 0, check.stderr
    assert "locked" not in "".join(errs)


@pytest.mark.slow
def test_two_processes_sign_concurrently(new_db: Callable[[str], Path]) -> None:
    check_pair(new_db("shared"), 20)


@pytest.mark.soak
def test_two_processes_sign_concurrently_soak(new_db: Callable[[str], Path]) -> None:
    check_pair(new_db("shared"), 60)
