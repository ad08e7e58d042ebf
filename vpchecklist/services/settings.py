"""Site settings kept in the database (idle lock, backup folder, site name): admin only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from vpchecklist.errors import ValidationError
from vpchecklist.rules.values import clean_text
from vpchecklist.services import audit
from vpchecklist.services.actors import Actor
from vpchecklist.services.verbs import performing
from vpchecklist.store import Store
from vpchecklist.store.models import Setting

DEFAULTS: dict[str, str] = {
    "idle_lock_minutes": "10",
    "backup_folder": "",
    "site_name": "",
}


def _validate(key: str, value: str) -> str:
    if key not in DEFAULTS:
        raise ValidationError(key, "unknown setting")
    if key == "idle_lock_minutes":
        try:
            minutes = int(value)
        except (TypeError, ValueError):
            raise ValidationError(key, f"{value!r} is not a whole number of minutes") from None
        if not 1 <= minutes <= 120:
            raise ValidationError(key, "the idle lock must be between 1 and 120 minutes")
        return str(minutes)
    if key == "backup_folder":
        return "" if not str(value).strip() else str(Path(str(value).strip()).expanduser())
    return "" if not str(value).strip() else clean_text(key, value, "the site name", 120)


def get_all(store: Store) -> dict[str, str]:
    """Settings anyone signed in may read (the UI needs the idle lock, PDFs the site name)."""
    with store.reading():
        stored = {s.key: s.value for s in Setting.select()}
    return {key: stored.get(key, default) for key, default in DEFAULTS.items()}


def idle_lock_minutes(store: Store) -> int:
    return int(get_all(store)["idle_lock_minutes"])


def backup_folder(store: Store) -> Path:
    """The administrator's folder, else ``backups/`` beside the database file."""
    folder = get_all(store)["backup_folder"]
    return Path(folder) if folder else store.path.parent / "backups"


def update(store: Store, actor: Actor, changes: dict[str, Any]) -> dict[str, str]:
    with performing(store, actor, "settings"):
        clean = {key: _validate(key, str(value)) for key, value in changes.items()}
        with store.transaction():
            for key, value in clean.items():
                Setting.insert(key=key, value=value).on_conflict_replace().execute()
            audit.record(actor.username, "settings", changed=sorted(clean))
    return get_all(store)
