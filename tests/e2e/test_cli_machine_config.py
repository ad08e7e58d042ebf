"""Issue 14 through the real CLI: the database named by this computer's ``vpchecklist.toml``,
``VPCHECKLIST_DB`` over it, ``--db`` over both, and a broken file as one sentence (exit 2)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from cli_support import cli_env, one_sentence

ADMIN_PASSWORD = "admin-password-1"


def _config(text: str) -> Path:
    path = Path(os.environ["VPCHECKLIST_HOME"]) / "config" / "vpchecklist.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _vpchecklist(*args: str, stdin: str = "", **env: str) -> subprocess.CompletedProcess[str]:
    """The CLI with no ``--db`` unless ``args`` give one (``run_cli`` always passes it)."""
    return subprocess.run(
        [sys.executable, "-m", "vpchecklist.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        env=cli_env(**env),
    )


def _init(*flags: str, **env: str) -> subprocess.CompletedProcess[str]:
    return _vpchecklist(
        *flags,
        "init",
        "--admin",
        "boss",
        "--password-stdin",
        stdin=f"{ADMIN_PASSWORD}\n",
        **env,
    )


def test_the_configuration_file_names_the_database(tmp_path: Path) -> None:
    configured = tmp_path / "room2" / "vp.sqlite"
    _config(f'database = "{configured}"\nsite_name = "Room 2"\n')
    result = _init()
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"Created {configured} with administrator boss.\n"
    assert configured.is_file()
    assert not (Path(os.environ["VPCHECKLIST_HOME"]) / "data" / "vpchecklist.sqlite").exists()
    again = _init()
    assert again.returncode == 2
    assert one_sentence(again.stderr) == f"The database {configured} already has users."


def test_the_environment_beats_the_file_and_the_flag_beats_both(tmp_path: Path) -> None:
    configured, from_env, from_flag = (
        tmp_path / n for n in ("conf.sqlite", "env.sqlite", "flag.sqlite")
    )
    _config(f'database = "{configured}"\n')
    by_env = _init(VPCHECKLIST_DB=str(from_env))
    assert by_env.returncode == 0, by_env.stderr
    by_flag = _init("--db", str(from_flag), VPCHECKLIST_DB=str(from_env))
    assert by_flag.returncode == 0, by_flag.stderr
    assert by_flag.stdout == f"Created {from_flag} with administrator boss.\n"
    assert from_env.is_file() and from_flag.is_file() and not configured.exists()


def test_a_broken_file_is_one_sentence_with_its_line_and_nothing_is_created(tmp_path: Path) -> None:
    path = _config('site_name = "Room 2"\ndatabase = /srv/vp.sqlite\n')
    result = _init()
    assert result.returncode == 2
    assert one_sentence(result.stderr) == (
        f"The configuration file {path}, line 2: this is not valid TOML (invalid value)."
    )
    assert not (Path(os.environ["VPCHECKLIST_HOME"]) / "data").exists()


def test_an_unknown_key_is_refused_even_with_db_on_the_command_line(tmp_path: Path) -> None:
    """The file also sets the anchor folder and site name: a typo there is not ignored."""
    path = _config('\nanchor_folder = "/mnt/anchors"\n')
    result = _init("--db", str(tmp_path / "vp.sqlite"))
    assert result.returncode == 2
    assert one_sentence(result.stderr) == (
        f"The configuration file {path}, line 2: 'anchor_folder' is not a setting "
        "(use database, site_name or anchor_path)."
    )
    assert not (tmp_path / "vp.sqlite").exists()


def test_commands_without_a_database_do_not_read_the_file() -> None:
    _config("this is not toml\n")
    result = _vpchecklist("--help")
    assert result.returncode == 0 and "postgresql://" in result.stdout
