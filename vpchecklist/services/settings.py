"""Site settings kept in the database (idle lock, backup folder, site name, how the hospital's
schedule and wristbands are read): admin only."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Any

from vpchecklist.errors import ValidationError
from vpchecklist.paths import default_backup_dir
from vpchecklist.rules.values import clean_text
from vpchecklist.schedule.messages import LEVELS_FIELD, ReadingRules
from vpchecklist.services import audit
from vpchecklist.services.actors import Actor
from vpchecklist.store import Store
from vpchecklist.store.models import Setting
from vpchecklist.wristband import DEFAULT_PATTERN, check_pattern

DEFAULTS: dict[str, str] = {
    "idle_lock_minutes": "10",
    "backup_folder": "",
    "site_name": "",
    # Issue 16: which PID-3 identifier is the MRN, where levels come in, the drop folder the
    # app polls for HL7 files, and where the MRN sits in a wristband's barcode.
    "schedule_mrn_type": "MR",
    "schedule_mrn_authority": "",
    "schedule_levels_field": "",
    "schedule_drop_folder": "",
    "wristband_mrn_pattern": DEFAULT_PATTERN,
    "anchor_folder": "",
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
    if key in ("backup_folder", "schedule_drop_folder", "anchor_folder"):
        return "" if not str(value).strip() else str(Path(str(value).strip()).expanduser())
    if key in ("schedule_mrn_type", "schedule_mrn_authority"):
        text = str(value).strip()
        if len(text) > 40 or not re.fullmatch(r"[A-Za-z0-9 ._-]*", text):
            raise ValidationError(key, f"{text[:40]!r} is not an identifier type or authority")
        return text
    if key == "schedule_levels_field":
        text = str(value).strip().upper()
        if text and not LEVELS_FIELD.match(text):
            raise ValidationError(key, "name a field like OBR-13, or NTE for the comments")
        return text
    if key == "wristband_mrn_pattern":
        try:
            return check_pattern(str(value).strip() or DEFAULT_PATTERN)
        except ValueError as exc:
            raise ValidationError(key, str(exc)) from None
    return "" if not str(value).strip() else clean_text(key, value, "the site name", 120)


def get_all(store: Store) -> dict[str, str]:
    """Settings anyone signed in may read (the UI needs the idle lock, PDFs the site name)."""
    with store.reading():
        stored = {s.key: s.value for s in Setting.select()}
    return {key: stored.get(key, default) for key, default in DEFAULTS.items()}


def site_name(store: Store) -> str:
    """The name printed on PDFs and shown in the header: the database's ``site_name`` setting,
    else this computer's configuration file's ``site_name``.

    The setting wins because an administrator chose it, it is audited and every workstation
    on the database shares it; the file names the site for a machine whose database has no
    name yet. A copy stays verifiable either way (``verify`` ignores the site line)."""
    from vpchecklist import machine_config

    return get_all(store)["site_name"] or machine_config.active().site_name


def idle_lock_minutes(store: Store) -> int:
    return int(get_all(store)["idle_lock_minutes"])


def backup_folder_problem(text: str) -> str:
    """Why backups could not be written to ``text`` ("" when they can; empty text means the
    default folder beside the database, always fine).

    Checked when the setting is saved, so a mistyped folder is caught while the administrator
    is still looking, not by tomorrow's automatic backup. The folder is made and a file written
    and removed in it: permission bits say nothing for root or for /proc, /sys and full disks."""
    if not text.strip():
        return ""
    folder = Path(text.strip()).expanduser()
    if not folder.is_absolute():
        return f"The backup folder must be a full path (for example {Path.home() / 'backups'})."
    if folder.exists() and not folder.is_dir():
        return f"{folder} is a file, not a folder."
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".vpchecklist-probe-"):
            pass
    except OSError as exc:
        reason = (exc.strerror or str(exc)).rstrip(".").lower()
        return (
            f"VP Checklist cannot write backups to {folder} ({reason}); "
            "choose a folder on a disk this computer can write to."
        )
    return ""


def default_backup_folder(store: Store) -> Path:
    """``backups/`` beside the database file; for a server database, in this machine's data
    folder (``pg_dump`` files)."""
    return store.path.parent / "backups" if store.path is not None else default_backup_dir()


def backup_folder(store: Store) -> Path:
    """The administrator's folder, else the default one."""
    folder = get_all(store)["backup_folder"]
    return Path(folder) if folder else default_backup_folder(store)


def schedule_rules(store: Store) -> ReadingRules:
    values = get_all(store)
    return ReadingRules(
        mrn_type=values["schedule_mrn_type"],
        mrn_authority=values["schedule_mrn_authority"],
        levels_field=values["schedule_levels_field"],
    )


def drop_folder(store: Store) -> Path | None:
    folder = get_all(store)["schedule_drop_folder"]
    return Path(folder) if folder else None


def update(store: Store, actor: Actor, changes: dict[str, Any]) -> dict[str, str]:
    audit.require(store, actor, "settings")
    # A mistyped value is bad input (exit 2, one sentence), not a refusal: nothing is written
    # and nothing audited, so the audit log is not filled with typos.
    clean = {key: _validate(key, str(value)) for key, value in changes.items()}
    folder = clean.get("backup_folder")
    if folder and folder != get_all(store)["backup_folder"]:
        problem = backup_folder_problem(folder)
        if problem:
            raise ValidationError("backup_folder", problem)
    with store.transaction():
        audit.record_change(
            actor.username, "settings", "settings", changed=sorted(clean), values=clean
        )
        for key, value in clean.items():
            Setting.insert(key=key, value=value).on_conflict(
                conflict_target=[Setting.key], preserve=[Setting.value]
            ).execute()
    return get_all(store)
