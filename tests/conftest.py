"""Shared fixtures: every test gets a fresh private database and its own data/log folders."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from vpchecklist.services import Actor, users  # noqa: E402
from vpchecklist.store import Store, open_store  # noqa: E402

PASSWORDS = {
    "admin": "admin-password-1",
    "nurse": "nurse-password-1",
    "physician": "physician-password-1",
    "auditor": "auditor-password-1",
}


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point the default data and log folders into the test's temp dir."""
    monkeypatch.setenv("VPCHECKLIST_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("VPCHECKLIST_DB", raising=False)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "vpchecklist.sqlite"


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    s = open_store(db_path)
    yield s
    s.close()


@pytest.fixture
def actors(store: Store) -> dict[str, Actor]:
    """One user of every role; passwords in ``PASSWORDS``."""
    admin = users.create_first_admin(store, "admin", "Ada Admin", PASSWORDS["admin"])
    out = {"admin": admin}
    names = {"nurse": "Nina Nurse", "physician": "Dr Paul Physician", "auditor": "Audrey Auditor"}
    for role, full_name in names.items():
        out[role] = users.add_user(
            store, admin, role, role, full_name, PASSWORDS[role], must_change_password=False
        )
    return out
