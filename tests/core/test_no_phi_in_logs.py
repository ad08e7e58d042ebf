"""No patient name, date of birth or MRN ever reaches a log file: a whole demo session through
the CLI (reads, writes, exports, refusals and malformed input) leaves only record ids behind."""

from __future__ import annotations

import io
import json
import logging
import logging.handlers
import random
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from vpchecklist import cli, demo, logs
from vpchecklist.paths import log_dir
from vpchecklist.services import checklists
from vpchecklist.services.auth import check_credentials
from vpchecklist.store import open_store

PW = demo.DEMO_PASSWORD


@pytest.fixture
def log_file(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """This test's own rotating log in ``log_dir()``: ``setup_logging`` configures once per
    process, so an earlier test's handler (another folder) is set aside and restored after."""
    root = logging.getLogger()
    earlier = [h for h in root.handlers if isinstance(h, logging.handlers.RotatingFileHandler)]
    level = root.level
    for handler in earlier:
        root.removeHandler(handler)
    monkeypatch.setattr(logs, "_configured", False)
    logs.setup_logging()
    ours = [
        h
        for h in root.handlers
        if isinstance(h, logging.handlers.RotatingFileHandler) and h not in earlier
    ]
    assert len(ours) == 1, "setup_logging attached no rotating file handler"
    path = Path(ours[0].baseFilename)
    assert path.parent == log_dir()
    yield path
    root.removeHandler(ours[0])
    ours[0].close()
    for handler in earlier:
        root.addHandler(handler)
    root.setLevel(level)


def run(db: Path, *args: str, stdin: str = "") -> tuple[int, str]:
    out = io.StringIO()
    code = cli.main(["--db", str(db), *args], stdin=io.StringIO(stdin), out=out)
    return code, out.getvalue()


def patients_of(db: Path) -> list[dict[str, Any]]:
    store = open_store(db, create=False)
    try:
        reader = check_credentials(store, "demo.auditor", PW, "test")
        return checklists.search(store, reader)
    finally:
        store.close()


def identifiers(rows: list[dict[str, Any]]) -> set[str]:
    found: set[str] = set()
    for row in rows:
        found |= {row["patient_name"], row["mrn"], row["date_of_birth"]}
        found |= {part for part in row["patient_name"].split() if len(part) > 5}
    return found


def test_a_full_demo_session_writes_no_patient_identifier_to_the_logs(
    log_file: Path, tmp_path: Path, new_db: Callable[[str], Path]
) -> None:
    db = new_db("session")
    assert run(db, "demo", "--count", "6", "--seed", "11")[0] == 0
    rows = patients_of(db)
    assert len(rows) == 6
    first, second = rows[0], rows[1]
    reader = ("--user", "demo.auditor", "--password-stdin")
    nurse = ("--user", "demo.nurse", "--password-stdin")

    # Reads and listings, as every role would do them.
    assert run(db, "list", *reader, stdin=PW + "\n")[0] == 0
    code, listed = run(db, "list", "--format", "json", *reader, stdin=PW + "\n")
    assert code == 0 and first["mrn"] in listed  # the output has them; the log must not
    assert run(db, "list", "--mrn", first["mrn"], *reader, stdin=PW + "\n")[0] == 0
    for cid in (first["id"], second["id"]):
        assert run(db, "checklist", "show", str(cid), *reader, stdin=PW + "\n")[0] == 0
        fmt = ("--format", "json")
        assert run(db, "checklist", "show", str(cid), *fmt, *reader, stdin=PW + "\n")[0] == 0
        assert run(db, "audit", "log", "--checklist", str(cid), *reader, stdin=PW + "\n")[0] == 0
    assert run(db, "audit", "verify")[0] == 0
    assert run(db, "db", "check")[0] == 0
    assert run(db, "backup", "--out", str(tmp_path / "copy.sqlite"))[0] == 0
    assert run(db, "users", "list", "--user", "demo.admin", "--password-stdin", stdin=PW)[0] == 0

    # A new record from a file, then corrections as an addendum naming the patient.
    good = demo.demo_document(random.Random(4), _planned(), ["L2"], "clean")
    new_file = tmp_path / "new.json"
    new_file.write_text(json.dumps(good), encoding="utf-8")
    assert run(db, "evaluate", str(new_file))[0] == 0
    code, created = run(db, "checklist", "create", "--from", str(new_file), *nurse, stdin=PW)
    assert code == 0, created
    text = f"Spoke with {first['patient_name']} ({first['mrn']}) again before transfer"
    addendum = ("checklist", "addendum", str(first["id"]), "--text", text)
    run(db, *addendum, "--user", "demo.physician", "--password-stdin", stdin=PW)

    # Failures: bad input naming a patient, wrong passwords, refused changes, missing records.
    bad = dict(good, levels=["X9"], answers=dict(good["answers"], **{"history.inr": "abc"}))
    bad["patient"] = {
        "name": first["patient_name"],
        "date_of_birth": first["date_of_birth"],
        "mrn": first["mrn"],
    }
    bad_file = tmp_path / "bad.json"
    bad_file.write_text(json.dumps(bad), encoding="utf-8")
    assert run(db, "evaluate", str(bad_file))[0] != 0
    assert run(db, "checklist", "create", "--from", str(bad_file), *nurse, stdin=PW)[0] != 0
    broken = tmp_path / "broken.json"
    broken.write_text(
        json.dumps({"patient": {"name": second["patient_name"], "mrn": second["mrn"]}})[:-2],
        encoding="utf-8",
    )
    assert run(db, "evaluate", str(broken))[0] != 0
    assert run(db, "list", "--mrn", second["mrn"], *reader, stdin="wrong password\n")[0] != 0
    as_patient = ("--user", second["patient_name"], "--password-stdin")
    assert run(db, "list", "--mrn", second["mrn"], *as_patient, stdin=PW)[0] != 0
    answer = ("checklist", "answer", str(first["id"]), "sedation.iv_access", first["patient_name"])
    assert run(db, *answer, *nurse, stdin=PW)[0] != 0  # signed: locked
    assert run(db, "checklist", "show", "99999", *reader, stdin=PW)[0] != 0
    assert run(db, "list", "--from", first["date_of_birth"] + "x", *reader, stdin=PW)[0] != 0

    _export_if_available(db, first["id"], tmp_path)

    for handler in logging.getLogger().handlers:
        handler.flush()
    files = [p for p in log_dir().rglob("*") if p.is_file()]
    assert log_file in files
    written = "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in files)
    assert "refused" in written  # the session was logged: the check below is not vacuous
    leaked = sorted(i for i in identifiers(rows) if i and i in written)
    assert leaked == [], f"patient identifiers in the log: {leaked}"


def _planned() -> datetime:
    return datetime.now().replace(second=0, microsecond=0) + timedelta(hours=3)


def _export_if_available(db: Path, checklist_id: int, tmp_path: Path) -> None:
    """Export a PDF (and fail one) through the export package when it is installed."""
    try:
        from vpchecklist.services.exports import export_one
    except ImportError:
        return
    store = open_store(db, create=False)
    try:
        reader = check_credentials(store, "demo.auditor", PW, "test")
        export_one(store, reader, checklist_id, tmp_path / "record.pdf")
        with pytest.raises(Exception):  # noqa: B017 - any refusal; only the log matters here
            export_one(store, reader, checklist_id, tmp_path / "missing" / "dir" / "x.pdf", "B5")
    finally:
        store.close()
