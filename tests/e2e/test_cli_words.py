"""The CLI's text output words answers and times as the review page and the PDF do
(``vpchecklist.presentation``): local times, the zone named once; JSON keeps the stored values."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from cli_support import as_user, cli_env, complete_doc, seed


def paris() -> dict[str, str]:
    """The CLI's environment in Paris (built per call: it must carry the session's PGPASSFILE)."""
    return cli_env(TZ="Europe/Paris")


def test_checklist_show_words_answers_and_local_times(cli_db: Path) -> None:
    doc = complete_doc(history__inr=1.6)
    doc["acknowledgements"] = {"history.inr": {"reason": "IR agrees", "physician_informed": "Dr X"}}
    (cid,) = seed(cli_db, doc, sign="ready")
    shown = as_user(cli_db, "auditor", "checklist", "show", str(cid), env=paris())
    assert shown.returncode == 0, shown.stderr
    text = shown.stdout
    stored = json.loads(
        as_user(cli_db, "auditor", "checklist", "show", str(cid), "--format", "json").stdout
    )
    signed_at = stored["signatures"][0]["signed_at"]
    assert "planned 10 Mar 2026, 10:00" in text
    assert text.count("Times are local to this workstation: CE") == 1  # the zone, named once
    assert "history.allergies: No known allergies" in text
    assert "history.anticoagulants: None taken" in text
    assert "sedation.baseline_bp: 130/80 mmHg" in text
    assert signed_at not in text  # never the stored ISO stamp
    local = datetime.strptime(signed_at, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    local = local.astimezone(ZoneInfo("Europe/Paris"))
    assert f"{local:%H:%M} — " in text  # the signature line, in Paris time
    # JSON keeps the stored values untouched.
    assert stored["header"]["planned_start"] == "2026-03-10T10:00"
    assert stored["answers"]["history.allergies"]["value"] == "none"


def test_list_table_shows_local_times(cli_db: Path) -> None:
    (cid,) = seed(cli_db, complete_doc(), sign="ready")
    table = as_user(cli_db, "auditor", "list", env=paris()).stdout
    row = next(line for line in table.splitlines() if line.startswith(str(cid)))
    assert "10 Mar 2026, 10:00" in row
    assert "2026-" not in row  # neither the planned start nor the signature as ISO text


def test_audit_log_table_shows_local_times_to_the_second(cli_db: Path) -> None:
    seed(cli_db, complete_doc(), sign="ready")
    log = as_user(cli_db, "auditor", "audit", "log", env=paris()).stdout
    assert log.count("Times are local to this workstation: CE") == 1
    assert not re.search(r"\d{4}-\d\d-\d\dT", log)  # no stored ISO stamp
    assert re.search(r"\d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d:\d\d", log)
