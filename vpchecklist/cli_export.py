"""Export commands of the CLI: ``export`` (one PDF, or a folder of PDFs / one CSV) and ``verify``.

Exit codes follow ``vpchecklist.cli``: 0 ok; 1 a check failed or was refused (verify mismatch,
a role that may not export, a bulk export with failures or cancelled); 2 bad usage or input.

This module must not import ``vpchecklist.cli``: run as ``python -m vpchecklist.cli`` that module
is ``__main__``, and importing it again would create a second copy of its classes.
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from vpchecklist.errors import ValidationError

EXIT_OK, EXIT_CHECK_FAILED, EXIT_BAD_INPUT = 0, 1, 2

PAPERS = {"a4": "A4", "letter": "LETTER"}


def _whole_number(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a checklist id") from None
    if value < 0 or value > 2**63 - 1:
        raise argparse.ArgumentTypeError(f"{text[:30]} is not a checklist id")
    return value


def _paper(text: str) -> str:
    key = text.strip().lower()
    if key not in PAPERS:
        raise argparse.ArgumentTypeError(f"paper must be a4 or letter, not {text!r}")
    return key


def _user_args(parser: argparse.ArgumentParser) -> None:
    """The same ``--user`` / ``--password-stdin`` pair as the other commands of cli.py."""
    parser.add_argument(
        "--user",
        required=True,
        metavar="USERNAME",
        help="act as this user (password asked, or read with --password-stdin)",
    )
    parser.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password(s) from standard input, one per line",
    )


def _err(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


# --- export --------------------------------------------------------------------------------


def cmd_export(ctx: Any) -> int:
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
        return _export_one(ctx)
    return _export_bulk(ctx)


def _export_one(ctx: Any) -> int:
    from vpchecklist.export import commands

    args = ctx.args
    out = Path(args.out)
    if out.is_dir():
        out = out / commands.pdf_name(args.id)
    elif out.suffix.lower() != ".pdf":
        raise ValidationError(None, f"The output file {out} must end in .pdf")
    actor = ctx.actor()
    result = commands.export_one(ctx.store(), actor, args.id, out, PAPERS[args.paper or "a4"])
    note = "" if result.status != "draft" else " (a draft: watermarked, not a valid record)"
    ctx.print(
        f"Exported checklist {result.checklist_id} to {result.path}{note}; "
        f"file SHA-256 {result.file_sha256}."
    )
    return EXIT_OK


class _Progress:
    """One progress line on stderr: rewritten in place on a terminal, every 10 % otherwise."""

    def __init__(self, stream: Any) -> None:
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

    def handler(signum: int, frame: Any) -> None:
        if flag.is_set():
            raise KeyboardInterrupt
        flag.set()
        _err("\nStopping after the current file (Ctrl+C again to stop at once)…")

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _export_bulk(ctx: Any) -> int:
    from vpchecklist.export import commands
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
            summary = commands.export_bulk(
                store,
                actor,
                filters,
                out,
                fmt,
                progress_cb=progress,
                cancel_check=stop.is_set,
                paper=PAPERS[args.paper or "a4"],
            )
    finally:
        progress.end()
    if summary.total == 0 and fmt == "pdf":
        ctx.print(f"No checklist matches; nothing was written to {out}.")
        return EXIT_OK
    if summary.failed or summary.cancelled:
        _err(summary.text())
        return EXIT_CHECK_FAILED
    ctx.print(summary.text())
    return EXIT_OK


# --- verify --------------------------------------------------------------------------------


def cmd_verify(ctx: Any) -> int:
    from vpchecklist.export import commands

    path = Path(ctx.args.file)
    if not path.is_file():
        raise ValidationError(None, f"The file {path} does not exist")
    ok, sentence = commands.verify_pdf(ctx.store(), path)
    if ok:
        ctx.print(sentence)
        return EXIT_OK
    _err(sentence)
    return EXIT_CHECK_FAILED


# --- parser --------------------------------------------------------------------------------


def register(sub: Any, command: Any) -> None:
    """Add ``export`` and ``verify`` to the CLI parser (``command`` is cli.py's helper)."""
    p = command(
        "export",
        cmd_export,
        "export one checklist as PDF (ID --out FILE.pdf), or every matching checklist "
        "(--status/--from/--to --out FOLDER) as PDFs or one CSV",
    )
    p.add_argument("id", nargs="?", type=_whole_number, metavar="ID", help="one checklist")
    p.add_argument(
        "--out", required=True, metavar="PATH", help="FILE.pdf for one checklist, a folder for bulk"
    )
    p.add_argument("--status", choices=["draft", "signed", "postponed"])
    p.add_argument("--from", dest="date_from", metavar="YYYY-MM-DD", help="planned start from")
    p.add_argument("--to", dest="date_to", metavar="YYYY-MM-DD", help="planned start up to")
    p.add_argument("--format", choices=["pdf", "csv"], help="bulk only (default pdf)")
    p.add_argument("--paper", type=_paper, metavar="a4|letter", help="page size (default a4)")
    _user_args(p)

    p = command(
        "verify",
        cmd_verify,
        "check that an exported PDF is an unaltered copy of the record as it stands now",
    )
    p.add_argument("file", metavar="FILE.pdf")
