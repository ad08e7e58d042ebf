"""Export figures: ms per checklist PDF, seconds for 1,000 PDFs in bulk, and the auditor
table's open time at 100,000 records. Run: ``python benchmarks/export.py`` (prints, no asserts).

Records are cloned with ``insert_many`` (tests/bulk_records.py) because ``demo.generate`` costs
~75 ms per checklist. Targets (issue 4): ≤ 40 ms per PDF, ≤ 30 s for 1,000, ≤ 150 ms to open.
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


def per_pdf(folder: Path, n: int = 60) -> None:
    from tests.bulk_records import make_records
    from vpchecklist import demo
    from vpchecklist.export import commands, pdf
    from vpchecklist.services import checklists
    from vpchecklist.services.templates import template_by_hash

    store = _store(folder, "single.sqlite")
    ids = make_records(store, n, real=6)
    auditor = demo.ensure_demo_users(store)["demo.auditor"]
    out = folder / "single"
    out.mkdir()
    commands.export_one(store, auditor, ids[0], out / "warm.pdf")  # fonts, template: once
    records = [checklists.detail(store, auditor, cid) for cid in ids]
    template = template_by_hash(records[0]["template"]["hash"])
    render_ms = []
    for record in records:
        start = time.perf_counter()
        pdf.render(record, template)
        render_ms.append((time.perf_counter() - start) * 1000)
    export_ms, cpu_ms = [], []
    for cid in ids:
        start, cpu = time.perf_counter(), time.process_time()
        commands.export_one(store, auditor, cid, out / f"{cid}.pdf")
        export_ms.append((time.perf_counter() - start) * 1000)
        cpu_ms.append((time.process_time() - cpu) * 1000)
    print(
        f"PDF per checklist: {statistics.median(export_ms):.1f} ms median export "
        f"(read + render + write + audit; CPU {statistics.median(cpu_ms):.1f} ms), "
        f"{statistics.median(render_ms):.1f} ms median render only, n={n}"
    )
    store.close()


def bulk(folder: Path, n: int = 1000) -> None:
    from tests.bulk_records import make_records
    from vpchecklist import demo
    from vpchecklist.export import commands

    store = _store(folder, "bulk.sqlite")
    make_records(store, n, real=8)
    auditor = demo.ensure_demo_users(store)["demo.auditor"]
    start, cpu = time.perf_counter(), time.process_time()
    summary = commands.export_bulk(store, auditor, None, folder / "bulk", "pdf")
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu
    print(
        f"Bulk: {len(summary.written)} PDFs in {seconds:.1f} s wall, {cpu_seconds:.1f} s CPU "
        f"({seconds / max(len(summary.written), 1) * 1000:.1f} ms each), "
        f"{len(summary.failed)} failed; load average {os.getloadavg()[0]:.1f} "
        f"on {os.cpu_count()} CPUs"
    )
    start = time.perf_counter()
    summary = commands.export_bulk(store, auditor, None, folder / "csv", "csv")
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
