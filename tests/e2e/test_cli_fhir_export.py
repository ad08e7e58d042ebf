"""``vpchecklist export ID --format fhir`` and bulk ``--format fhir`` (issue 16)."""

from __future__ import annotations

import json
from pathlib import Path

from cli_support import as_user, complete_doc, one_sentence, query, seed
from fhir.resources.R4B.bundle import Bundle


def test_one_record_as_a_fhir_bundle(cli_db: Path, tmp_path: Path) -> None:
    (cid,) = seed(cli_db, complete_doc(), sign="ready")
    out = tmp_path / "record.json"
    result = as_user(cli_db, "auditor", "export", str(cid), "--format", "fhir", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert f"Exported checklist {cid} as a FHIR Bundle to {out}" in result.stdout
    bundle = json.loads(out.read_text(encoding="utf-8"))
    Bundle.model_validate(bundle)
    kinds = [e["resource"]["resourceType"] for e in bundle["entry"]]
    assert kinds == ["Questionnaire", "QuestionnaireResponse", "Patient", "Provenance"]
    (detail,) = query(cli_db, "SELECT detail FROM audit_event WHERE action = 'export'")
    assert json.loads(detail[0])["format"] == "fhir"


def test_bulk_fhir_writes_one_bundle_per_record(cli_db: Path, tmp_path: Path) -> None:
    ids = seed(cli_db, complete_doc(), complete_doc("MRN-0002"), sign="ready")
    folder = tmp_path / "bundles"
    result = as_user(
        cli_db, "auditor", "export", "--status", "signed", "--format", "fhir", "--out", str(folder)
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("2 FHIR Bundles written")
    files = sorted(folder.glob("*.fhir.json"))
    assert [f.name.split("-")[1] for f in files] == sorted(str(i) for i in ids)
    for path in files:
        Bundle.model_validate(json.loads(path.read_text(encoding="utf-8")))


def test_fhir_refuses_a_pdf_name_and_paper_in_one_sentence(cli_db: Path, tmp_path: Path) -> None:
    (cid,) = seed(cli_db, complete_doc(), sign="ready")
    wrong = as_user(
        cli_db, "auditor", "export", str(cid), "--format", "fhir", "--out", str(tmp_path / "a.pdf")
    )
    assert wrong.returncode == 2 and "must end in .json" in one_sentence(wrong.stderr)
    paper = as_user(
        cli_db,
        "auditor",
        "export",
        str(cid),
        "--format",
        "fhir",
        "--paper",
        "letter",
        "--out",
        str(tmp_path / "a.json"),
    )
    assert paper.returncode == 2 and "no pages" in one_sentence(paper.stderr)
