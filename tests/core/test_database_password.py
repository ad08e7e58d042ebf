"""Issue 14: the loop that asks for the database account's password — libpq's own sources
first, then a prompt; the server's refusal shown and asked again; anything else raised as is.

The opener here is a script of what a server answers (the real server's answers are tested in
tests/e2e/test_cli_database_password.py on ``--backend postgresql``)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from vpchecklist.database_password import needs_password, no_terminal, open_asking, prompt
from vpchecklist.errors import ConnectionLost, DatabasePasswordNeeded, StorageError

URL = "postgresql://vp@db1.hospital:5433/vpchecklist?sslmode=require"
ASKS = DatabasePasswordNeeded("The server db1.hospital:5433 asks for the password of vp.")
REFUSED = StorageError(
    "The server db1.hospital:5433 refused the password of the database account vp."
)


def _server(
    answers: list[BaseException | str],
) -> tuple[Callable[[str | None], str], list[str | None]]:
    """An opener that fails or succeeds in the order given, recording the passwords it got."""
    got: list[str | None] = []

    def open_with(password: str | None) -> str:
        got.append(password)
        answer = answers.pop(0)
        if isinstance(answer, BaseException):
            raise answer
        return answer

    return open_with, got


def test_nothing_is_asked_when_libpq_found_the_password() -> None:
    open_with, got = _server(["store"])
    asked: list[str] = []
    assert open_asking(open_with, lambda problem: asked.append(problem) or "x") == "store"
    assert got == [None] and asked == []


def test_asked_once_then_opened_with_the_typed_password() -> None:
    open_with, got = _server([ASKS, "store"])
    asked: list[str] = []
    assert open_asking(open_with, lambda problem: asked.append(problem) or "s3cret") == "store"
    assert got == [None, "s3cret"] and asked == [""]


def test_a_refused_password_is_shown_and_asked_again() -> None:
    open_with, got = _server([ASKS, REFUSED, "store"])
    typed = iter(["wrong", "right"])
    asked: list[str] = []
    store = open_asking(open_with, lambda problem: asked.append(problem) or next(typed))
    assert store == "store"
    assert got == [None, "wrong", "right"]
    assert asked == ["", str(REFUSED)]


def test_a_stale_stored_password_is_named_the_first_time() -> None:
    stale = DatabasePasswordNeeded("The server db1:5432 refused the stored password of vp.")
    open_with, _ = _server([stale, "store"])
    asked: list[str] = []
    open_asking(open_with, lambda problem: asked.append(problem) or "pw")
    assert asked == [str(stale)]


def test_closing_the_prompt_gives_up_without_opening() -> None:
    open_with, got = _server([ASKS])
    assert open_asking(open_with, lambda problem: None) is None
    assert got == [None]


def test_after_the_attempts_the_last_refusal_is_raised() -> None:
    open_with, got = _server([ASKS, REFUSED, REFUSED, REFUSED])
    with pytest.raises(StorageError, match="refused the password"):
        open_asking(open_with, lambda problem: "wrong", attempts=3)
    assert got == [None, "wrong", "wrong", "wrong"]


def test_other_failures_are_not_a_reason_to_ask() -> None:
    unreachable = StorageError("The server db1.hospital:5433 could not be reached.")
    open_with, got = _server([unreachable])
    with pytest.raises(StorageError, match="could not be reached"):
        open_asking(open_with, lambda problem: pytest.fail("asked for a password"))
    lost = ConnectionLost("The connection to the server was lost (password step).")
    assert not needs_password(lost, "typed")
    assert not needs_password(unreachable, "typed")
    assert needs_password(REFUSED, "typed") and not needs_password(REFUSED, None)


def test_the_prompt_and_the_script_sentence_name_the_account_never_a_password() -> None:
    with_password = "postgresql://vp:s3cret@db1.hospital:5433/vpchecklist"
    assert prompt(with_password) == "Database password for vp@db1.hospital: "
    sentence = str(no_terminal(with_password))
    assert sentence == (
        "The server db1.hospital:5433 asks for the password of the database account vp, and "
        "there is no terminal to ask at: set PGPASSWORD or put it in ~/.pgpass."
    )
    assert "s3cret" not in sentence + prompt(with_password)
