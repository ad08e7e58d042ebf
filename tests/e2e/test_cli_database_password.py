"""Issue 14 on a real PostgreSQL server: the database account's password comes from
``PGPASSWORD`` / ``~/.pgpass``, else a terminal prompt (a refusal shown, asked again), and a
script without a terminal is told in one sentence what to set (exit 2)."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
from cli_support import cli_env, one_sentence

from tests.postgres_cluster import APP_PASSWORD
from vpchecklist.cli.app import main
from vpchecklist.store.location import describe

pytestmark = pytest.mark.postgresql_only

ADMIN_PASSWORD = "admin-password-1"


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def no_stored_password(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """libpq finds nothing: the server has to ask."""
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "no-such-pgpass"))
    monkeypatch.delenv("PGPASSWORD", raising=False)


def _init(db: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(
        ["--db", db, "init", "--admin", "boss", "--password-stdin"],
        stdin=io.StringIO(f"{ADMIN_PASSWORD}\n"),
        out=out,
    )
    return code, out.getvalue()


def test_the_terminal_prompt_names_the_account_and_a_refusal_asks_again(
    db_path: str, no_stored_password: None, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:  # type: ignore[no-untyped-def]
    typed = iter(["not-the-password", APP_PASSWORD])
    prompts: list[str] = []
    monkeypatch.setattr(sys, "stdin", _Terminal())
    monkeypatch.setattr("getpass.getpass", lambda text: prompts.append(text) or next(typed))
    code, out = _init(db_path)
    assert code == 0, capsys.readouterr().err
    assert prompts == ["Database password for vp@127.0.0.1: "] * 2
    assert out == f"Initialised {describe(db_path)} with administrator boss.\n"
    refusal = one_sentence(capsys.readouterr().err)
    assert "refused the password" in refusal and "not-the-password" not in refusal


def test_three_refusals_end_with_the_servers_sentence(
    db_path: str, no_stored_password: None, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(sys, "stdin", _Terminal())
    monkeypatch.setattr("getpass.getpass", lambda text: "wrong-password")
    code, out = _init(db_path)
    lines = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and out == ""
    assert len(lines) == 3 and all("refused the password" in line for line in lines), lines


def _init_without_terminal(db: str, **env: str) -> subprocess.CompletedProcess[str]:
    """``init`` in a subprocess with no controlling terminal, as under cron or CI."""
    return subprocess.run(
        [sys.executable, "-m", "vpchecklist.cli", "--db", db, "init", "--admin", "boss"]
        + ["--password-stdin"],
        input=f"{ADMIN_PASSWORD}\n",
        capture_output=True,
        text=True,
        timeout=60,
        env=cli_env(**env),
        start_new_session=True,
    )


def test_without_a_terminal_one_sentence_says_what_to_set(
    db_path: str, no_stored_password: None
) -> None:
    result = _init_without_terminal(db_path)
    assert result.returncode == 2
    assert one_sentence(result.stderr).endswith(
        "asks for the password of the database account vp, and there is no terminal to ask "
        "at: set PGPASSWORD or put it in ~/.pgpass."
    )


def test_pgpassword_is_used_without_asking(db_path: str, no_stored_password: None) -> None:
    result = _init_without_terminal(db_path, PGPASSWORD=APP_PASSWORD)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"Initialised {describe(db_path)} with administrator boss.\n"
    assert APP_PASSWORD not in result.stdout + result.stderr
