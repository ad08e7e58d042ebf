"""Where data, logs, backups and this computer's configuration file live (platformdirs), and
how ``--db`` / ``VPCHECKLIST_DB`` override the database file.

``VPCHECKLIST_HOME`` moves every folder under one root: tests and portable installs use it.
Which database a command or the app opens (a file or a ``postgresql://`` URL, with the
configuration file in the order) is ``vpchecklist.machine_config.database_location``.
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


def config_dir() -> Path:
    """The per-machine configuration folder (``vpchecklist.toml``): platformdirs' *config*
    folder, not the data folder, because IT deploys it and it names no patient data."""
    home = _home()
    return (
        home / "config" if home else Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))
    )


def default_backup_dir() -> Path:
    return data_dir() / "backups"


def default_database_file() -> Path:
    """The SQLite file used when neither ``--db``, ``VPCHECKLIST_DB`` nor the configuration
    file names a database (``machine_config.database_location`` decides)."""
    return data_dir() / DB_FILE
