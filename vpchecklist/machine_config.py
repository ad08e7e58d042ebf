"""This computer's configuration file, ``vpchecklist.toml``: which database it works on, the site
name it falls back to, and where it writes the external anchor.

Why a file: the workstations of a department share one PostgreSQL database, and its URL (like
the anchor share, mounted where this machine mounts it) belongs to the machine — set once by
IT, not typed on every command line or kept in one user's environment. It is read with the
standard library's ``tomllib``; anything it cannot use is refused with the file and the line,
never guessed past, so a typo never sends a workstation to the wrong database.

Which database opens: ``--db``, then ``VPCHECKLIST_DB``, then this file's ``database``, then
the SQLite file in the data folder (``database_location``).
"""

from __future__ import annotations

import datetime
import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from vpchecklist.errors import ConfigError, ValidationError
from vpchecklist.paths import config_dir, default_database_file
from vpchecklist.store.location import PostgresTarget, is_postgres_url

FILE_NAME = "vpchecklist.toml"
KEYS = ("database", "site_name", "anchor_path")
SQLITE_URL = "sqlite:///"  # peewee's spelling of a file: sqlite:///vp.sqlite, sqlite:////srv/vp
SITE_NAME_LIMIT = 120  # as the site name setting (services.settings)
_AT_LINE = re.compile(r"\s*\(at line (\d+), column \d+\)\s*$")
_AT_END = re.compile(r"\s*\(at end of document\)\s*$")


@dataclass(frozen=True)
class MachineConfig:
    """What the file says; an absent file is an empty configuration (every default holds)."""

    source: Path
    database: Path | str | None = None  # a file, or a postgresql:// URL kept as written
    site_name: str = ""
    anchor_path: Path | None = None


def config_path() -> Path:
    return config_dir() / FILE_NAME


def load(path: Path | None = None) -> MachineConfig:
    """Read and check the file; ``ConfigError`` (one sentence with the file and line) for a
    file that is not TOML, a key this version does not know or a value of the wrong kind."""
    path = path or config_path()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return MachineConfig(path)
    except OSError as exc:
        raise ConfigError(
            f"The configuration file {path} cannot be read ({_reason(exc)})."
        ) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad_line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError(_at(path, bad_line, "the file is not UTF-8 text")) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(_at(path, *_decode_problem(str(exc), text))) from None
    values: dict[str, object] = {}
    for key, value in data.items():
        line = _line_of(text, key)
        if key not in KEYS:
            raise ConfigError(
                _at(
                    path, line, f"{key!r} is not a setting (use database, site_name or anchor_path)"
                )
            )
        if not isinstance(value, str):
            raise ConfigError(_at(path, line, f"{key} must be text in quotes, not {_kind(value)}"))
        try:
            values[key] = _check(key, value, path.parent)
        except ValidationError as exc:
            raise ConfigError(_at(path, line, exc.message)) from None
    database, anchor = values.get("database"), values.get("anchor_path")
    return MachineConfig(
        path,
        database=database if isinstance(database, str | Path) else None,
        site_name=str(values.get("site_name") or ""),
        anchor_path=anchor if isinstance(anchor, Path) else None,
    )


def _check(key: str, value: str, folder: Path) -> Path | str | None:
    text = value.strip()
    if key == "site_name":
        from vpchecklist.rules.values import clean_text

        return clean_text(key, text, "the site name", SITE_NAME_LIMIT) if text else ""
    if not text:
        raise ValidationError(key, f"{key} is empty; remove the line to use the default")
    if key == "database":
        return _target(text, folder)
    return _local_path(text, folder)


