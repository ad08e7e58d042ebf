"""Argument types and options shared by every command group, defined once.

``checklist_id`` is the only parser of a checklist id: ids start at 1, so 0, negatives, words and
numbers SQLite cannot hold are refused before any database is opened (exit 2, one sentence).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import NoReturn

from vpchecklist.cli.context import Context, UsageError

Handler = Callable[[Context], int]
LARGEST_ID = 2**63 - 1  # SQLite's largest integer


class Parser(argparse.ArgumentParser):
    """argparse that raises :class:`UsageError` instead of printing usage and exiting."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def checklist_id(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text[:30]!r} is not a checklist id; an id is a whole number from 1 up"
        ) from None
    if value < 1:
        raise argparse.ArgumentTypeError(
            f"{value} is not a checklist id; an id is a whole number from 1 up"
        )
    if value > LARGEST_ID:
        raise argparse.ArgumentTypeError(f"{text[:30]} is too large for a checklist id")
    return value


def count(text: str) -> int:
    """A number of things (``--count``, ``--limit``): 0 allowed, negatives not."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text[:30]!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value} must not be negative")
    if value > LARGEST_ID:
        raise argparse.ArgumentTypeError(f"{text[:30]} is too large")
    return value


def add_password_stdin(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password(s) from standard input, one per line",
    )


def add_user_args(parser: argparse.ArgumentParser) -> None:
    """The one ``--user``/``--password-stdin`` pair; :meth:`Context.actor` reads them."""
    parser.add_argument(
        "--user",
        required=True,
        metavar="USERNAME",
        help="act as this user (password asked, or read with --password-stdin)",
    )
    add_password_stdin(parser)


class Commands:
    """Where a command group adds its commands (top level, or under a group such as ``users``)."""

    def __init__(self, subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
        self._subparsers = subparsers

    def add(self, name: str, handler: Handler, help_text: str) -> argparse.ArgumentParser:
        parser = self._subparsers.add_parser(name, help=help_text, description=help_text)
        parser.set_defaults(handler=handler)
        return parser

    def group(self, name: str, help_text: str) -> Commands:
        parser = self._subparsers.add_parser(name, help=help_text)
        return Commands(
            parser.add_subparsers(dest="subcommand", metavar="SUBCOMMAND", parser_class=Parser)
        )
