"""Where data, logs and backups live (platformdirs), and how ``--db`` / ``VPCHECKLIST_DB`` override it.

``VPCHECKLIST_HOME`` moves every folder under one root: tests and portable installs use it.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "vpchecklist"
DB_FILE = "vpchecklist.sqlite"


def _home() -> Path | None:
    home = os.environ.get("VPCHECKLIST_HOME")
    return Path(home).expanduser() if home else None


def data_dir() -> Path:
    home = _home()
    return home / "data" if home else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def log_dir() -> Path:
    home = _home()
    return home / "logs" if home else Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))


def default_backup_dir() -> Path:
    return data_dir() / "backups"


def database_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """``--db`` first, then ``VPCHECKLIST_DB``, then the default file in the data folder."""
    if explicit:
        return Path(explicit).expanduser()
    env = os.environ.get("VPCHECKLIST_DB")
    if env:
        return Path(env).expanduser()
    return data_dir() / DB_FILE
