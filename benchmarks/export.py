"""Export figures: ms per checklist PDF, seconds for 1,000 PDFs in bulk, and the auditor
table's open time at 100,000 records. Run: ``python benchmarks/export.py`` (prints, no asserts).

Records are cloned with ``insert_many`` (tests/bulk_records.py) because ``demo.generate`` costs
~75 ms per checklist. Targets: ≤ 20 ms per PDF where rendering alone is 18.9 ms (issue 10), ≤ 30 s for 1,000,\n≤ 50 ms to open the table at 100,000 records (issue 10). Each figure is printed with its floor\nmeasured in the same run, so a ratio can be compared across machines.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def _store(folder: Path, name: str):  # type: ignore[no-untyped-def]
    from vpchecklist.store import open_store

    return open_store(folder / name)


def _durable_write_ms(store, n: int = 40) -> float:  # type: ignore[no-untyped-def]
    """The floor of any audited verb: one one-row write transaction (fsync, synchronous=FULL)."""
    timings = []
    for i in range(n):
        start = time.perf_counter()
        with store.transaction():
            store.db.execute_sql("INSERT INTO setting (key, value) VALUES (?, ?)", (f"b{i}", "v"))
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def per_pdf(folder: Path, n: int = 60) -> None:
    from tests.bulk_records import make_records
    from vpchecklist import demo
    from vpchecklist.export import pdf
    from vpchecklist.services import checklists, exports
    from vpchecklist.services.templates import template_by_hash

    store = _store(folder, "single.sqlite")
    ids = make_records(store, n, real=6)
    auditor = demo.ensure_demo_users(store)["demo.auditor"]
    out = folder / "single"
    out.mkdir()
    exports.export_one(store, auditor, ids[0], out / "warm.pdf")  # fonts, template: once
    records = [checklists.detail(store, auditor, cid) for cid in ids]
    template = template_by_hash(records[0]["template"]["hash"])
    render_ms, export_ms, cpu_ms = [], [], []
    for record, cid in zip(records, ids, strict=True):  # interleaved: the same load on both
        start = time.perf_counter()
        pdf.render(record, template)
        render_ms.append((time.perf_counter() - start) * 1000)
        start, cpu = time.perf_counter(), time.process_time()
        exports.export_one(store, auditor, cid, out / f"{cid}.pdf")
        export_ms.append((time.perf_counter() - start) * 1000)
        cpu_ms.append((time.process_time() - cpu) * 1000)
    write_ms = _durable_write_ms(store)
    export, render = statistics.median(export_ms), statistics.median(render_ms)
    print(
        f"PDF per checklist: {export:.1f} ms median export (read + render + write + audit; "
        f"CPU {statistics.median(cpu_ms):.1f} ms), n={n}; floors in this run: render without "
        f"I/O {render:.1f} ms, one durable SQLite write {write_ms:.2f} ms; export over its "
        f"floors {export - render - write_ms:+.1f} ms (target ≤ 20 ms where render is 18.9 ms)"
    )
    store.close()


def bulk(folder: Path, n: int = 1000) -> None:
    from tests.bulk_records import make_records
    from vpchecklist import demo
    from vpchecklist.services import exports

    store = _store(folder, "bulk.sqlite")
    make_records(store, n, real=8)
    auditor = demo.ensure_demo_users(store)["demo.auditor"]
    start, cpu = time.perf_counter(), time.process_time()
    summary = exports.export_bulk(store, auditor, None, folder / "bulk", "pdf")
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu
    print(
        f"Bulk: {len(summary.written)} PDFs in {seconds:.1f} s wall, {cpu_seconds:.1f} s CPU "
        f"({seconds / max(len(summary.written), 1) * 1000:.1f} ms each), "
        f"{len(summary.failed)} failed; load average {os.getloadavg()[0]:.1f} "
        f"on {os.cpu_count()} CPUs"
    )
    start = time.perf_counter()
    summary = exports.export_bulk(store, auditor, None, folder / "csv", "csv")
    print(f"Bulk CSV of {n} rows: {time.perf_counter() - start:.2f} s")
    store.close()


def table_open(folder: Path, n: int = 100_000) -> None:
    from PySide6.QtWidgets import QApplication

    from tests.bulk_records import make_records
    from ui.auditor import AuditorPage
    from vpchecklist import demo

    store = _store(folder, "table.sqlite")
    start = time.perf_counter()
    make_records(store, n, header_only=True)
    print(f"(inserted {n:,} rows in {time.perf_counter() - start:.1f} s)")
    auditor = demo.ensure_demo_users(store)["demo.auditor"]
    app = QApplication.instance() or QApplication([])
    timings = []
    for _ in range(3):
        start = time.perf_counter()
        page = AuditorPage(store, auditor)
        page.resize(1200, 800)
        page.show()
        app.processEvents()
        timings.append((time.perf_counter() - start) * 1000)
        rows = page.model.rowCount()
        start = time.perf_counter()
        page.table.scrollToBottom()
        app.processEvents()
        scroll_ms = (time.perf_counter() - start) * 1000
        page.close()
        page.deleteLater()
        app.processEvents()
    print(
        f"Auditor table open at {n:,} records: {min(timings):.0f} ms "
        f"(best of 3; {rows} rows loaded of {page.model.total:,}); "
        f"next page on scroll: {scroll_ms:.0f} ms"
    )
    store.close()


def main() -> None:
    """``python benchmarks/export.py [pdf] [bulk] [table]`` (all three by default)."""
    wanted = set(sys.argv[1:]) or {"pdf", "bulk", "table"}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if "pdf" in wanted:
            per_pdf(folder)
        if "bulk" in wanted:
            bulk(folder)
        if "table" in wanted:
            table_open(folder)


if __name__ == "__main__":
    main()
