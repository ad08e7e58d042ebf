"""Export figures: ms per checklist PDF, seconds for 1,000 PDFs in bulk, and the auditor
table's open time at 100,000 records. Run: ``python benchmarks/export.py`` (prints, no asserts).

Records are cloned with ``insert_many`` (tests/bulk_records.py) because ``demo.generate`` costs
~75 ms per checklist. Targets: ≤ 20 ms per PDF where rendering alone is 18.9 ms (issue 10), ≤ 30 s for 1,000,
≤ 50 ms to open the table at 100,000 records (issue 10). Each figure is printed with its floor
measured in the same run, so a ratio can be compared across machines, and with its CPU time
beside the wall time: on a loaded machine (the load average is printed) the wall time is
mostly the wait for a core.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

try:
    import resource  # POSIX: the CPU time of finished worker processes
except ImportError:  # pragma: no cover - Windows
    resource = None  # type: ignore[assignment]

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.databases import Databases, backends  # noqa: E402

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def _store(databases: Databases, name: str):  # type: ignore[no-untyped-def]
    from vpchecklist.store import open_store

    # demo records go only into a demo database
    return open_store(databases.new(name.removesuffix(".sqlite")), demo=True)


def _cpu_seconds(children: bool = False) -> float:
    """CPU time of this process (and, with ``children``, of its finished worker processes):
    on a loaded machine wall time mostly measures the queue for the 2 cores."""
    if children and resource is not None:
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return time.process_time() + usage.ru_utime + usage.ru_stime
    return time.process_time()


def _load() -> str:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return f"load average {load:.1f} on {os.cpu_count()} CPUs"


def _durable_write_ms(store, n: int = 40) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """The floor of any audited verb: one one-row write transaction (fsync, synchronous=FULL).
    (wall median, CPU median) in ms."""
    timings, cpu_timings = [], []
    for i in range(n):
        start, cpu = time.perf_counter(), time.process_time()
        with store.transaction():
            store.db.execute_sql("INSERT INTO setting (key, value) VALUES (?, ?)", (f"b{i}", "v"))
        timings.append((time.perf_counter() - start) * 1000)
        cpu_timings.append((time.process_time() - cpu) * 1000)
    return statistics.median(timings), statistics.median(cpu_timings)


def per_pdf(databases: Databases, n: int = 60) -> None:
    folder = databases.folder
    from tests.bulk_records import make_records
    from vpchecklist import demo
    from vpchecklist.export import pdf
    from vpchecklist.services import checklists, exports
    from vpchecklist.services.templates import template_by_hash

    store = _store(databases, "single.sqlite")
    ids = make_records(store, n, real=6)
    auditor = demo.ensure_demo_users(store)["demo.auditor"]
    out = folder / "single"
    out.mkdir()
    exports.export_one(store, auditor, ids[0], out / "warm.pdf")  # fonts, template: once
    records = [checklists.detail(store, auditor, cid) for cid in ids]
    template = template_by_hash(records[0]["template"]["hash"])
    render_ms, render_cpu, export_ms, cpu_ms = [], [], [], []
    for record, cid in zip(records, ids, strict=True):  # interleaved: the same load on both
        start, cpu = time.perf_counter(), time.process_time()
        pdf.render(record, template)
        render_ms.append((time.perf_counter() - start) * 1000)
        render_cpu.append((time.process_time() - cpu) * 1000)
        start, cpu = time.perf_counter(), time.process_time()
        exports.export_one(store, auditor, cid, out / f"{cid}.pdf")
        export_ms.append((time.perf_counter() - start) * 1000)
        cpu_ms.append((time.process_time() - cpu) * 1000)
    write_ms, write_cpu = _durable_write_ms(store)
    export, render = statistics.median(export_ms), statistics.median(render_ms)
    export_cpu, floor_cpu = statistics.median(cpu_ms), statistics.median(render_cpu)
    print(f"PDF per checklist, n={n}, {_load()}:")
    print(
        f"  export (read + render + write + audit): wall median {export:.1f} ms "
        f"(best {min(export_ms):.1f}), CPU median {export_cpu:.1f} ms (best {min(cpu_ms):.1f})"
    )
    print(
        f"  floors in this run: render without I/O wall median {render:.1f} ms "
        f"(best {min(render_ms):.1f}), CPU median {floor_cpu:.1f} ms; one durable "
        f"write wall median {write_ms:.2f} ms, CPU {write_cpu:.2f} ms"
    )
    print(
        f"  export over render + write: wall {export - render - write_ms:+.1f} ms median, "
        f"CPU {export_cpu - floor_cpu - write_cpu:+.1f} ms median"
    )
    verdict = "reached" if export <= 20 else "NOT reached"
    print(
        f"  target ≤ 20 ms per export (issue 10): {verdict} on wall median ({export:.1f} ms); "
        f"CPU median {export_cpu:.1f} ms is what the export costs without the queue for the "
        f"cores (≤ 20: {'yes' if export_cpu <= 20 else 'no'})"
    )
    store.close()


def bulk(databases: Databases, n: int = 1000) -> None:
    folder = databases.folder
    from tests.bulk_records import make_records
    from vpchecklist import demo
    from vpchecklist.services import exports

    store = _store(databases, "bulk.sqlite")
    make_records(store, n, real=8)
    auditor = demo.ensure_demo_users(store)["demo.auditor"]
    start, cpu = time.perf_counter(), _cpu_seconds(children=True)
    summary = exports.export_bulk(store, auditor, None, folder / "bulk", "pdf")
    seconds, cpu_seconds = time.perf_counter() - start, _cpu_seconds(children=True) - cpu
    done = max(len(summary.written), 1)
    print(
        f"Bulk: {len(summary.written)} PDFs in {seconds:.1f} s wall "
        f"({seconds / done * 1000:.1f} ms each), {cpu_seconds:.1f} s CPU with the worker "
        f"processes ({cpu_seconds / done * 1000:.1f} ms each), {len(summary.failed)} failed; "
        f"{_load()} (target: ≤ 30 s for 1,000)"
    )
    start = time.perf_counter()
    summary = exports.export_bulk(store, auditor, None, folder / "csv", "csv")
    print(f"Bulk CSV of {n} rows: {time.perf_counter() - start:.2f} s")
    store.close()


def _open_page(store, auditor, app, tries: int = 5) -> tuple[list[float], list[float], int, int]:  # type: ignore[no-untyped-def]
    """Open the auditor page ``tries`` times: open times, next-page-on-scroll times, rows."""
    from ui.auditor import AuditorPage

    opened, scrolled = [], []
    rows = total = 0
    for _ in range(tries):
        start = time.perf_counter()
        page = AuditorPage(store, auditor)
        page.resize(1200, 800)
        page.show()
        app.processEvents()
        opened.append((time.perf_counter() - start) * 1000)
        rows, total = page.model.rowCount(), page.model.total
        start = time.perf_counter()
        page.table.scrollToBottom()
        app.processEvents()
        scrolled.append((time.perf_counter() - start) * 1000)
        page.close()
        page.deleteLater()
        app.processEvents()
    return opened, scrolled, rows, total


def table_open(databases: Databases, n: int = 100_000) -> None:
    from PySide6.QtWidgets import QApplication

    from tests.bulk_records import make_records
    from vpchecklist import demo

    app = QApplication.instance() or QApplication([])
    empty = _store(databases, "empty.sqlite")
    floor, _, _, _ = _open_page(empty, demo.ensure_demo_users(empty)["demo.auditor"], app)
    empty.close()
    store = _store(databases, "table.sqlite")
    start = time.perf_counter()
    make_records(store, n, header_only=True)
    print(f"(inserted {n:,} rows in {time.perf_counter() - start:.1f} s)")
    if databases.server_url:
        # What autovacuum does within a minute of a bulk load on a running server: the
        # planner's statistics and the visibility map an index-only count needs.
        store.db.execute_sql("VACUUM ANALYZE")
    auditor = demo.ensure_demo_users(store)["demo.auditor"]
    opened, scrolled, rows, total = _open_page(store, auditor, app)
    print(
        f"Auditor table open at {n:,} records: {min(opened):.0f} ms best of {len(opened)} "
        f"(median {statistics.median(opened):.0f} ms; {rows} rows loaded of {total:,}); floor "
        f"in this run: the same page over an empty database {min(floor):.0f} ms; next page on "
        f"scroll: {min(scrolled):.0f} ms (target: ≤ {80 if databases.server_url else 50} ms)"
    )
    store.close()


def main() -> None:
    """``python benchmarks/export.py [pdf] [bulk] [table] [--db postgresql://…]`` (all three by
    default; with ``--db`` on SQLite files and then on that PostgreSQL server)."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("parts", nargs="*", choices=["pdf", "bulk", "table", []], default=[])
    parser.add_argument(
        "--db", help="also run on this PostgreSQL server: postgresql://USER@HOST:PORT/DBNAME"
    )
    args = parser.parse_args()
    wanted = set(args.parts) or {"pdf", "bulk", "table"}
    with tempfile.TemporaryDirectory() as tmp, backends(Path(tmp), args.db) as runs:
        for databases in runs:
            print(f"== {databases.name} ==")
            if "pdf" in wanted:
                per_pdf(databases)
            if "bulk" in wanted:
                bulk(databases)
            if "table" in wanted:
                table_open(databases)


if __name__ == "__main__":
    main()
