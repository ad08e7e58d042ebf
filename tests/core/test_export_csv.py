"""Bulk export: CSV (one row per checklist) and a folder of PDFs, both audited."""

from __future__ import annotations

import csv
import hashlib

import pytest

from tests.core.export_fixtures import PATIENT, SIGNER, rich_document, signed_record, unicode_signer
from vpchecklist.services import audit, checklists, exports, signing
from vpchecklist.services.checklists import Filters


@pytest.fixture
def records(store, actors, vp, vp1):
    signer = unicode_signer(store, actors["admin"])
    signed = signed_record(store, signer, rich_document(vp1.doc(["T12", "L1"])))
    doc = vp.doc(["L4"], consent__signed="no")
    doc["patient"]["name"] = '=HYPERLINK("http://x")'
    postponed = signed_record(store, signer, doc, "postponed", "Consent missing")
    draft = checklists.create_from_document(store, actors["nurse"], vp.doc(["S1"]))
    return {"signed": signed, "postponed": postponed, "draft": draft}


def read_csv(path):
    text = path.read_bytes().decode("utf-8-sig")
    return list(csv.DictReader(text.splitlines()))


def test_csv_has_one_row_per_matching_checklist(store, actors, records, tmp_path):
    summary = exports.export_bulk(
        store, actors["auditor"], Filters(status="signed"), tmp_path, fmt="csv"
    )
    assert len(summary.written) == 1
    rows = read_csv(summary.written[0])
    assert [int(r["checklist_id"]) for r in rows] == [records["signed"]]
    row = rows[0]
    assert row["patient_name"] == PATIENT
    assert row["signed_by"] == SIGNER
    assert row["status"] == "signed"
    assert row["levels"] == "T12 L1"
    assert row["warnings"] == "1"
    assert row["record_sha256"] == signing.record_hash(store, records["signed"])
    assert row["signed_at_utc"].endswith("UTC")


def test_csv_of_all_records_guards_against_formulas(store, actors, records, tmp_path):
    summary = exports.export_bulk(store, actors["auditor"], Filters(), tmp_path, fmt="csv")
    rows = {int(r["checklist_id"]): r for r in read_csv(summary.written[0])}
    assert set(rows) == set(records.values())
    assert rows[records["postponed"]]["patient_name"].startswith("'=")
    assert rows[records["draft"]]["record_sha256"] == ""


def test_csv_export_is_one_audit_event_with_the_file_hash(store, actors, records, tmp_path):
    summary = exports.export_bulk(store, actors["auditor"], Filters(), tmp_path, fmt="csv")
    events = [e for e in audit.events(store, actors["auditor"]) if e["action"] == "export"]
    assert len(events) == 1
    detail = events[0]["detail"]
    assert detail["format"] == "csv" and detail["rows"] == 3
    assert detail["file_sha256"] == hashlib.sha256(summary.written[0].read_bytes()).hexdigest()


def test_bulk_pdf_writes_one_verified_file_per_record(store, actors, records, tmp_path):
    progress = []
    summary = exports.export_bulk(
        store,
        actors["auditor"],
        Filters(),
        tmp_path / "out",
        fmt="pdf",
        progress_cb=lambda done, total: progress.append((done, total)),
    )
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(
        exports.pdf_name(cid) for cid in records.values()
    )
    assert progress[-1] == (3, 3) and not summary.failed and not summary.cancelled
    assert exports.verify_pdf(store, tmp_path / "out" / exports.pdf_name(records["signed"]))[0]
    events = [e for e in audit.events(store, actors["auditor"]) if e["action"] == "export"]
    assert len(events) == 3
    assert "3 PDFs written" in summary.text()


def test_bulk_cancel_stops_between_files(store, actors, records, tmp_path):
    calls = []

    def cancel() -> bool:
        calls.append(1)
        return len(calls) > 1

    summary = exports.export_bulk(
        store, actors["auditor"], Filters(), tmp_path / "out", fmt="pdf", cancel_check=cancel
    )
    assert summary.cancelled and len(summary.written) == 1
    assert [p.name for p in (tmp_path / "out").iterdir()] == [summary.written[0].name]
    assert "cancelled" in summary.text()


def test_bulk_pdf_in_worker_processes_matches_in_process(store, actors, records, tmp_path):
    progress = []
    summary = exports.export_bulk(
        store,
        actors["auditor"],
        Filters(),
        tmp_path / "pool",
        fmt="pdf",
        progress_cb=lambda done, total: progress.append((done, total)),
        workers=2,
    )
    assert not summary.failed and not summary.cancelled
    assert progress == [(1, 3), (2, 3), (3, 3)]
    names = sorted(p.name for p in (tmp_path / "pool").iterdir())
    assert names == sorted(exports.pdf_name(cid) for cid in records.values())  # no .part
    for cid in records.values():
        path = tmp_path / "pool" / exports.pdf_name(cid)
        assert exports.verify_pdf(store, path)[0] == (cid != records["draft"])
    events = [e for e in audit.events(store, actors["auditor"]) if e["action"] == "export"]
    assert sorted(e["detail"]["file"] for e in events) == names
    for event in events:
        data = (tmp_path / "pool" / event["detail"]["file"]).read_bytes()
        assert event["detail"]["file_sha256"] == hashlib.sha256(data).hexdigest()


def test_bulk_pdf_in_worker_processes_reports_a_missing_record(store, actors, records, tmp_path):
    ids = [records["signed"], 987654, records["postponed"]]
    summary = exports.export_bulk(
        store, actors["auditor"], None, tmp_path / "pool", checklist_ids=ids, workers=2
    )
    assert [cid for cid, _ in summary.failed] == [987654]
    assert "987654" in summary.failed[0][1]
    assert len(summary.written) == 2
    refused = [e for e in audit.events(store, actors["auditor"]) if e["outcome"] == "refused"]
    assert refused[-1]["checklist_id"] == 987654


def test_bulk_pdf_cancel_with_worker_processes_keeps_only_audited_files(
    store, actors, records, tmp_path
):
    ids = [records["signed"], records["postponed"], records["draft"]] * 10  # 30 exports
    calls = []

    def cancel() -> bool:
        calls.append(1)
        return len(calls) > 3

    summary = exports.export_bulk(
        store,
        actors["auditor"],
        None,
        tmp_path / "pool",
        checklist_ids=ids,
        cancel_check=cancel,
        workers=2,
    )
    assert summary.cancelled and 1 <= len(summary.written) <= 3
    files = sorted(p.name for p in (tmp_path / "pool").iterdir())
    assert all(name.endswith(".pdf") and not name.startswith(".") for name in files)
    events = [e for e in audit.events(store, actors["auditor"]) if e["action"] == "export"]
    assert len(events) == len(summary.written)
