"""Fixtures of the end-to-end tests (helpers live in ``cli_support``)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from cli_support import make_database

from tests.raw_database import Database


@pytest.fixture
def cli_db(new_db: Callable[[str], Database]) -> Database:
    """A database (file, or PostgreSQL URL) with one user of every role (passwords in
    ``cli_support.PASSWORDS``)."""
    return make_database(new_db("data"))
