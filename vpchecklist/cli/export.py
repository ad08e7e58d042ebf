"""``export`` (one PDF, or a folder of PDFs / one CSV) and ``verify`` (an exported PDF).

Exit 1 also covers a bulk export with failures or cancelled, and a PDF that does not match.
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import TextIO

from vpchecklist.cli.arguments import Commands, add_user_args, checklist_id
from vpchecklist.cli.context import Context, Exit, warn
from vpchecklist.errors import ValidationError

PAPERS = {"a4": "A4", "letter": "LETTER"}


def _paper(text: str) -> str:
    key = text.strip().lower()
    if key not in PAPERS:
        raise argparse.ArgumentTypeError(f"paper must be a4 or letter, not {text!r}")
    return key


# --- export --------------------------------------------------------------------------------


def cmd_export(ctx: Context) -> int:
    args = ctx.args
    if args.id is not None:
        bulk_only = [
            flag
            for flag, value in (
                ("--status", args.status),
                ("--from", args.date_from),
                ("--to", args.date_to),
                ("--format csv", args.format if args.format == "csv" else None),
            )
            if value is not None
        ]
        if bulk_only:
            raise ValidationError(
                None,
                f"{', '.join(bulk_only)} belong to a bulk export; leave out the checklist id "
                "to export every matching checklist",
            )
        if args.format == "fhir":
            return _export_one_fhir(ctx)
        return _export_one(ctx)
    return _export_bulk(ctx)


def _export_one_fhir(ctx: Context) -> int:
    from vpchecklist.services import exports

    args = ctx.args
    if args.paper:
        raise ValidationError(None, "--paper is for PDF copies; a FHIR Bundle has no pages")
    out = Path(args.out)
    if out.is_dir():
        out = out / exports.fhir_name(args.id)
    elif out.suffix.lower() != ".json":
        raise ValidationError(None, f"The output file {out} must end in .json")
    actor = ctx.actor()
    try:
        result = exports.export_fhir(ctx.store(), actor, args.id, out, replace=args.force)
    except exports.CopyExists as exists:
        warn(f"{exists} Add --force to replace it.")
        return Exit.CHECK_FAILED
    ctx.print(
        f"Exported checklist {result.checklist_id} as a FHIR Bundle to {result.path}; "
        f"file SHA-256 {result.file_sha256}."
    )
    return Exit.OK


def _export_one(ctx: Context) -> int:
    from vpchecklist.services import exports

    args = ctx.args
    out = Path(args.out)
    if out.is_dir():
        out = out / exports.pdf_name(args.id)
    elif out.suffix.lower() != ".pdf":
        raise ValidationError(None, f"The output file {out} must end in .pdf")
    actor = ctx.actor()
    try:
        result = exports.export_one(
            ctx.store(), actor, args.id, out, PAPERS[args.paper or "a4"], replace=args.force
        )
    except exports.CopyExists as exists:
        warn(f"{exists} Add --force to replace it.")
        return Exit.CHECK_FAILED
    note = "" if result.status != "draft" else " (a draft: watermarked, not a valid record)"
    ctx.print(
        f"Exported checklist {result.checklist_id} to {result.path}{note}; "
        f"file SHA-256 {result.file_sha256}."
    )
    return Exit.OK


class _Progress:
    """One progress line on stderr: rewritten in place on a terminal, every 10 % otherwise."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.tty = bool(getattr(stream, "isatty", lambda: False)())
        self.shown = -1
        self.open_line = False

    def __call__(self, done: int, total: int) -> None:
        if self.tty:
            print(f"\rExported {done} of {total}…", end="", file=self.stream, flush=True)
            self.open_line = True
            return
        step = max(1, total // 10)
        if done == total or done // step != self.shown // step:
            print(f"Exported {done} of {total}.", file=self.stream, flush=True)
        self.shown = done

    def end(self) -> None:
        if self.open_line:
            print(file=self.stream, flush=True)
            self.open_line = False


@contextlib.contextmanager
def _interrupt_stops(flag: threading.Event) -> Iterator[None]:
    """First Ctrl+C: stop before the next file (the files written stay, audited); second:
    interrupt at once (nothing half-written is kept)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        if flag.is_set():
            raise KeyboardInterrupt
        flag.set()
        warn("\nStopping after the current file (Ctrl+C again to stop at once)…")

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _export_bulk(ctx: Context) -> int:
    from vpchecklist.services import exports
    from vpchecklist.services.checklists import Filters

    args = ctx.args
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise ValidationError(None, f"{out} is a file; a bulk export needs a folder for --out")
    fmt = args.format or "pdf"
    filters = Filters(status=args.status, date_from=args.date_from, date_to=args.date_to)
    actor = ctx.actor()
    store = ctx.store()
    stop = threading.Event()
    progress = _Progress(sys.stderr)
    try:
        with _interrupt_stops(stop):
            summary = exports.export_bulk(
                store,
                actor,
                filters,
                out,
                fmt,
                progress_cb=progress,
                cancel_check=stop.is_set,
                paper=PAPERS[args.paper or "a4"],
                replace=args.force,
            )
    finally:
        progress.end()
    if summary.total == 0 and fmt == "pdf":
        ctx.print(f"No checklist matches; nothing was written to {out}.")
        return Exit.OK
    if summary.failed or summary.cancelled or summary.kept:
        hint = " Add --force to replace them." if summary.kept else ""
        warn(summary.text() + hint)
        return Exit.CHECK_FAILED
    ctx.print(summary.text())
    return Exit.OK


# --- verify --------------------------------------------------------------------------------


def cmd_verify(ctx: Context) -> int:
    from vpchecklist.services import exports

    path = Path(ctx.args.file)
    if not path.is_file():
        raise ValidationError(None, f"The file {path} does not exist")
    ok, sentence = exports.verify_pdf(ctx.store(read_only=True), path)  # never writes
    if ok:
        ctx.print(sentence)
        return Exit.OK
    warn(sentence)
    return Exit.CHECK_FAILED


def register(commands: Commands) -> None:
    p = commands.add(
        "export",
        cmd_export,
        "export one checklist as PDF (ID --out FILE.pdf) or FHIR (ID --format fhir --out "
        "FILE.json), or every matching checklist (--status/--from/--to --out FOLDER) as PDFs, "
        "FHIR Bundles or one CSV",
    )
    p.add_argument("id", nargs="?", type=checklist_id, metavar="ID", help="one checklist")
    p.add_argument(
        "--out", required=True, metavar="PATH", help="FILE.pdf for one checklist, a folder for bulk"
    )
    p.add_argument("--status", choices=["draft", "signed", "postponed"])
    p.add_argument("--from", dest="date_from", metavar="YYYY-MM-DD", help="planned start from")
    p.add_argument("--to", dest="date_to", metavar="YYYY-MM-DD", help="planned start up to")
    p.add_argument(
        "--format",
        choices=["pdf", "csv", "fhir"],
        help="pdf (default), fhir (a FHIR R4 Bundle per record), or csv (bulk only)",
    )
    p.add_argument("--paper", type=_paper, metavar="a4|letter", help="page size (default a4)")
    p.add_argument(
        "--force",
        action="store_true",
        help="replace a file of the same name (without it an existing file is never replaced)",
    )
    add_user_args(p)

    p = commands.add(
        "verify",
        cmd_verify,
        "check that an exported PDF is an unaltered copy of the record as it stands now",
    )
    p.add_argument("file", metavar="FILE.pdf")
