"""The schedule drop folder (issue 16): settled files are imported and moved to done/ or
failed/ (with a note of the refusals); files still being written wait."""

from __future__ import annotations

import os
import time
from pathlib import Path

from vpchecklist.services import Actor, schedule_folder, settings
from vpchecklist.store import Store
from vpchecklist.store.models import Appointment

DAY = Path(__file__).parent / "data" / "schedule-day.hl7"
GOOD = (
    "MSH|^~\\&|RIS|RAD|VPC|IR|20261130||SIU^S12|G1|P|2.5\r"
    "SCH|APT3001||||||VP||60|MIN|^^60^202612011000\r"
    "PID|1||MRN03001^^^HOSP^MR||Good^Gus||19500101|M\r"
)


def _aged(path: Path) -> Path:
    past = time.time() - 60
    os.utime(path, (past, past))
    return path


def test_files_move_to_done_or_failed(
    store: Store, actors: dict[str, Actor], tmp_path: Path
) -> None:
    folder = tmp_path / "inbox"
    folder.mkdir()
    settings.update(store, actors["admin"], {"schedule_drop_folder": str(folder)})
    (folder / "good.hl7").write_bytes(GOOD.encode())
    (folder / "day.hl7").write_bytes(DAY.read_bytes())
    (folder / "fresh.hl7").write_bytes(GOOD.replace("APT3001", "APT3002").encode())
    (folder / "partial.hl7.part").write_bytes(b"MSH|")
    _aged(folder / "good.hl7")
    _aged(folder / "day.hl7")

    report = schedule_folder.process(store, actors["nurse"])

    assert report.done == ["good.hl7"]
    assert report.failed == ["day.hl7"]
    assert report.added == 7 and report.changed
    assert (folder / "done" / "good.hl7").exists()
    assert (folder / "failed" / "day.hl7").exists()
    note = (folder / "failed" / "day.hl7.refused.txt").read_text(encoding="utf-8")
    assert "refused MSG0009: no MRN in PID-3 (identifier type MR)" in note
    assert "MRN" not in note.replace("no MRN", "")  # reasons only, no patient identifiers
    # Still being written, or not a schedule file yet: left where they are.
    assert (folder / "fresh.hl7").exists() and (folder / "partial.hl7.part").exists()
    assert Appointment.select().count() == 7

    again = schedule_folder.process(store, actors["nurse"])
    assert (again.done, again.failed) == ([], [])


def test_a_second_file_of_the_same_name_never_replaces_the_first(
    store: Store, actors: dict[str, Actor], tmp_path: Path
) -> None:
    folder = tmp_path / "inbox"
    folder.mkdir()
    settings.update(store, actors["admin"], {"schedule_drop_folder": str(folder)})
    for _ in range(2):
        _aged_file = folder / "good.hl7"
        _aged_file.write_bytes(GOOD.encode())
        _aged(_aged_file)
        schedule_folder.process(store, actors["nurse"])
    assert sorted(p.name for p in (folder / "done").iterdir()) == ["good.1.hl7", "good.hl7"]


def test_no_folder_or_a_role_that_cannot_import_does_nothing(
    store: Store, actors: dict[str, Actor], tmp_path: Path
) -> None:
    assert not schedule_folder.process(store, actors["nurse"]).changed
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "good.hl7").write_bytes(GOOD.encode())
    _aged(folder / "good.hl7")
    settings.update(store, actors["admin"], {"schedule_drop_folder": str(folder)})
    report = schedule_folder.process(store, actors["auditor"])
    assert (report.done, report.failed) == ([], [])
    assert (folder / "good.hl7").exists()
