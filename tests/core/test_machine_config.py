"""Issue 14: this computer's ``vpchecklist.toml`` — which database, the site name it falls back
to, where the anchor goes — and the order ``--db`` > ``VPCHECKLIST_DB`` > file > default."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from vpchecklist import machine_config
from vpchecklist.errors import ConfigError, ValidationError
from vpchecklist.machine_config import MachineConfig, database_location, load
from vpchecklist.services import Actor, settings
from vpchecklist.store import Store
from vpchecklist.store.anchor import ENV_FOLDER

URL = "postgresql://vp@db1.hospital:5432/vpchecklist?sslmode=verify-full"


def _write(text: str | bytes) -> Path:
    path = machine_config.config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


@pytest.fixture
def no_anchor_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Whatever the test puts in ``VPCHECKLIST_ANCHOR_DIR`` is gone afterwards."""
    monkeypatch.setenv(ENV_FOLDER, "")
    monkeypatch.delenv(ENV_FOLDER)
    yield


def test_the_file_lives_in_the_config_folder_under_vpchecklist_home() -> None:
    home = Path(os.environ["VPCHECKLIST_HOME"])
    assert machine_config.config_path() == home / "config" / "vpchecklist.toml"


def test_the_file_lives_in_the_platform_config_folder_without_vpchecklist_home(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("VPCHECKLIST_HOME")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    assert machine_config.config_path() == tmp_path / "xdg" / "vpchecklist" / "vpchecklist.toml"


def test_no_file_is_an_empty_configuration() -> None:
    config = load()
    assert (config.database, config.site_name, config.anchor_path) == (None, "", None)


def test_every_key_is_read() -> None:
    path = _write(
        f'# IT, room 2\ndatabase = "{URL}"\nsite_name = "St Mary\'s — Spine Unit"\n'
        'anchor_path = "/mnt/anchors"\n'
    )
    assert load() == MachineConfig(path, URL, "St Mary's — Spine Unit", Path("/mnt/anchors"))


def test_a_relative_path_is_relative_to_the_file_and_tilde_is_home() -> None:
    path = _write('database = "shared/vp.sqlite"\nanchor_path = "~/anchors"\n')
    config = load()
    assert config.database == path.parent / "shared" / "vp.sqlite"
    assert config.anchor_path == Path.home() / "anchors"


@pytest.mark.parametrize(
    ("text", "line", "says"),
    [
        ('site_name = "Ward 3"\ndatabase = \n', 2, "is not valid TOML (invalid value)"),
        ('site_name = "Ward 3"\n\n[database\n', 3, "is not valid TOML"),
        ('database = "/a"\ndatabse = "/b"\n', 2, "'databse' is not a setting"),
        (
            'site_name = "x"\n\n\ndatabase = 5432\n',
            4,
            "database must be text in quotes, not a number",
        ),
        ('\n[database]\nhost = "db1"\n', 2, "database must be text in quotes, not a table"),
        ("anchor_path = true\n", 1, "anchor_path must be text in quotes, not true or false"),
        ('\nanchor_path = ""\n', 2, "anchor_path is empty"),
        ('database = "mysql://vp@db1/vp"\n', 1, "mysql:// is not a database this version can use"),
        ('\n\ndatabase = "postgresql://vp@db1:5432/"\n', 3, "the PostgreSQL URL names no database"),
        (
            'database = "postgresql://vp@db1:port/vp"\n',
            1,
            "the port in the PostgreSQL URL is not a number",
        ),
        ('site_name = "' + "x" * 121 + '"\n', 1, "the site name is too long"),
    ],
)
def test_what_cannot_be_used_is_one_sentence_with_the_file_and_line(
    text: str, line: int, says: str
) -> None:
    path = _write(text)
    with pytest.raises(ConfigError) as refused:
        load()
    message = str(refused.value)
    assert message.startswith(f"The configuration file {path}, line {line}: "), message
    assert says in message
    assert message.endswith(".") and "\n" not in message
    assert refused.value.exit_code == 2


def test_a_file_that_is_not_utf8_names_its_line() -> None:
    path = _write(b'site_name = "ok"\nsite_name2 = "\xff"\n')
    with pytest.raises(
        ConfigError, match=rf"^The configuration file {path}, line 2: the file is not UTF-8"
    ):
        load()


def test_a_password_in_the_url_never_reaches_the_message() -> None:
    _write('database = "postgresql://vp:s3cret@db1:5432/vp?sslmode=bogus&colour=red"\n')
    with pytest.raises(ConfigError) as refused:
        load()
    assert "colour" in str(refused.value) and "s3cret" not in str(refused.value)


def test_database_order_flag_then_environment_then_file_then_default(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    default = Path(os.environ["VPCHECKLIST_HOME"]) / "data" / "vpchecklist.sqlite"
    assert database_location() == default
    _write(f'database = "{URL}"\n')
    assert database_location() == URL
    monkeypatch.setenv("VPCHECKLIST_DB", str(tmp_path / "env.sqlite"))
    assert database_location() == tmp_path / "env.sqlite"
    assert database_location("~/flag.sqlite") == Path.home() / "flag.sqlite"
    flag_url = "postgresql://nurse@127.0.0.1:55432/vp"
    assert database_location(flag_url) == flag_url
    monkeypatch.setenv("VPCHECKLIST_DB", "postgres://vp@db2/vp")
    assert database_location() == "postgres://vp@db2/vp"


def test_a_malformed_url_on_the_command_line_is_refused_before_anything_opens() -> None:
    with pytest.raises(ValidationError, match="names no user|names no database"):
        database_location("postgresql:///")


def test_a_changed_file_is_read_again() -> None:
    _write('site_name = "Before"\n')
    assert machine_config.active().site_name == "Before"
    path = _write('site_name = "After, renamed"\n')
    os.utime(path, ns=(1, 2_000_000_000))  # the same second on a coarse clock still differs
    assert machine_config.active().site_name == "After, renamed"


def test_the_anchor_path_applies_unless_the_environment_names_one(
    no_anchor_env: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    config = MachineConfig(tmp_path / "vpchecklist.toml", anchor_path=tmp_path / "share")
    machine_config.export_anchor_folder(config)
    assert os.environ[ENV_FOLDER] == str(tmp_path / "share")
    monkeypatch.setenv(ENV_FOLDER, str(tmp_path / "mine"))
    machine_config.export_anchor_folder(config)
    assert os.environ[ENV_FOLDER] == str(tmp_path / "mine")


def test_the_anchor_goes_where_the_file_says(
    no_anchor_env: None, store: Store, actors: dict[str, Actor], tmp_path: Path
) -> None:
    from vpchecklist.store import anchor

    _write(f'anchor_path = "{tmp_path / "anchor-share"}"\n')
    machine_config.export_anchor_folder(machine_config.active())
    written = anchor.append_current("start")
    assert written is not None and written.parent == tmp_path / "anchor-share"


def test_the_site_name_of_the_database_wins_and_the_file_fills_in(
    store: Store, actors: dict[str, Actor]
) -> None:
    assert settings.site_name(store) == ""
    _write('site_name = "Room 2, St Mary\'s"\n')
    assert settings.site_name(store) == "Room 2, St Mary's"
    settings.update(store, actors["admin"], {"site_name": "St Mary's Spine Unit"})
    assert settings.site_name(store) == "St Mary's Spine Unit"
    assert settings.get_all(store)["site_name"] == "St Mary's Spine Unit"


def test_an_sqlite_url_is_a_file_as_peewee_spells_it(tmp_path: Path) -> None:
    path = _write('database = "sqlite:///room2.sqlite"\n')
    assert load().database == path.parent / "room2.sqlite"
    assert database_location(f"sqlite:///{tmp_path}/a.sqlite") == tmp_path / "a.sqlite"
    assert database_location("sqlite:///relative.sqlite") == Path("relative.sqlite")
    assert database_location("relative.sqlite") == Path("relative.sqlite")  # as typed
    with pytest.raises(ValidationError, match=r"^db: mysql:// is not a database"):
        database_location("mysql://vp@db1/vp")


def test_every_configuration_example_in_the_readme_is_read_as_written() -> None:
    import re

    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    examples = re.findall(r"```toml\n(.*?)```", readme, re.DOTALL)
    assert examples, "the README shows a configuration file"
    for example in examples:
        _write(example)
        config = load()
        assert config.database is not None and config.site_name and config.anchor_path
