"""Helpers shared by the reliability tests: CLI subprocesses, realistic signed records."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vpchecklist import demo
from vpchecklist.services import Actor, checklists, signing, users
from vpchecklist.store import Store

if TYPE_CHECKING:  # worker.py and benchmarks/soak.py import this without the repo root
    from tests.raw_database import Database

HERE = Path(__file__).resolve().parent
WORKER = HERE / "worker.py"
PYTHON = sys.executable

#: Passwords of the users ``seed_users`` creates (same as tests/conftest.py PASSWORDS).
PASSWORDS = {
    "admin": "admin-password-1",
    "nurse": "nurse-password-1",
    "nurse2": "nurse2-password-1",
    "physician": "physician-password-1",
    "auditor": "auditor-password-1",
}
ROLE_OF = {
    "admin": "admin",
    "nurse": "nurse",
    "nurse2": "nurse",
    "physician": "physician",
    "auditor": "auditor",
}


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str


def cli(
    db: Database | Path,
    *args: str,
    stdin: str = "",
    env: dict[str, str] | None = None,
    timeout: float = 60,
    preexec_fn: Callable[[], None] | None = None,
    user: str | None = None,
) -> Result:
    """Run ``python -m vpchecklist.cli --db DB ARGS`` in a subprocess."""
    full_env = dict(os.environ)
    full_env.pop("VPCHECKLIST_DB", None)
    full_env.update(env or {})
    command = [PYTHON, "-m", "vpchecklist.cli", "--db", str(db), *args]
    if user is not None:
        command = ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups", *command]
    proc = subprocess.run(
        command,
        input=stdin,
        capture_output=True,
        text=True,
        env=full_env,
        timeout=timeout,
        preexec_fn=preexec_fn,
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)


def assert_clean_stderr(stderr: str) -> None:
    assert "Traceback" not in stderr, stderr
    assert "Unexpected error" not in stderr, stderr


def seed_users(store: Store, names: Sequence[str] = tuple(PASSWORDS)) -> dict[str, Actor]:
    """An administrator plus the named users (all must_change_password=False)."""
    admin = users.create_first_admin(store, "admin", "Ada Admin", PASSWORDS["admin"])
    out = {"admin": admin}
    for name in names:
        if name == "admin":
            continue
        out[name] = users.add_user(
            store,
            admin,
            name,
            ROLE_OF[name],
            f"{name.title()} Example",
            PASSWORDS[name],
            must_change_password=False,
        )
    return out


def document(seed: int, flavour: str = "clean", levels: list[str] | None = None) -> dict[str, Any]:
    """A complete, realistic checklist document (``flavour``: clean, warning or stop)."""
    rng = random.Random(seed)
    planned = datetime(2026, 3, 10, 10, 0) + timedelta(hours=seed % 500)
    return demo.demo_document(rng, planned, levels or ["L2"], flavour)


def create_signed(
    store: Store, actor: Actor, password: str, seed: int, flavour: str = "clean"
) -> int:
    cid = checklists.create_from_document(store, actor, document(seed, flavour))
    if flavour == "stop":
        signing.sign(store, actor, cid, password, "postponed", "Consent missing; rebooked")
    else:
        signing.sign(store, actor, cid, password, "ready")
    return cid


def table_counts(path: Database) -> dict[str, int]:
    """Rows per table, read past the product (plain sqlite3 or a psycopg connection)."""
    from tests import raw_database

    return raw_database.table_counts(path)


def clinical_counts(path: Database) -> dict[str, int]:
    """Row counts of everything but the audit log (refusals are audited on purpose)."""
    return {k: v for k, v in table_counts(path).items() if k != "audit_event"}
