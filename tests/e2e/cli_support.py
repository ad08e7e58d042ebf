"""End-to-end helpers: run the real ``vpchecklist`` CLI in subprocesses against a real file."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher

from tests import raw_database
from tests.documents import LUMBAR_ANSWERS
from tests.raw_database import Database
from vpchecklist.services import auth, checklists, signing, users
from vpchecklist.store import open_store

PASSWORDS = {
    "admin": "admin-password-1",
    "nurse": "nurse-password-1",
    "physician": "physician-password-1",
    "auditor": "auditor-password-1",
}

COMPLETE_ANSWERS = LUMBAR_ANSWERS


def complete_doc(mrn: str = "MRN-0001", **answers: Any) -> dict[str, Any]:
    """A ready-to-sign lumbar checklist document; ``item__id=value`` overrides an answer."""
    filled = copy.deepcopy(COMPLETE_ANSWERS)
    for key, value in answers.items():
        filled[key.replace("__", ".")] = value
    return {
        "patient": {"name": "Jane Doe", "date_of_birth": "1948-03-02", "mrn": mrn},
        "levels": ["L2"],
        "planned_start": "2026-03-10T10:00",
        "physician": "Dr A. Radiologist",
        "answers": filled,
        "acknowledgements": {},
    }


def write_json(path: Path, value: Any) -> Path:
    path.write_text(json.dumps(value), encoding="utf-8")
    return path


def cli_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("VPCHECKLIST_DB", None)
    env.update(extra)
    return env


def run_cli(
    db: Database,
    *args: str,
    password: str | Sequence[str] | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 60,
    prefix: Sequence[str] = (),
    cwd: Path | str | None = None,
) -> subprocess.CompletedProcess[str]:
    """``python -m vpchecklist.cli --db DB ARGS``; ``password`` lines go to stdin."""
    lines = [password] if isinstance(password, str) else list(password or [])
    stdin = "".join(f"{line}\n" for line in lines)
    return subprocess.run(
        [*prefix, sys.executable, "-m", "vpchecklist.cli", "--db", str(db), *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env or cli_env(),
        cwd=cwd,
    )


def as_user(
    db: Database, username: str, *args: str, **kwargs: Any
) -> subprocess.CompletedProcess[str]:
    """Run a command as ``username`` (password from ``PASSWORDS`` via --password-stdin)."""
    kwargs.setdefault("password", PASSWORDS.get(username, ""))
    return run_cli(db, *args, "--user", username, "--password-stdin", **kwargs)


def one_sentence(stderr: str) -> str:
    """Assert stderr is exactly one plain sentence (no traceback) and return it."""
    text = stderr.strip()
    assert text, "expected a message on stderr"
    assert "Traceback" not in text, text
    assert "\n" not in text, f"expected one line on stderr, got:\n{text}"
    assert text.endswith((".", "!", "?")), text
    return text


def counts(db: Database) -> dict[str, int]:
    """Row counts of every content table (what 'nothing partly written' compares)."""
    tables = ["checklist", "answer", "answer_history", "acknowledgement", "signature", "addendum"]
    return raw_database.table_counts(db, tables)


def query(db: Database, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    """Rows read past the product (``?`` placeholders on both backends)."""
    return raw_database.query(db, sql, *params)


#: Cheap argon2id parameters for the test users: every CLI call verifies a password, and the
#: production cost (checked in tests/core/test_services.py) would dominate the suite's runtime.
QUICK_HASHER = PasswordHasher(time_cost=1, memory_cost=1024)


def make_database(path: Database) -> Database:
    """A database with one user of every role (created in-process: quicker than four CLIs)."""
    store = open_store(path)
    real, auth._hasher = auth._hasher, QUICK_HASHER
    try:
        admin = users.create_first_admin(store, "admin", "Ada Admin", PASSWORDS["admin"])
        names = {"nurse": "Nina Nurse", "physician": "Dr Paul Physician", "auditor": "Audrey A"}
        for role, full_name in names.items():
            users.add_user(
                store, admin, role, role, full_name, PASSWORDS[role], must_change_password=False
            )
    finally:
        auth._hasher = real
        store.close()
    return path


def seed(
    db: Database,
    *docs: dict[str, Any],
    sign: str | None = None,
    user: str = "nurse",
    reason: str | None = None,
) -> list[int]:
    """Create (and optionally sign) checklists in-process, where the CLI is not under test."""
    store = open_store(db, create=False)
    try:
        actor = auth.check_credentials(store, user, PASSWORDS[user])
        ids = [checklists.create_from_document(store, actor, doc) for doc in docs]
        if sign:
            for cid in ids:
                signing.sign(store, actor, cid, PASSWORDS[user], sign, reason)
        return ids
    finally:
        store.close()
