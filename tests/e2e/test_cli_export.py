"""``vpchecklist export`` and ``vpchecklist verify`` (issue 4), run as real subprocesses.

Exit codes: 0 ok; 1 a check failed or was refused (verify mismatch, a role that may not
export, a bulk export with failures); 2 bad usage or input. Failures are one sentence.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from cli_support import (
    PASSWORDS,
    as_user,
    complete_doc,
    one_sentence,
    query,
    run_cli,
    seed,
)
from pypdf import PdfReader

from vpchecklist.export.csv import COLUMNS
from vpchecklist.services.exports import pdf_name


@pytest.fixture
def records(cli_db: Path) -> dict[str, list[int]]:
    """Two signed checklists (March and April), one postponed, one draft."""
    signed = seed(
        cli_db,
        complete_doc(mrn="MRN-S1"),
        dict(complete_doc(mrn="MRN-S2"), planned_start="2026-04-02T09:00"),
        sign="ready",
    )
    postponed = seed(
        cli_db,
        complete_doc(mrn="MRN-P1", consent__signed="no"),
        sign="postponed",
        reason="No consent",
    )
    draft = seed(cli_db, complete_doc(mrn="MRN-D1"))
    return {"signed": signed, "postponed": postponed, "draft": draft}


def _export_events(db: Path) -> list[tuple[str, str, int | None]]:
    return [
        (row[0], row[1], row[2])
        for row in query(
            db,
            "SELECT username, outcome, checklist_id FROM audit_event WHERE action = 'export' "
            "ORDER BY id",
        )
    ]


def test_single_export_writes_an_audited_pdf(cli_db, records, tmp_path):
    cid = records["signed"][0]
    out = tmp_path / "copy.pdf"
    result = as_user(cli_db, "auditor", "export", str(cid), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert f"Exported checklist {cid} to {out}" in result.stdout
    reader = PdfReader(str(out))
    assert reader.metadata.subject == f"Checklist record {cid}"
    assert [round(float(v)) for v in reader.pages[0].mediabox[2:]] == [595, 842]
    assert _export_events(cli_db) == [("auditor", "ok", cid)]


def test_single_export_on_letter_paper(cli_db, records, tmp_path):
    out = tmp_path / "letter.pdf"
    cid = records["postponed"][0]
    result = as_user(cli_db, "auditor", "export", str(cid), "--out", str(out), "--paper", "letter")
    assert result.returncode == 0, result.stderr
    assert [round(float(v)) for v in PdfReader(str(out)).pages[0].mediabox[2:]] == [612, 792]


@pytest.mark.slow
def test_bulk_pdf_exports_the_matching_records(cli_db, records, tmp_path):
    out = tmp_path / "bulk"
    result = as_user(
        cli_db,
        "auditor",
        "export",
        "--status",
        "signed",
        "--from",
        "2026-03-01",
        "--to",
        "2026-03-31",
        "--out",
        str(out),
    )
    assert result.returncode == 0, result.stderr
    march = records["signed"][0]
    assert sorted(p.name for p in out.iterdir()) == [pdf_name(march)]
    assert "Exported 1 of 1." in result.stderr  # the progress line
    assert "1 PDF written" in result.stdout
    assert _export_events(cli_db) == [("auditor", "ok", march)]

    every = tmp_path / "every"
    result = as_user(cli_db, "auditor", "export", "--status", "signed", "--out", str(every))
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in every.iterdir()) == sorted(
        pdf_name(cid) for cid in records["signed"]
    )
    assert "2 PDFs written" in result.stdout
    for pdf in every.iterdir():
        verified = run_cli(cli_db, "verify", str(pdf))
        assert verified.returncode == 0, verified.stderr


def test_bulk_csv_has_one_row_per_record_and_the_columns(cli_db, records, tmp_path):
    out = tmp_path / "csv"
    result = as_user(cli_db, "auditor", "export", "--format", "csv", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "1 CSV file written" in result.stdout
    [csv_file] = list(out.iterdir())
    assert csv_file.suffix == ".csv"
    rows = list(csv.DictReader(csv_file.read_text(encoding="utf-8-sig").splitlines()))
    assert tuple(rows[0]) == COLUMNS
    by_mrn = {row["mrn"]: row for row in rows}
    assert set(by_mrn) == {"MRN-S1", "MRN-S2", "MRN-P1", "MRN-D1"}
    assert by_mrn["MRN-S1"]["status"] == "signed"
    assert by_mrn["MRN-S1"]["signed_by"] == "Nina Nurse"
    assert len(by_mrn["MRN-S1"]["record_sha256"]) == 64
    assert by_mrn["MRN-P1"]["status"] == "postponed"
    assert by_mrn["MRN-D1"]["record_sha256"] == "" and by_mrn["MRN-D1"]["signed_by"] == ""

    signed_only = tmp_path / "signed-csv"
    result = as_user(
        cli_db,
        "auditor",
        "export",
        "--status",
        "signed",
        "--format",
        "csv",
        "--out",
        str(signed_only),
    )
    assert result.returncode == 0, result.stderr
    [csv_file] = list(signed_only.iterdir())
    rows = list(csv.DictReader(csv_file.read_text(encoding="utf-8-sig").splitlines()))
    assert sorted(row["mrn"] for row in rows) == ["MRN-S1", "MRN-S2"]


@pytest.mark.slow
def test_verify_passes_on_a_fresh_copy_and_fails_after_an_addendum(cli_db, records, tmp_path):
    cid = records["signed"][0]
    out = tmp_path / "copy.pdf"
    assert as_user(cli_db, "auditor", "export", str(cid), "--out", str(out)).returncode == 0

    result = run_cli(cli_db, "verify", str(out))  # no user needed
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"Verified: an unaltered copy of checklist {cid}")

    added = as_user(
        cli_db,
        "nurse",
        "checklist",
        "addendum",
        str(cid),
        "--text",
        "Late entry: escort confirmed by phone.",
        password=[PASSWORDS["nurse"]],
    )
    assert added.returncode == 0, added.stderr
    result = run_cli(cli_db, "verify", str(out))
    assert result.returncode == 1
    assert "addendum" in one_sentence(result.stderr)

    fresh = tmp_path / "fresh.pdf"
    assert as_user(cli_db, "auditor", "export", str(cid), "--out", str(fresh)).returncode == 0
    assert run_cli(cli_db, "verify", str(fresh)).returncode == 0


def test_verify_fails_on_edited_bytes(cli_db, records, tmp_path):
    cid = records["signed"][1]
    out = tmp_path / "copy.pdf"
    assert as_user(cli_db, "auditor", "export", str(cid), "--out", str(out)).returncode == 0
    data = out.read_bytes()
    assert b"ReportLab" in data
    edited = tmp_path / "edited.pdf"
    edited.write_bytes(data.replace(b"ReportLab", b"ReportLaB", 1))
    result = run_cli(cli_db, "verify", str(edited))
    assert result.returncode == 1
    assert "edited" in one_sentence(result.stderr)


def test_verify_of_a_missing_file_is_bad_input(cli_db, tmp_path):
    result = run_cli(cli_db, "verify", str(tmp_path / "nope.pdf"))
    assert result.returncode == 2
    assert "does not exist" in one_sentence(result.stderr)


def test_unknown_id_is_bad_input(cli_db, records, tmp_path):
    out = tmp_path / "x.pdf"
    result = as_user(cli_db, "auditor", "export", "999999", "--out", str(out))
    assert result.returncode == 2
    assert "999999" in one_sentence(result.stderr)
    assert not out.exists()
    result = as_user(cli_db, "auditor", "export", "abc", "--out", str(out))
    assert result.returncode == 2
    one_sentence(result.stderr)


def test_bulk_flags_with_an_id_are_bad_usage(cli_db, records, tmp_path):
    cid = records["signed"][0]
    result = as_user(
        cli_db, "auditor", "export", str(cid), "--status", "signed", "--out", str(tmp_path)
    )
    assert result.returncode == 2
    assert "--status" in one_sentence(result.stderr)


def test_auditor_may_export_and_admin_is_refused(cli_db, records, tmp_path):
    cid = records["signed"][0]
    ok = as_user(cli_db, "auditor", "export", str(cid), "--out", str(tmp_path / "a.pdf"))
    assert ok.returncode == 0, ok.stderr

    refused = as_user(cli_db, "admin", "export", str(cid), "--out", str(tmp_path / "b.pdf"))
    assert refused.returncode == 1
    assert "cannot export" in one_sentence(refused.stderr)
    assert not (tmp_path / "b.pdf").exists()

    folder = tmp_path / "admin-bulk"
    refused = as_user(cli_db, "admin", "export", "--status", "signed", "--out", str(folder))
    assert refused.returncode == 1
    one_sentence(refused.stderr)
    assert not folder.exists() or not any(folder.iterdir())
    assert [e[:2] for e in _export_events(cli_db)] == [
        ("auditor", "ok"),
        ("admin", "refused"),
        ("admin", "refused"),
    ]


def test_wrong_password_is_refused(cli_db, records, tmp_path):
    cid = records["signed"][0]
    result = as_user(
        cli_db, "auditor", "export", str(cid), "--out", str(tmp_path / "x.pdf"), password="wrong"
    )
    assert result.returncode == 1
    one_sentence(result.stderr)


@pytest.mark.slow
def test_ctrl_c_stops_a_bulk_export_between_files(new_db, tmp_path):
    import signal
    import subprocess
    import sys

    from cli_support import cli_env

    from tests.bulk_records import make_records
    from vpchecklist.demo import DEMO_PASSWORD
    from vpchecklist.store import open_store

    cli_db = new_db("demo")  # demo records go only into a demo database
    store = open_store(cli_db, demo=True)
    try:
        make_records(store, 150, real=3)
    finally:
        store.close()
    out = tmp_path / "bulk"
    password = tmp_path / "password.txt"
    password.write_text(DEMO_PASSWORD + "\n", encoding="utf-8")
    with (
        password.open("rb") as stdin,
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "vpchecklist.cli",
                "--db",
                str(cli_db),
                "export",
                "--out",
                str(out),
                "--user",
                "demo.auditor",
                "--password-stdin",
            ],
            stdin=stdin,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=cli_env(),
        ) as proc,
    ):
        assert proc.stderr is not None
        first = proc.stderr.readline()  # the first progress line: some files are done
        assert first.startswith("Exported"), first
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 1, (stdout, stderr)
    assert "cancelled" in stderr and "Traceback" not in stderr
    files = sorted(p.name for p in out.iterdir())
    assert 0 < len(files) < 150
    assert all(re.fullmatch(r"VP-\d+-\d{8}\.pdf", name) for name in files), files
    audited = query(
        cli_db, "SELECT count(*) FROM audit_event WHERE action = 'export' AND outcome = 'ok'"
    )[0][0]
    assert audited == len(files)
