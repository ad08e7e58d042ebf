"""Fixtures of the end-to-end tests (helpers live in ``cli_support``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_support import make_database


@pytest.fixture
def cli_db(tmp_path: Path) -> Path:
    """A database file with one user of every role (passwords in ``cli_support.PASSWORDS``)."""
    return make_database(tmp_path / "data" / "vpchecklist.sqlite")
