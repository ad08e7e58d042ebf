"""Compliance dashboard over 10,000 demo records: time from opening the window to its figures
and charts on screen (target <= 500 ms), and the range read alone.

Run: ``python benchmarks/dashboard.py [--records N]`` (offscreen unless ``QT_QPA_PLATFORM`` says
otherwise). 40 demo checklists are generated at realistic paces (``demo.generate``) and cloned
with their answer history and completion summaries to N (tests/bulk_records.py), planned 2020-2025;
the dashboard's period covers all of them.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

TARGET_MS = 500.0
RUNS = 5


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument(
        "--keep", metavar="FILE", help="build the records once into FILE and reuse it next time"
    )
    args = parser.parse_args()

    from PySide6.QtCore import QDate
    from PySide6.QtWidgets import QApplication

    from tests.bulk_records import make_records
    from ui.app import application
    from ui.auditor.dashboard import DashboardWindow
    from vpchecklist import demo
    from vpchecklist.services.metrics import RangeQuery, records_in_range
    from vpchecklist.store import open_store

    with tempfile.TemporaryDirectory() as folder:
        os.environ["VPCHECKLIST_HOME"] = str(Path(folder) / "home")
        path = Path(args.keep) if args.keep else Path(folder) / "dashboard.sqlite"
        reuse = path.exists()
        store = open_store(path, demo=not reuse)  # demo records go only into a demo database
        if reuse:
            ids = [row[0] for row in store.db.execute_sql("SELECT id FROM checklist").fetchall()]
        else:
            made = time.perf_counter()
            ids = make_records(store, args.records, real=40)
            print(f"{len(ids):,} demo records made in {time.perf_counter() - made:.1f} s")
        auditor = demo.ensure_demo_users(store)["demo.auditor"]
        period = ("2000-01-01", "2099-12-31")

        floors = []  # the least any period read does: the period's rows, three columns
        for _ in range(RUNS):
            started = time.perf_counter()
            rows = store.db.execute_sql(
                "SELECT id, status, planned_start FROM checklist"
                " WHERE planned_start >= ? AND planned_start < ?",
                (period[0], period[1] + "T99"),
            ).fetchall()
            floors.append((time.perf_counter() - started) * 1000)
        assert len(rows) == len(ids)

        reads = []
        for _ in range(RUNS):
            started = time.perf_counter()
            records = records_in_range(store, auditor, RangeQuery(*period))
            reads.append((time.perf_counter() - started) * 1000)
        assert len(records) == len(ids), (len(records), len(ids))

        app = application()
        opens = []
        for _ in range(RUNS):
            started = time.perf_counter()
            window = DashboardWindow(
                store, auditor, None, QDate.fromString(period[0], "yyyy-MM-dd"),
                QDate.fromString(period[1], "yyyy-MM-dd"),
            )  # fmt: skip
            window.show()
            while window.figures is None:
                app.processEvents()
                time.sleep(0.001)
            window.repaint()  # the charts painted once
            QApplication.processEvents()
            opens.append((time.perf_counter() - started) * 1000)
            assert window.figures.started.count == len(ids)
            window.close()
            window.deleteLater()
            QApplication.processEvents()
        store.close()

    floor = statistics.median(floors)
    read = statistics.median(reads)
    opened = statistics.median(opens)
    print(f"floor (the period's rows, 3 columns, one SELECT): {floor:.0f} ms")
    print(
        f"range read of {len(ids):,} records (metrics service): {read:.0f} ms "
        f"(median of {RUNS}; {read / floor:.1f}x the floor)"
    )
    verdict = "ok" if opened <= TARGET_MS else "OVER TARGET"
    print(
        f"dashboard open to figures and charts painted: {opened:.0f} ms "
        f"(median of {RUNS}; {opened / floor:.1f}x the floor; target <= {TARGET_MS:.0f} ms: "
        f"{verdict})"
    )


if __name__ == "__main__":
    main()
