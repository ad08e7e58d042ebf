"""Stage a checklist screen for a screenshot: ``python docs/screenshots/stage_checklist.py
warning`` starts the demo app, signs in as demo.nurse, creates a T12 + L1 draft with an INR of
1.8 (not yet acknowledged) and opens it on the medical-history page; ``review`` opens the same
kind of draft, nearly complete, on "Review and sign"; ``stop`` is that draft with "no" for the
signed consent (a hard stop) opened on the skin page, its banner above; ``review-stop`` shows it
on "Review and sign".

    /work/shared/tools/shot docs/screenshots/walkthrough-warning.png --wait 14 -- \\
        python docs/screenshots/stage_checklist.py warning
    /work/shared/tools/shot docs/screenshots/review.png --wait 14 -- \\
        python docs/screenshots/stage_checklist.py review
    /work/shared/tools/shot docs/screenshots/stop-banner.png --wait 14 -- \\
        python docs/screenshots/stage_checklist.py stop
    /work/shared/tools/shot docs/screenshots/review-stop.png --wait 14 -- \\
        python docs/screenshots/stage_checklist.py review-stop
"""

from __future__ import annotations

import random
import sys
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from PySide6.QtCore import QTimer  # noqa: E402

from ui import app as shell  # noqa: E402
from vpchecklist import demo  # noqa: E402
from vpchecklist.services import checklists  # noqa: E402

STAGES = ("warning", "review", "stop", "review-stop")
#: Items left unanswered on the review screenshot (shown as "Still missing" links).
MISSING = ("skin.sterile_drape_ready", "timeout.performed")


def document(stage: str) -> dict:
    planned = (datetime.now() + timedelta(hours=2)).replace(minute=30, second=0, microsecond=0)
    doc = demo.demo_document(random.Random(11), planned, ["T12", "L1"], "warning")
    doc["patient"] = {"name": "Maria García", "date_of_birth": "1950-07-14", "mrn": "MRN900100"}
    doc["acknowledgements"] = {}  # the INR warning is still to be acknowledged
    answers = doc["answers"]
    answers["history.inr"] = 1.8
    answers["history.allergies"] = "none"
    if stage == "warning":  # a draft that has just reached the medical history
        keep = ("identity.", "consent.", "history.")
        doc["answers"] = {k: v for k, v in answers.items() if k.startswith(keep)}
    else:
        doc["answers"] = {k: v for k, v in answers.items() if k not in MISSING}
    if stage in ("stop", "review-stop"):
        doc["answers"]["consent.signed"] = "no"
        doc["acknowledgements"] = {
            "history.inr": {"reason": "Discussed with IR", "physician_informed": "Dr Radia"}
        }
    return doc


def main() -> int:
    stage = sys.argv[1] if len(sys.argv) > 1 else "warning"
    if stage not in STAGES:
        print(f"stage one of {', '.join(STAGES)}", file=sys.stderr)
        return 2
    original_start = shell.MainWindow.start

    def start(window: shell.MainWindow) -> None:
        original_start(window)

        def sign_in() -> None:
            if not window.login.submit.isEnabled():  # demo data still being prepared
                QTimer.singleShot(200, sign_in)
                return
            window.login.username.setText("demo.nurse")
            window.login.password.setText(demo.DEMO_PASSWORD)
            window.login.submit.click()
            QTimer.singleShot(1500, open_checklist)

        def open_checklist() -> None:
            assert window.actor is not None
            cid = checklists.create_from_document(
                window.store, window.actor, document(stage), is_demo=True
            )
            window.open_checklist(cid)
            page = window.checklist_page
            if stage == "warning":
                page.go_to_item("history.inr")  # type: ignore[union-attr]
            elif stage == "stop":
                page.go_to_item("skin.dry_time_min")  # type: ignore[union-attr]
            else:
                page.go_to_index(len(page.pages))  # type: ignore[union-attr]

        QTimer.singleShot(300, sign_in)

    shell.MainWindow.start = start  # type: ignore[method-assign]
    return shell.run(["--demo"])


if __name__ == "__main__":
    sys.exit(main())
