"""The database account's password, when the PostgreSQL server asks for one that neither
``PGPASSWORD`` nor ``~/.pgpass`` (``PGPASSFILE``) supplied.

One loop for the CLI (a terminal prompt) and the app (a dialog): open; when the server wants a
password, ask; when it refuses the one typed, show its refusal and ask again. The password is
held only for the call that opens the store — never logged, never shown, never written.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from vpchecklist.errors import ConnectionLost, DatabasePasswordNeeded, StorageError
from vpchecklist.store.location import PostgresTarget

T = TypeVar("T")


def needs_password(error: StorageError, typed: str | None) -> bool:
    """Would a (another) typed password help? The server asked for one, or refused the one
    typed (the store reports that refusal as a plain ``StorageError`` naming the password)."""
    if isinstance(error, DatabasePasswordNeeded):
        return True
    return (
        typed is not None
        and not isinstance(error, ConnectionLost)
        and "password" in str(error).lower()
    )


def prompt(url: str) -> str:
    """``Database password for vp@db1:`` — the account and the server, nothing more."""
    target = PostgresTarget.parse(url)
    return f"Database password for {target.user}@{target.host}: "


def no_terminal(url: str) -> DatabasePasswordNeeded:
    """What a script (no terminal to ask at) is told instead of a prompt."""
    target = PostgresTarget.parse(url)
    return DatabasePasswordNeeded(
        f"The server {target.host}:{target.port} asks for the password of the database account "
        f"{target.user}, and there is no terminal to ask at: set PGPASSWORD or put it in "
        "~/.pgpass."
    )


def open_asking(
    open_with: Callable[[str | None], T],
    ask: Callable[[str], str | None],
    attempts: int | None = None,
) -> T | None:
    """``open_with(None)`` first (libpq's own sources); then ``ask(problem)`` for a password
    (``problem``: "" the first time, the server's refusal after a wrong or stale one) and
    ``open_with(password)``. None when ``ask`` gives up; after ``attempts`` refused passwords
    the last refusal is raised. Any other failure is raised as it is."""
    password: str | None = None
    tried = 0
    while True:
        try:
            return open_with(password)
        except StorageError as error:
            if not needs_password(error, password):
                raise
            if attempts is not None and tried >= attempts:
                raise
            refused = password is not None or "refused" in str(error)  # e.g. a stale ~/.pgpass
            password = ask(str(error) if refused else "")
            if password is None:
                return None
            tried += 1
