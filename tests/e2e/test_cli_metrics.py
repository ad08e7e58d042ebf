"""``vpchecklist metrics`` and ``vpchecklist report`` through the real CLI, on records whose
answers were given at controlled moments."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cli_support import PASSWORDS, as_user, one_sentence, run_cli
from pypdf import PdfReader

from tests.documents import LUMBAR_ANSWERS
from tests.walkthrough import HEADER, walk
from vpchecklist.services import auth, checklists
from vpchecklist.store import open_store

PERIOD = ("--from", "2026-03-01", "--to", "2026-03-31")
CONTRACT = [
    "id",
    "status",
    "total_seconds",
    "rushed",
    "imported",
    "fast_answers",
    "changed_answers",
    "timeout_timing",
]


@pytest.fixture
def records(cli_db: Path) -> dict[str, int]:
    """A careful signed record, a rushed signed one, a postponed one and an imported draft."""
    store = open_store(cli_db, create=False)
    try:
        nurse = auth.check_credentials(store, "nurse", PASSWORDS["nurse"])
        physician = auth.check_credentials(store, "physician", PASSWORDS["physician"])
        day = {**HEADER, "planned_start": "2026-03-12T10:00"}
        return {
            "careful": walk(
                store,
                nurse,
                5.0,
                start=datetime(2026, 3, 10, 9, 0, tzinfo=UTC),
                sign=("ready", None),
                password=PASSWORDS["nurse"],
            ),
            "rushed": walk(
                store,
                physician,
                0.8,
                start=datetime(2026, 3, 12, 7, 0, tzinfo=UTC),
                header=day,
                sign=("ready", None),
                password=PASSWORDS["physician"],
            ),
            "postponed": walk(
                store,
                nurse,
                3.0,
                start=datetime(2026, 3, 20, 9, 40, tzinfo=UTC),
                header={**HEADER, "planned_start": "2026-03-20T10:00"},
                answers={**LUMBAR_ANSWERS, "skin.site_intact": "no"},
                sign=("postponed", "Rash over the entry site"),
                password=PASSWORDS["nurse"],
            ),
            "imported": checklists.create_from_document(
                store,
                nurse,
                {**HEADER, "planned_start": "2026-03-25T10:00", "answers": LUMBAR_ANSWERS},
            ),
            "outside": walk(
                store,
                nurse,
                5.0,
                start=datetime(2026, 4, 1, 9, 0, tzinfo=UTC),
                header={**HEADER, "planned_start": "2026-04-01T10:00"},
            ),
        }
    finally:
        store.close()


def metrics_json(db: Path, *extra: str) -> list[dict[str, object]]:
    result = as_user(db, "auditor", "metrics", *PERIOD, *extra)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_metrics_rows(cli_db: Path, records: dict[str, int]) -> None:
    rows = {row["id"]: row for row in metrics_json(cli_db)}
    assert list(rows) == [records[k] for k in ("careful", "rushed", "postponed", "imported")]
    for row in rows.values():
        assert list(row)[: len(CONTRACT)] == CONTRACT
    careful, rushed = rows[records["careful"]], rows[records["rushed"]]
    assert careful["status"] == "signed" and careful["rushed"] is False
    assert careful["total_seconds"] == 5.0 * len(LUMBAR_ANSWERS)
    assert careful["fast_answers"] == 0 and careful["timeout_timing"] == "ok"
    assert rushed["rushed"] is True and rushed["fast_answers"] == len(LUMBAR_ANSWERS)
    assert rushed["timeout_timing"] == "early"  # recorded about three hours before 10:00
    postponed, imported = rows[records["postponed"]], rows[records["imported"]]
    assert postponed["status"] == "postponed" and postponed["timeout_timing"] == "ok"
    assert imported["imported"] is True and imported["total_seconds"] is None
    assert imported["status"] == "draft" and imported["rushed"] is False


def test_metrics_csv_matches_json(cli_db: Path, records: dict[str, int]) -> None:
    as_json = metrics_json(cli_db)
    result = as_user(cli_db, "auditor", "metrics", *PERIOD, "--format", "csv")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [int(r["id"]) for r in rows] == [r["id"] for r in as_json]
    for row, expected in zip(rows, as_json, strict=True):
        assert row["rushed"] == str(expected["rushed"]).lower()
        assert row["timeout_timing"] == expected["timeout_timing"]
        assert row["total_seconds"] == (
            "" if expected["total_seconds"] is None else str(expected["total_seconds"])
        )


def test_metrics_filters(cli_db: Path, records: dict[str, int]) -> None:
    assert [r["id"] for r in metrics_json(cli_db, "--nurse", "physician")] == [records["rushed"]]
    assert metrics_json(cli_db, "--physician", "Dr Nobody") == []


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (("--from", "2026-03-01", "--to", "31.03.2026"), 2, "not a date"),
        (("--from", "2026-03-31", "--to", "2026-03-01"), 2, "starts after it ends"),
        (("--to", "2026-03-31"), 2, "--from"),
    ],
)
def test_metrics_bad_period(cli_db: Path, args: tuple[str, ...], code: int, words: str) -> None:
    result = as_user(cli_db, "auditor", "metrics", *args)
    assert result.returncode == code
    assert words in one_sentence(result.stderr)


@pytest.mark.parametrize("role", ["nurse", "physician", "admin"])
def test_metrics_and_report_are_for_auditors(cli_db: Path, role: str, tmp_path: Path) -> None:
    for args in (("metrics", *PERIOD), ("report", *PERIOD, "--out", str(tmp_path / "r.pdf"))):
        result = as_user(cli_db, role, *args)
        assert result.returncode == 1, result.stderr
        assert "cannot read completion metrics" in one_sentence(result.stderr)
    assert not (tmp_path / "r.pdf").exists()


def report_figures(pdf: Path) -> dict[str, str]:
    """The figures table of the report as pypdf reads it: label line, then value line."""
    text = "\n".join(page.extract_text() for page in PdfReader(pdf).pages)
    lines = [line.strip() for line in text.splitlines()]
    labels = [
        "Checklists started",
        "Signed ready",
        "Postponed",
        "Still draft",
        "Median time to complete",
        "Flagged rushed",
        "With imported answers (not timed)",
        "Time-out: On time",
        "Time-out: Recorded early",
        "Time-out: Recorded after the planned start",
        "Time-out: Missing",
    ]
    return {label: lines[lines.index(label) + 1] for label in labels}


def test_report_numbers_match_metrics(
    cli_db: Path, records: dict[str, int], tmp_path: Path
) -> None:
    out = tmp_path / "march.pdf"
    result = as_user(cli_db, "auditor", "report", *PERIOD, "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert out.stat().st_mode & 0o777 == 0o600
    rows = metrics_json(cli_db)
    figures = report_figures(out)
    assert figures["Checklists started"] == str(len(rows))
    assert figures["Signed ready"] == str(sum(r["status"] == "signed" for r in rows))
    assert figures["Postponed"] == str(sum(r["status"] == "postponed" for r in rows))
    assert figures["Still draft"] == str(sum(r["status"] == "draft" for r in rows))
    timed = [r for r in rows if r["total_seconds"] is not None]
    rushed = [r for r in rows if r["rushed"]]
    assert figures["Flagged rushed"].startswith(f"{len(rushed)} of {len(timed)} timed")
    assert figures["With imported answers (not timed)"] == str(
        sum(bool(r["imported"]) for r in rows)
    )
    for timing, label in (("ok", "On time"), ("early", "Recorded early"), ("missing", "Missing")):
        count = sum(r["timeout_timing"] == timing for r in rows)
        assert figures[f"Time-out: {label}"] == str(count)
    text = "\n".join(page.extract_text() for page in PdfReader(out).pages)
    flagged = re.findall(r"^(\d+)\n\d+ Mar 2026, \d\d:\d\d$", text, re.MULTILINE)
    assert [int(i) for i in flagged] == [r["id"] for r in rushed]
    assert "Skin over the entry site intact" in text  # the postponed record's hard stop


def test_report_never_overwrites_silently(
    cli_db: Path, records: dict[str, int], tmp_path: Path
) -> None:
    out = tmp_path / "march.pdf"
    out.write_bytes(b"keep me")
    result = as_user(cli_db, "auditor", "report", *PERIOD, "--out", str(out))
    assert result.returncode == 2 and "--force" in one_sentence(result.stderr)
    assert out.read_bytes() == b"keep me"
    forced = as_user(cli_db, "auditor", "report", *PERIOD, "--out", str(out), "--force")
    assert forced.returncode == 0, forced.stderr
    assert out.read_bytes().startswith(b"%PDF")
    bad = as_user(cli_db, "auditor", "report", *PERIOD, "--out", str(tmp_path / "r.txt"))
    assert bad.returncode == 2 and ".pdf" in one_sentence(bad.stderr)


def test_report_names_the_site(cli_db: Path, records: dict[str, int], tmp_path: Path) -> None:
    assert (
        as_user(cli_db, "admin", "settings", "set", "site_name", "St Example Hospital").returncode
        == 0
    )
    out = tmp_path / "site.pdf"
    assert as_user(cli_db, "auditor", "report", *PERIOD, "--out", str(out)).returncode == 0
    text = PdfReader(out).pages[0].extract_text()
    assert "St Example Hospital" in text and "2026-03-01 to 2026-03-31" in text
    assert run_cli(cli_db, "audit", "verify").returncode == 0


def test_record_pdf_prints_the_completion_pattern(
    cli_db: Path, records: dict[str, int], tmp_path: Path
) -> None:
    for name, expected in (
        ("rushed", "— flagged rushed (whole checklist in "),
        ("careful", f"{len(LUMBAR_ANSWERS)} items in "),
        ("imported", "answers imported, not timed"),
    ):
        out = tmp_path / f"{name}.pdf"
        result = as_user(cli_db, "nurse", "export", str(records[name]), "--out", str(out))
        assert result.returncode == 0, result.stderr
        text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(out).pages)
        assert "Completion pattern" in text and expected in text, name
        if name == "careful":
            assert "flagged" not in text
        if name != "imported":  # a draft's copy is never "verified"
            assert run_cli(cli_db, "verify", str(out)).returncode == 0
