"""The parser (every command group registers itself) and ``main``: run one command, map every
failure to an exit code and one sentence, never a traceback."""

from __future__ import annotations

import argparse
import contextlib
import logging
import sys
from collections.abc import Sequence
from typing import TextIO

from vpchecklist import __version__
from vpchecklist.cli import (
    accounts,
    audit,
    checklist,
    compliance,
    database,
    demo,
    evaluate,
    export,
    listing,
    schedule,
    settings,
)
from vpchecklist.cli.arguments import Commands, Parser
from vpchecklist.cli.context import Context, Exit, UsageError
from vpchecklist.errors import StorageError, VPError
from vpchecklist.logs import setup_logging
from vpchecklist.paths import log_dir

log = logging.getLogger("vpchecklist.cli")

# The order of ``vpchecklist --help``.
GROUPS = (
    accounts,
    evaluate,
    checklist,
    listing,
    schedule,
    demo,
    audit,
    database,
    settings,
    export,
    compliance,
)


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="vpchecklist", description="VP Checklist: vertebroplasty pre-procedure checklists."
    )
    parser.add_argument("--version", action="version", version=f"vpchecklist {__version__}")
    parser.add_argument(
        "--db",
        metavar="PATH|URL",
        help="database file or postgresql://USER@HOST:PORT/DBNAME (default: VPCHECKLIST_DB, "
        "then the configuration file, then the user data folder)",
    )
    commands = Commands(
        parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    )
    for group in GROUPS:
        group.register(commands)
    return parser


def _usage_sentence(message: str) -> str:
    if len(message) > 300:
        message = message[:297] + "…"
    sentence = message[0].upper() + message[1:] if message else "Bad usage"
    return sentence.rstrip(".") + ". Try 'vpchecklist --help'."


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "?", "!")) else text + "."


def main(
    argv: Sequence[str] | None = None, stdin: TextIO | None = None, out: TextIO | None = None
) -> int:
    setup_logging()
    try:
        args = build_parser().parse_args(argv)
    except UsageError as exc:
        print(_usage_sentence(str(exc)), file=sys.stderr)
        return Exit.BAD_INPUT
    if not getattr(args, "handler", None):
        print(_usage_sentence("give a command"), file=sys.stderr)
        return Exit.BAD_INPUT
    ctx = Context(args, stdin or sys.stdin, out or sys.stdout)
    try:
        return int(args.handler(ctx))
    except UsageError as exc:
        print(_usage_sentence(str(exc)), file=sys.stderr)
        return Exit.BAD_INPUT
    except VPError as exc:
        log.info("command %s refused: %s", args.command, type(exc).__name__)
        print(_sentence(str(exc)), file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("Interrupted; nothing half-written was kept.", file=sys.stderr)
        return Exit.BAD_INPUT
    except BrokenPipeError:
        return Exit.OK
    except Exception:  # noqa: BLE001 - the last line of defence: never a traceback
        log.exception("unexpected error in command %s", args.command)
        print(
            f"Unexpected error; nothing half-written was kept. Details are in the log "
            f"folder {log_dir()}.",
            file=sys.stderr,
        )
        return Exit.BAD_INPUT
    finally:
        with contextlib.suppress(StorageError):
            ctx.close()
