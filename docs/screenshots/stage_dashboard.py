"""Stage the compliance dashboard for a screenshot: a demo database, a period, the "Flagged
rushed" figure clicked so its records are listed.

    vpchecklist --db /tmp/demo.sqlite demo --count 250 --seed 5
    /work/shared/tools/shot docs/screenshots/dashboard.png --wait 8 -- \\
        python docs/screenshots/stage_dashboard.py /tmp/demo.sqlite 2026-10-01 2026-12-31
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from PySide6.QtCore import QDate, Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402

from ui.app import application  # noqa: E402
from ui.auditor.dashboard import DashboardWindow  # noqa: E402
from vpchecklist.demo import DEMO_PASSWORD  # noqa: E402
from vpchecklist.services.auth import check_credentials  # noqa: E402
from vpchecklist.store import open_store  # noqa: E402


def main() -> int:
    database, date_from, date_to = sys.argv[1:4]
    app = application()
    store = open_store(Path(database), create=False)
    auditor = check_credentials(store, "demo.auditor", DEMO_PASSWORD)
    window = DashboardWindow(
        store,
        auditor,
        None,
        QDate.fromString(date_from, "yyyy-MM-dd"),
        QDate.fromString(date_to, "yyyy-MM-dd"),
    )
    window.setGeometry(0, 0, 1280, 800)
    window.loaded.connect(
        lambda: QTest.mouseClick(window.tiles["rushed"], Qt.MouseButton.LeftButton)
    )
    window.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
