"""Spec §6 through the real CLI: ``"template_version"`` in ``evaluate`` / ``checklist create``,
a v1 file pinned to v1, and elapsed real time under ``TZ=Europe/Berlin``."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from cli_support import (
    as_user,
    cli_env,
    complete_doc,
    one_sentence,
    query,
    run_cli,
    write_json,
)

from tests.documents import LUMBAR_V1_ANSWERS


def v1_doc(**answers: Any) -> dict[str, Any]:
    doc = complete_doc()
    doc["answers"] = copy.deepcopy(LUMBAR_V1_ANSWERS)
    for key, value in answers.items():
        doc["answers"][key.replace("__", ".")] = value
    doc["template_version"] = 1
    return doc


def evaluate(tmp_path: Path, doc: dict[str, Any], **env: str) -> tuple[int, dict[str, Any], str]:
    path = write_json(tmp_path / "doc.json", doc)
    result = run_cli(tmp_path / "unused.sqlite", "evaluate", str(path), env=cli_env(**env))
    return result.returncode, json.loads(result.stdout or "null"), result.stderr


def test_without_a_version_the_active_v2_applies(tmp_path: Path) -> None:
    code, out, _ = evaluate(tmp_path, complete_doc())
    assert code == 0 and out["template_version"] == 2 and out["ready_to_sign"] is True
    assert {"anticoagulant_holds", "allergy_flags", "warnings", "stops"} <= set(out)


def test_v1_pinned_evaluates_as_before(tmp_path: Path) -> None:
    code, out, _ = evaluate(tmp_path, v1_doc(history__allergies=["Latex gloves"]))
    assert code == 0 and out["template_version"] == 1 and out["ready_to_sign"] is True
    assert [f["id"] for f in out["allergy_flags"]] == ["latex"]


def test_v1_pinned_time_out_no_is_now_a_hard_stop(tmp_path: Path) -> None:
    code, out, stderr = evaluate(tmp_path, v1_doc(timeout__performed="no"))
    assert code == 1
    assert out["stops"] == [
        {
            "item": "timeout.performed",
            "message": "Time-out performed: patient, procedure, levels, position and images "
            "confirmed by the whole team: answered no",
        }
    ]
    one_sentence(stderr)


def test_a_v2_answer_in_a_v1_file_is_an_input_error(tmp_path: Path) -> None:
    code, out, stderr = evaluate(tmp_path, v1_doc(sedation__weight_kg=70))
    assert code == 2 and out["errors"][0]["item"] == "sedation.weight_kg"
    one_sentence(stderr)


@pytest.mark.parametrize("version", [3, 0, 99])
def test_an_unknown_version_exits_2_with_one_sentence(tmp_path: Path, version: int) -> None:
    doc = complete_doc()
    doc["template_version"] = version
    code, out, stderr = evaluate(tmp_path, doc)
    assert code == 2 and out is None
    sentence = one_sentence(stderr)
    assert f"{version} is not a known template version" in sentence and "1, 2" in sentence


@pytest.mark.parametrize("version", ["two", 1.5, True, None, [2]])
def test_a_version_that_is_not_a_number_exits_2(tmp_path: Path, version: Any) -> None:
    doc = complete_doc()
    doc["template_version"] = version
    code, out, stderr = evaluate(tmp_path, doc)
    assert code == 2 and out is None
    assert "template_version" in one_sentence(stderr)


def test_checklist_create_pins_the_version_and_refuses_an_unknown_one(cli_db: Path) -> None:
    path = write_json(cli_db.parent / "v1.json", v1_doc())
    result = as_user(cli_db, "nurse", "checklist", "create", "--from", str(path))
    assert result.returncode == 0, result.stderr
    v1_id = int(result.stdout.strip())
    path = write_json(cli_db.parent / "v2.json", complete_doc(mrn="MRN-0002"))
    result = as_user(cli_db, "nurse", "checklist", "create", "--from", str(path))
    v2_id = int(result.stdout.strip())
    rows = query(cli_db, "SELECT id, template_version FROM checklist ORDER BY id")
    assert rows == [(v1_id, "1"), (v2_id, "2")]
    bad = complete_doc(mrn="MRN-0003")
    bad["template_version"] = 7
    path = write_json(cli_db.parent / "v7.json", bad)
    result = as_user(cli_db, "nurse", "checklist", "create", "--from", str(path))
    assert result.returncode == 2 and result.stdout == ""
    assert "7 is not a known template version" in one_sentence(result.stderr)
    assert len(query(cli_db, "SELECT id FROM checklist")) == 2


def _night(planned: str, solids: str, liquids: str) -> dict[str, Any]:
    doc = complete_doc(sedation__last_solids=solids, sedation__last_clear_liquids=liquids)
    doc["planned_start"] = planned
    return doc


def test_spring_forward_in_berlin_counts_real_time(tmp_path: Path) -> None:
    doc = _night("2026-03-29T07:00", "2026-03-29T01:00", "2026-03-29T04:00")
    code, out, _ = evaluate(tmp_path, doc, TZ="Europe/Berlin")
    assert code == 1
    assert [w["item"] for w in out["warnings"]] == ["sedation.last_solids"]
    # The same wall times in UTC (no daylight saving) are 6 h apart: quiet.
    code, out, _ = evaluate(tmp_path, doc, TZ="UTC")
    assert code == 0 and out["warnings"] == []


def test_fall_back_in_berlin_counts_real_time(tmp_path: Path) -> None:
    doc = _night("2026-10-25T06:00", "2026-10-25T01:00", "2026-10-25T03:00")
    code, out, _ = evaluate(tmp_path, doc, TZ="Europe/Berlin")
    assert code == 0 and out["warnings"] == []
    code, out, _ = evaluate(tmp_path, doc, TZ="UTC")
    assert code == 1
    assert [w["item"] for w in out["warnings"]] == ["sedation.last_solids"]
