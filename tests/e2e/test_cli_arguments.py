"""Arguments every command group shares: the one checklist-id parser, and ``backup --out``
audited once by the backup service."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from cli_support import one_sentence, query, run_cli

from vpchecklist import cli

BAD_IDS = ["0", "-1", "abc", "1.5", "99999999999999999999999"]

#: Every command that takes a checklist id, with ID where the id goes.
ID_COMMANDS = [
    ["checklist", "show", "ID"],
    ["checklist", "sign", "ID", "--meaning", "ready"],
    ["checklist", "answer", "ID", "consent.signed", "yes"],
    ["checklist", "acknowledge", "ID", "history.inr", "--reason", "r", "--physician", "Dr X"],
    ["checklist", "addendum", "ID", "--text", "t"],
    ["export", "ID", "--out", "x.pdf"],
    ["audit", "log", "--checklist", "ID"],
]


@pytest.mark.parametrize("bad", ["0", "-1", "abc"])
def test_a_bad_checklist_id_is_one_sentence_and_exit_2(tmp_path: Path, bad: str) -> None:
    db = tmp_path / "never.sqlite"
    result = run_cli(db, "checklist", "show", bad, "--user", "nurse", "--password-stdin")
    assert result.returncode == 2, result.stderr
    sentence = one_sentence(result.stderr)
    assert f"{bad} is not a checklist id" in sentence.replace("'", ""), sentence
    assert "from 1" in sentence, sentence
    assert result.stdout == ""
    assert not db.exists(), "a refused id must not open or create a database"


@pytest.mark.parametrize("command", ID_COMMANDS, ids=lambda c: " ".join(c[:2]))
@pytest.mark.parametrize("bad", BAD_IDS)
def test_every_command_refuses_the_same_bad_ids(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str], bad: str
) -> None:
    db = tmp_path / "never.sqlite"
    argv = ["--db", str(db), *(bad if a == "ID" else a for a in command)]
    argv += ["--user", "nurse", "--password-stdin"]
    out = io.StringIO()
    code = cli.main(argv, stdin=io.StringIO("nurse-password-1\n"), out=out)
    err = capsys.readouterr().err
    assert code == 2, (argv, err)
    assert "checklist id" in one_sentence(err), err
    assert out.getvalue() == ""
    assert not db.exists()


def test_id_1_reaches_the_service(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The parser accepts 1: the refusal then comes from the database (no such file), not it."""
    db = tmp_path / "never.sqlite"
    argv = ["--db", str(db), "checklist", "show", "1", "--user", "nurse", "--password-stdin"]
    code = cli.main(argv, stdin=io.StringIO("x\n"), out=io.StringIO())
    err = capsys.readouterr().err
    assert code == 2
    assert "checklist id" not in one_sentence(err), err


def test_backup_out_writes_one_audit_event(cli_db: Path, tmp_path: Path) -> None:
    before = query(cli_db, "SELECT count(*) FROM audit_event WHERE action = 'backup'")[0][0]
    out = tmp_path / "copy.sqlite"
    result = run_cli(cli_db, "backup", "--out", str(out))
    assert result.returncode == 0, result.stderr
    rows = query(
        cli_db, "SELECT username, detail FROM audit_event WHERE action = 'backup' ORDER BY id"
    )
    assert len(rows) == before + 1, rows
    assert "copy.sqlite" in rows[-1][1]
    assert out.is_file()
