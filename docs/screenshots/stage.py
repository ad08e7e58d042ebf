"""Stage a screen for a screenshot: ``python docs/screenshots/stage.py worklist`` starts the demo
app and drives the real widgets (sign in as demo.nurse, open "New checklist", …).

    /work/shared/tools/shot docs/screenshots/worklist.png --wait 12 -- \\
        python docs/screenshots/stage.py worklist
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from PySide6.QtCore import QTimer  # noqa: E402

from ui import app as shell  # noqa: E402
from vpchecklist.demo import DEMO_PASSWORD  # noqa: E402

STAGES = ("login", "worklist", "new")


def main() -> int:
    stage = sys.argv[1] if len(sys.argv) > 1 else "login"
    if stage not in STAGES:
        print(f"stage one of {', '.join(STAGES)}", file=sys.stderr)
        return 2
    original_start = shell.MainWindow.start

    def start(window: shell.MainWindow) -> None:
        original_start(window)
        if stage == "login":
            return

        def sign_in() -> None:
            if not window.login.submit.isEnabled():  # demo data still being prepared
                QTimer.singleShot(200, sign_in)
                return
            window.login.username.setText("demo.nurse")
            window.login.password.setText(DEMO_PASSWORD)
            window.login.submit.click()
            if stage == "new":
                QTimer.singleShot(1500, new_checklist)

        def new_checklist() -> None:
            window.show_new_checklist()
            page = window.new_page
            assert page is not None
            page.patient_name.setText("Maria García")
            page.date_of_birth.setText("1950-07-14")
            page.mrn.setText("MRN900100")
            page.physician.setText("Dr Amara Okafor")
            page.levels.entry.setText("T12, L1")
            page.levels.entry.textEdited.emit("T12, L1")

        QTimer.singleShot(300, sign_in)

    shell.MainWindow.start = start  # type: ignore[method-assign]
    return shell.run(["--demo"])


if __name__ == "__main__":
    sys.exit(main())
