"""The auditor's records table over 100,000 records: a header click (count + the first page in
the clicked column's order, read by the database) and a patient-name search; target <= 50 ms.

Run: ``python benchmarks/records_table.py [--records N] [--keep FILE]``. Three signed demo
records are cloned header-only to N (tests/bulk_records.py). The floor printed beside each
figure is the least such a read can cost: ``SELECT id ... LIMIT 60`` in the same order for a sort,
and counting the matching keys for a name search.
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

TARGET_MS = 50.0
RUNS = 7


def _median_ms(action) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--keep", metavar="FILE", help="build the records once into FILE")
    args = parser.parse_args()

    from PySide6.QtCore import Qt

    from tests.bulk_records import make_records
    from ui.app import application
    from ui.auditor.records_model import FIRST_PAGE, SORT_KEYS, RecordsModel
    from vpchecklist import demo
    from vpchecklist.services.checklists import SORTABLE, Filters
    from vpchecklist.store import open_store

    with tempfile.TemporaryDirectory() as folder:
        os.environ["VPCHECKLIST_HOME"] = str(Path(folder) / "home")
        path = Path(args.keep) if args.keep else Path(folder) / "records.sqlite"
        reuse = path.exists()
        store = open_store(path, demo=True)
        if not reuse:
            made = time.perf_counter()
            make_records(store, args.records, header_only=True)
            print(f"{args.records:,} records made in {time.perf_counter() - made:.1f} s")
        auditor = demo.ensure_demo_users(store)["demo.auditor"]
        application()
        model = RecordsModel(store, auditor)
        model.set_filters(Filters())
        print(f"{model.total:,} records; median of {RUNS}; target <= {TARGET_MS:.0f} ms")
        worst = 0.0
        for column, key in enumerate(SORT_KEYS):
            for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
                took = _median_ms(lambda c=column, o=order: model.sort(c, o))
                name = SORTABLE[key].column_name
                direction = "DESC" if order == Qt.SortOrder.DescendingOrder else "ASC"
                floor = _median_ms(
                    lambda n=name, d=direction: store.db.execute_sql(
                        f"SELECT id FROM checklist ORDER BY {n} {d}, id {d} LIMIT {FIRST_PAGE}"
                    ).fetchall()
                )
                worst = max(worst, took)
                print(f"  sort {key:<14} {direction:<4} {took:6.1f} ms  (floor {floor:.2f} ms)")
        model.sort(5, Qt.SortOrder.DescendingOrder)
        took = _median_ms(lambda: model.set_filters(Filters(name="garc")))
        floor = _median_ms(
            lambda: store.db.execute_sql(
                "SELECT COUNT(*) FROM checklist WHERE (' ' || search_name) LIKE '% garc%'"
            ).fetchall()
        )
        worst = max(worst, took)
        print(f"  name 'garc' ({model.total:,} found) {took:6.1f} ms  (floor {floor:.2f} ms)")
        verdict = "PASS" if worst <= TARGET_MS else "FAIL"
        print(f"worst {worst:.1f} ms: {verdict} (target <= {TARGET_MS:.0f} ms)")
        store.close()


if __name__ == "__main__":
    main()
