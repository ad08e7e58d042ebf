"""Stage the record screens for a screenshot over a large demo database, in the real window:
``worklist-search`` (a nurse searching all records for "haddad"), ``records`` (the auditor's
table, sorted by a click on the Patient header) and ``record`` (one record's view).

    python docs/screenshots/stage_records.py /tmp/demo-100k.sqlite build   # once, ~1 min
    /work/shared/tools/shot docs/screenshots/auditor-records.png --wait 14 -- \\
        python docs/screenshots/stage_records.py /tmp/demo-100k.sqlite records
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from PySide6.QtCore import QPoint, Qt, QTimer  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402

from ui import app as shell  # noqa: E402
from vpchecklist.demo import DEMO_PASSWORD  # noqa: E402

STAGES = {"worklist-search": "demo.nurse", "records": "demo.auditor", "record": "demo.auditor"}


def build(database: Path) -> None:
    """A demo database of 100,000 records: 40 generated (with the demo's three Haddads and
    more) and the rest cloned header-only by tests/bulk_records.py; a site name set."""
    from tests.bulk_records import make_records
    from vpchecklist import demo
    from vpchecklist.services import settings
    from vpchecklist.store import open_store

    store = open_store(database, demo=True)
    people = demo.ensure_demo_users(store)
    list(demo.generate(store, 40, seed=5))
    make_records(store, 100_000 - 40, real=3, header_only=True)
    settings.update(store, people["demo.admin"], {"site_name": "St Mary's Hospital — Spine Unit"})
    store.close()


def main() -> int:
    database, stage = sys.argv[1], sys.argv[2]
    if stage == "build":
        build(Path(database))
        return 0
    if stage not in STAGES:
        print(f"stage one of {', '.join(STAGES)}", file=sys.stderr)
        return 2
    original_start = shell.MainWindow.start

    def start(window: shell.MainWindow) -> None:
        original_start(window)
        window.setGeometry(0, 0, 1280, 800)

        def sign_in() -> None:
            window.login.username.setText(STAGES[stage])
            window.login.password.setText(DEMO_PASSWORD)
            window.login.submit.click()
            QTimer.singleShot(2500, act)

        def act() -> None:
            page = window.home
            if stage == "worklist-search":
                QTest.keyClicks(page.search_text, "haddad")
                QTest.mouseClick(page.search_button, Qt.MouseButton.LeftButton)
            elif stage == "records":
                header = page.table.horizontalHeader()
                x = header.sectionViewportPosition(1) + header.sectionSize(1) // 2
                QTest.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 10))
            else:
                page.open_record(5)
                page.dialogs[-1].move(40, 30)

        QTimer.singleShot(300, sign_in)

    shell.MainWindow.start = start  # type: ignore[method-assign]
    return shell.run(["--db", database])


if __name__ == "__main__":
    sys.exit(main())
