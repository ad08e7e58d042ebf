"""Random command lines, run in-process: exit 0/1/2, never a traceback, a sentence on failure."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reliability_support import PASSWORDS, create_signed, document, seed_users

from tests.conftest import DatabaseMaker
from tests.raw_database import Database
from vpchecklist import cli

COMMANDS = [
    [],
    ["init"],
    ["users"],
    ["users", "add"],
    ["users", "list"],
    ["users", "disable"],
    ["evaluate"],
    ["checklist"],
    ["checklist", "create"],
    ["checklist", "sign"],
    ["checklist", "show"],
    ["checklist", "answer"],
    ["checklist", "acknowledge"],
    ["checklist", "addendum"],
    ["list"],
    ["demo"],
    ["audit"],
    ["audit", "verify"],
    ["audit", "log"],
    ["db"],
    ["db", "check"],
    ["backup"],
    ["restore"],
    ["settings"],
    ["settings", "show"],
    ["settings", "set"],
    ["export"],
    ["verify"],
    ["schedule"],
    ["schedule", "import"],
    ["schedule", "list"],
    ["nonsense"],
]
OPTIONS = [
    "--user",
    "--password-stdin",
    "--format",
    "--status",
    "--mrn",
    "--from",
    "--to",
    "--limit",
    "--meaning",
    "--reason",
    "--role",
    "--full-name",
    "--admin",
    "--count",
    "--seed",
    "--out",
    "--checklist",
    "--text",
    "--physician",
    "--db",
    "--must-change-password",
    "--help",
    "--version",
    "-",
    "--",
    "-x",
    "--user=",
    "--limit=-1",
]
TOKENS = st.sampled_from(
    [
        "admin",
        "nurse",
        "auditor",
        "physician",
        "ghost",
        "ADMIN",
        "1",
        "2",
        "0",
        "-1",
        "99999999999999999999999",
        "1.5",
        "abc",
        "json",
        "table",
        "text",
        "ready",
        "postponed",
        "signed",
        "draft",
        "nurse",
        "history.inr",
        "consent.signed",
        "levels",
        "yes",
        "no",
        '{"na": "x"}',
        "[1,2]",
        "null",
        "NaN",
        "doc.json",
        "fhir",
        "day.hl7",
        "list.json",
        "bad.json",
        "missing.json",
        "deep.json",
        "notobj.json",
        "binary.json",
        "out.sqlite",
        "/",
        ".",
        "/dev/null",
        "/proc/self/mem",
        "db.sqlite",
        "",
        " ",
        "\t",
        "é",
        "🦴",
        "x" * 5000,
        "\x7f",
        "T12",
        "MRN00123",
        "2026-01-01",
        "2026-13-45",
        "sub/dir/new.sqlite",
        "site_name",
        "idle_lock_minutes",
    ]
) | st.text(max_size=20).filter(lambda t: "\x00" not in t)
ARGV = st.builds(
    lambda command, rest: command + rest,
    st.sampled_from(COMMANDS),
    st.lists(st.sampled_from(OPTIONS) | TOKENS, max_size=7),
)
STDIN = st.sampled_from(
    [
        "",
        "\n",
        "nurse-password-1\n",
        "admin-password-1\nnew-password-123\n",
        "wrong-password\n",
        "admin-password-1\nshort\n",
        "x" * 10_000 + "\n",
        "\x00\x00\n",
    ]
) | st.text(max_size=40)


@pytest.fixture(scope="module")
def cli_home(
    tmp_path_factory: pytest.TempPathFactory, databases: DatabaseMaker
) -> Iterator[tuple[Path, Database]]:
    """A folder of input files of every kind of wrong, and a database with users and signed
    records."""
    from vpchecklist.store import open_store

    home = tmp_path_factory.mktemp("cli-fuzz")
    db = databases.new(home, "db.sqlite")
    store = open_store(db)
    people = seed_users(store, ["nurse", "auditor", "physician"])
    create_signed(store, people["nurse"], PASSWORDS["nurse"], 1)
    create_signed(store, people["nurse"], PASSWORDS["nurse"], 2, "warning")
    store.close()
    (home / "doc.json").write_text(json.dumps(document(3)), encoding="utf-8")
    (home / "list.json").write_text("[1, 2, 3]", encoding="utf-8")
    (home / "bad.json").write_text('{"patient": ', encoding="utf-8")
    (home / "deep.json").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    (home / "notobj.json").write_text('"just a string"', encoding="utf-8")
    (home / "binary.json").write_bytes(b"\xff\xfe\x00garbage")
    day = Path(__file__).parents[1] / "core" / "data" / "schedule-day.hl7"
    (home / "day.hl7").write_bytes(day.read_bytes())
    (home / "out.sqlite").write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
    yield home, db
    databases.drop(db)


@pytest.mark.slow
@settings(
    max_examples=int(__import__("os").environ.get("VP_FUZZ_EXAMPLES", "200")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(argv=ARGV, stdin=STDIN)
def test_random_command_lines(cli_home, monkeypatch, capsys, argv, stdin):  # type: ignore[no-untyped-def]
    home, db = cli_home
    monkeypatch.chdir(home)
    monkeypatch.setenv("VPCHECKLIST_DB", str(db))
    capsys.readouterr()
    out = io.StringIO()
    try:
        code = cli.main(argv, stdin=io.StringIO(stdin), out=out)
    except SystemExit as exc:  # argparse's own --help / --version
        code = exc.code if isinstance(exc.code, int) else 2
        assert any(a in ("--help", "-h", "--version") or a.startswith("--h") for a in argv), argv
    err = capsys.readouterr().err
    assert code in (0, 1, 2), (argv, code)
    assert "Traceback" not in err, (argv, err)
    assert "Unexpected error" not in err, (argv, err)  # the catch-all means a bug slipped through
    if code != 0:
        assert err.strip(), f"exit {code} without a message for {argv}"


@pytest.mark.parametrize(
    "argv",
    [
        ["evaluate", "deep.json"],
        ["evaluate", "binary.json"],
        ["evaluate", "list.json"],
        ["evaluate", "/"],
        ["restore", "out.sqlite"],
        ["restore", "doc.json"],
        ["--db", "/", "db", "check"],
        ["--db", ".", "audit", "verify"],
        ["--db", "/proc/x/y.sqlite", "init", "--admin", "admin", "--password-stdin"],
        ["checklist", "show", "99999999999999999999999", "--user", "nurse", "--password-stdin"],
        ["list", "--user", "nurse", "--password-stdin", "--from", "2026-13-45"],
        ["checklist", "answer", "1", "history.inr", "NaN", "--user", "nurse", "--password-stdin"],
        ["checklist", "answer", "1", "history.inr", "1e999", "--user", "nurse", "--password-stdin"],
        ["demo", "--count", "1"],
    ],
)
def test_known_awkward_command_lines(cli_home, monkeypatch, capsys, argv):  # type: ignore[no-untyped-def]
    home, db = cli_home
    monkeypatch.chdir(home)
    monkeypatch.setenv("VPCHECKLIST_DB", str(db))
    code = cli.main(argv, stdin=io.StringIO("nurse-password-1\n"), out=io.StringIO())
    err = capsys.readouterr().err
    assert code in (1, 2), (argv, code, err)
    assert err.strip() and "Traceback" not in err and "Unexpected error" not in err, err
