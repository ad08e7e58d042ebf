"""``settings show`` / ``settings set``: admin only through the audited service (issue 13)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_support import as_user, one_sentence, query, run_cli


def _settings_events(db: Path) -> list[tuple[str, str, str]]:
    return query(
        db,
        "SELECT username, outcome, detail FROM audit_event WHERE action = 'settings' ORDER BY id",
    )


def test_show_lists_every_setting_with_its_default(cli_db: Path) -> None:
    result = run_cli(cli_db, "settings", "show", "--format", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "idle_lock_minutes": "10",
        "backup_folder": "",
        "site_name": "",
        "schedule_mrn_type": "MR",
        "schedule_mrn_authority": "",
        "schedule_levels_field": "",
        "schedule_drop_folder": "",
        "anchor_folder": "",
        "wristband_mrn_pattern": "(?P<mrn>[A-Za-z0-9][A-Za-z0-9._/-]{0,31})",
    }
    table = run_cli(cli_db, "settings", "show")
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    assert lines[0].split() == ["setting", "value"]
    assert any(line.split() == ["idle_lock_minutes", "10"] for line in lines), lines


def test_admin_sets_the_site_name_audited(cli_db: Path) -> None:
    result = as_user(cli_db, "admin", "settings", "set", "site_name", "St Mary's — Radiology")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == 'Set site_name to "St Mary\'s — Radiology".'
    shown = json.loads(run_cli(cli_db, "settings", "show", "--format", "json").stdout)
    assert shown["site_name"] == "St Mary's — Radiology"
    events = _settings_events(cli_db)
    assert len(events) == 1, events
    assert events[0][:2] == ("admin", "ok")
    assert "site_name" in events[0][2]


def test_admin_clears_the_site_name(cli_db: Path) -> None:
    assert as_user(cli_db, "admin", "settings", "set", "site_name", "Ward 4").returncode == 0
    result = as_user(cli_db, "admin", "settings", "set", "site_name", "")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "Cleared site_name."
    shown = json.loads(run_cli(cli_db, "settings", "show", "--format", "json").stdout)
    assert shown["site_name"] == ""


@pytest.mark.parametrize("role", ["nurse", "physician", "auditor"])
def test_other_roles_are_refused_exit_1_and_audited(cli_db: Path, role: str) -> None:
    result = as_user(cli_db, role, "settings", "set", "site_name", "Hijacked")
    assert result.returncode == 1, result.stderr
    assert "cannot change settings" in one_sentence(result.stderr)
    assert result.stdout == ""
    shown = json.loads(run_cli(cli_db, "settings", "show", "--format", "json").stdout)
    assert shown["site_name"] == ""
    events = _settings_events(cli_db)
    assert [(user, outcome) for user, outcome, _ in events] == [(role, "refused")]


def test_wrong_admin_password_is_exit_1_and_nothing_changes(cli_db: Path) -> None:
    result = as_user(cli_db, "admin", "settings", "set", "site_name", "X", password="wrong-pass")
    assert result.returncode == 1, result.stderr
    one_sentence(result.stderr)
    assert _settings_events(cli_db) == []


@pytest.mark.parametrize(
    ("key", "value", "words"),
    [
        ("site_colour", "blue", "no setting 'site_colour'"),
        ("idle_lock_minutes", "abc", "not a whole number of minutes"),
        ("idle_lock_minutes", "0", "between 1 and 120 minutes"),
        ("idle_lock_minutes", "500", "between 1 and 120 minutes"),
        ("site_name", "x" * 500, "site_name"),
        ("site_name", "Ward\x074", "site_name"),
    ],
    ids=["unknown", "words", "zero", "too-long-lock", "too-long-name", "control-char"],
)
def test_unknown_setting_or_bad_value_is_exit_2(
    cli_db: Path, key: str, value: str, words: str
) -> None:
    before = run_cli(cli_db, "settings", "show", "--format", "json").stdout
    result = as_user(cli_db, "admin", "settings", "set", key, value)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert words in one_sentence(result.stderr)
    assert result.stdout == ""
    assert run_cli(cli_db, "settings", "show", "--format", "json").stdout == before
    # The attempt may be audited as a refusal (every event is chained), never as a change.
    assert all(outcome == "refused" for _, outcome, _ in _settings_events(cli_db))


def test_settings_commands_need_their_arguments(cli_db: Path) -> None:
    for args in (["settings"], ["settings", "set", "site_name"], ["settings", "set", "a", "b"]):
        result = run_cli(cli_db, *args)
        assert result.returncode == 2, args
        one_sentence(result.stderr)