def _target(text: str, folder: Path | None) -> Path | str:
    """A ``postgresql://`` URL (checked, kept as written), an ``sqlite:///`` URL or a path
    (relative to ``folder``; to the working folder, as typed, when None)."""
    if is_postgres_url(text):
        PostgresTarget.parse(text)  # a malformed URL is refused before anything opens
        return text
    if text.lower().startswith(SQLITE_URL):
        return _local_path(text[len(SQLITE_URL) :], folder)
    if "://" in text:
        raise ValidationError(
            "db",
            f"{_scheme(text)}:// is not a database this version can use "
            "(a file path, or postgresql://USER@HOST:PORT/DBNAME)",
        )
    return _local_path(text, folder)


def _local_path(text: str, folder: Path | None) -> Path:
    """``~`` is the user's home; a relative path is relative to the configuration file."""
    path = Path(text).expanduser()
    return path if path.is_absolute() or folder is None else folder / path


def _scheme(text: str) -> str:
    return text.split("://", 1)[0][:20]


def _decode_problem(message: str, text: str) -> tuple[int, str]:
    found = _AT_LINE.search(message)
    if found:
        return int(found.group(1)), _problem_text(message[: found.start()])
    last = max(1, len(text.rstrip().splitlines()))
    return last, _problem_text(_AT_END.sub("", message))


def _problem_text(message: str) -> str:
    message = message.strip().rstrip(".")
    return f"this is not valid TOML ({message[:1].lower()}{message[1:]})"


def _line_of(text: str, key: str) -> int | None:
    """Where ``key`` is set (``key =``, ``"key" =``, ``key.sub =`` or ``[key]``)."""
    name = re.escape(key)
    pattern = re.compile(
        rf"^[ \t]*(?:\[+[ \t]*)?(?:{name}|\"{name}\"|'{name}')[ \t]*(?:=|\.|\])", re.MULTILINE
    )
    found = pattern.search(text)
    return text.count("\n", 0, found.start()) + 1 if found else None


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, datetime.date | datetime.time):
        return "a date or time"
    return type(value).__name__


def _at(path: Path, line: int | None, problem: str) -> str:
    where = (
        f"The configuration file {path}, line {line}" if line else f"The configuration file {path}"
    )
    return f"{where}: {problem.rstrip('.')}."


def _reason(exc: OSError) -> str:
    return (exc.strerror or str(exc)).rstrip(".").lower()


_cache: dict[Path, tuple[tuple[int, int], MachineConfig]] = {}


def active() -> MachineConfig:
    """This computer's configuration, read again only when the file changed (the site name
    is asked for on every PDF page mark)."""
    path = config_path()
    try:
        stat = path.stat()
        signature = (stat.st_mtime_ns, stat.st_size)
    except OSError:
        signature = (0, -1)
    cached = _cache.get(path)
    if cached is not None and cached[0] == signature:
        return cached[1]
    config = load(path)
    _cache[path] = (signature, config)
    return config


def database_location(
    explicit: str | os.PathLike[str] | None = None, config: MachineConfig | None = None
) -> Path | str:
    """``--db``, then ``VPCHECKLIST_DB``, then the configuration file's ``database``, then the
    default SQLite file: a ``Path`` for a file, the URL string for PostgreSQL."""
    for given in (explicit, os.environ.get("VPCHECKLIST_DB")):
        if given:
            return _target(os.fspath(given), None)
    configured = (config or active()).database
    return configured if configured is not None else default_database_file()


def export_anchor_folder(config: MachineConfig) -> None:
    """Make the file's ``anchor_path`` this process's anchor folder (and its children's: the
    export workers), unless ``VPCHECKLIST_ANCHOR_DIR`` already names one.

    The store reads that variable before the database's ``anchor_folder`` setting, so the
    order is: the variable, this file, the setting, the log folder. The machine's path wins
    over the shared setting because each workstation mounts the append-only share where it
    does, and on a shared PostgreSQL database the setting is the same for all of them."""
    from vpchecklist.store.anchor import ENV_FOLDER

    if config.anchor_path is not None and not os.environ.get(ENV_FOLDER):
        os.environ[ENV_FOLDER] = str(config.anchor_path)
