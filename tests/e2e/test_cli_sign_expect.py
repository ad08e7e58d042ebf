"""``checklist show --format json`` gives the draft's ``content_sha256``; ``checklist sign
--expect`` signs only that content (issue 12, sign what you saw)."""

from __future__ import annotations

import json
from pathlib import Path

from cli_support import as_user, complete_doc, one_sentence, query, seed


def test_sign_expect_refuses_a_draft_changed_since_it_was_shown(cli_db: Path) -> None:
    (cid,) = seed(cli_db, complete_doc("MRN-EXP-1"))
    shown = as_user(cli_db, "nurse", "checklist", "show", str(cid), "--format", "json")
    assert shown.returncode == 0, shown.stderr
    reviewed = json.loads(shown.stdout)["content_sha256"]
    text = as_user(cli_db, "nurse", "checklist", "show", str(cid))
    assert f"Content hash (sign with --expect): {reviewed}" in text.stdout

    changed = as_user(cli_db, "physician", "checklist", "answer", str(cid), "history.inr", "1.1")
    assert changed.returncode == 0, changed.stderr
    refused = as_user(
        cli_db, "nurse", "checklist", "sign", str(cid), "--meaning", "ready", "--expect", reviewed
    )
    assert refused.returncode == 1
    assert "the checklist changed since you reviewed it" in one_sentence(refused.stderr)
    assert query(cli_db, "SELECT status FROM checklist WHERE id = ?", cid) == [("draft",)]

    again = as_user(cli_db, "nurse", "checklist", "show", str(cid), "--format", "json")
    current = json.loads(again.stdout)["content_sha256"]
    assert current != reviewed
    signed = as_user(
        cli_db, "nurse", "checklist", "sign", str(cid), "--meaning", "ready", "--expect", current
    )
    assert signed.returncode == 0, signed.stderr
    assert query(cli_db, "SELECT status FROM checklist WHERE id = ?", cid) == [("signed",)]
