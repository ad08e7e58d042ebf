"""``vpchecklist schedule import`` / ``schedule list`` (issue 16) through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

from cli_support import as_user, one_sentence, query

DAY = Path(__file__).parents[1] / "core" / "data" / "schedule-day.hl7"
FUTURE = (
    "MSH|^~\\&|RIS|RADIOLOGY|VPCHECKLIST|IR|20990101080000||SIU^S12^SIU_S12|F0001|P|2.5.1\r"
    "SCH|APT7001^RIS|APT7001^RIS|||||VP||60|MIN|^^60^20990301093000\r"
    "PID|1||MRN07001^^^HOSP^MR||Future^Fay||19500101|F\r"
    "AIP|1|A|1^Nowak^Anna^^^Dr|IR\r"
)


def test_import_prints_counts_and_each_refusal_then_exits_1(cli_db: Path) -> None:
    result = as_user(cli_db, "nurse", "schedule", "import", str(DAY))
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "Added 6, updated 1, cancelled 1, refused 7."
    assert "refused MSG0009: no MRN in PID-3 (identifier type MR)" in lines
    assert "refused MSG0008: the birth date in PID-7 is not a date" in lines
    assert "7 of the file's messages were refused" in one_sentence(result.stderr)
    assert query(cli_db, "SELECT count(*) FROM appointment")[0][0] == 6


def test_a_clean_file_exits_0_and_list_prints_the_contract_json(
    cli_db: Path, tmp_path: Path
) -> None:
    path = tmp_path / "future.hl7"
    path.write_bytes(("\x0b" + FUTURE + "\x1c\r").encode())
    result = as_user(cli_db, "nurse", "schedule", "import", str(path))
    assert (result.returncode, result.stdout.splitlines()[0]) == (
        0,
        "Added 1, updated 0, cancelled 0, refused 0.",
    )
    listed = as_user(cli_db, "nurse", "schedule", "list", "--format", "json")
    assert listed.returncode == 0, listed.stderr
    visits = json.loads(listed.stdout)
    assert visits == [
        {
            "id": visits[0]["id"],
            "mrn": "MRN07001",
            "name": "Fay Future",
            "date_of_birth": "1950-01-01",
            "planned_start": "2099-03-01T09:30",
            "physician": "Dr Anna Nowak",
            "levels": [],
            "status": "scheduled",
        }
    ]
    table = as_user(cli_db, "nurse", "schedule", "list")
    assert "MRN07001" in table.stdout and "1 Mar 2099, 09:30" in table.stdout


def test_a_missing_file_exits_2_in_one_sentence(cli_db: Path, tmp_path: Path) -> None:
    result = as_user(cli_db, "nurse", "schedule", "import", str(tmp_path / "none.hl7"))
    assert result.returncode == 2
    assert "cannot be read" in one_sentence(result.stderr)


def test_an_auditor_may_list_but_not_import(cli_db: Path) -> None:
    result = as_user(cli_db, "auditor", "schedule", "import", str(DAY))
    assert result.returncode == 1
    assert "cannot create checklists" in one_sentence(result.stderr)
    assert as_user(cli_db, "auditor", "schedule", "list").returncode == 0
