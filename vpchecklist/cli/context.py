"""What every command gets: the exit-code table, the parsed args, the store, the acting user."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections.abc import Callable
from enum import IntEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO, TypeVar

from vpchecklist.errors import ValidationError
from vpchecklist.services.actors import Actor

if TYPE_CHECKING:
    from vpchecklist.machine_config import MachineConfig
    from vpchecklist.store import Store

T = TypeVar("T")


class Exit(IntEnum):
    """The only exit codes the CLI returns (scripts and the README rely on them)."""

    OK = 0
    CHECK_FAILED = 1  # a check or sign-off failed, or the role/account was refused
    BAD_INPUT = 2  # bad usage or input; one sentence on stderr


class UsageError(Exception):
    """Bad command-line usage (argparse's complaints become this, not ``SystemExit``)."""


class Secrets:
    """Passwords from ``--password-stdin`` (one per line) or an interactive prompt."""

    def __init__(self, from_stdin: bool, stdin: TextIO) -> None:
        self.from_stdin = from_stdin
        self.stdin = stdin

    def read(self, prompt: str) -> str:
        if self.from_stdin:
            line = self.stdin.readline()
            if not line:
                raise ValidationError(None, f"Standard input ended before the {prompt.lower()}.")
            return line.rstrip("\r\n")
        if not sys.stdin.isatty():
            raise ValidationError(None, "No terminal to ask for a password; use --password-stdin.")
        return getpass.getpass(f"{prompt}: ")

    def new_password(self, prompt: str) -> str:
        first = self.read(prompt)
        if not self.from_stdin and self.read(f"Repeat {prompt.lower()}") != first:
            raise ValidationError(None, "The two passwords differ.")
        return first


class Context:
    """What a command needs: the parsed args, the database and a way to act as a user.

    The store is opened on first use so that ``--help``, ``evaluate`` and usage errors never
    touch (or create) a database file; this computer's configuration file is read on first
    use too, so its mistakes surface as one sentence from inside the command (exit 2).
    """

    def __init__(self, args: argparse.Namespace, stdin: TextIO, out: TextIO) -> None:
        self.args = args
        self.out = out
        self.secrets = Secrets(getattr(args, "password_stdin", False), stdin)
        self._config: MachineConfig | None = None
        self._target: Path | str | None = None
        self._store: Store | None = None
        self.password = ""

    @property
    def config(self) -> MachineConfig:
        """This computer's ``vpchecklist.toml``; its anchor path applies from then on."""
        if self._config is None:
            from vpchecklist import machine_config

            self._config = machine_config.active()
            machine_config.export_anchor_folder(self._config)
        return self._config

    @property
    def db_target(self) -> Path | str:
        """``--db``, ``VPCHECKLIST_DB``, the configuration file, the default file: a ``Path``
        for SQLite, the URL for PostgreSQL."""
        if self._target is None:
            from vpchecklist.machine_config import database_location

            self._target = database_location(self.args.db, self.config)
        return self._target

    @property
    def db_label(self) -> str:
        """What messages print for the database: the file path, or the URL without password."""
        from vpchecklist.store.location import describe

        return describe(self.db_target)

    @property
    def db_path(self) -> Path:
        """The SQLite file, for the commands that check, copy or replace the file itself."""
        target = self.db_target
        if isinstance(target, Path):
            return target
        raise ValidationError(
            None,
            f"This command works on an SQLite database file, and {self.db_label} is a "
            "PostgreSQL database.",
        )

    def store(
        self,
        create: bool = False,
        accept_empty_file: bool = False,
        demo: bool = False,
        read_only: bool = False,
    ) -> Store:
        """The database, opened once. ``open_store`` refuses a file that is not a VP Checklist
        database before writing to it; ``read_only`` commands never write at all."""
        if self._store is None:
            from vpchecklist.store import open_store

            target = self.db_target

            def open_with(password: str | None) -> Store:
                return open_store(
                    target,
                    create,
                    accept_empty_file,
                    demo=demo,
                    read_only=read_only,
                    password=password,
                )

            if isinstance(target, Path):
                self._store = open_with(None)
            else:
                self._store = self.asking_password(open_with)
        return self._store

    def asking_password(self, open_with: Callable[[str | None], T]) -> T:
        """``open_with(None)`` on the server of ``db_target``, then with a password typed at
        the terminal when the server asks for one (three tries)."""
        from vpchecklist.database_password import open_asking

        url = str(self.db_target)
        opened = open_asking(open_with, lambda problem: self._database_password(url, problem), 3)
        if opened is None:
            raise ValidationError(None, "No database password was typed; nothing was opened.")
        return opened

    @staticmethod
    def _database_password(url: str, problem: str) -> str | None:
        """At the terminal only: ``--password-stdin`` carries the VP user's password, and a
        script without a terminal is told to use ``PGPASSWORD`` or ``~/.pgpass`` instead."""
        from vpchecklist.database_password import no_terminal, prompt

        if not sys.stdin.isatty():
            raise no_terminal(url)
        if problem:
            warn(problem)
        return getpass.getpass(prompt(url)) or None

    def actor(self) -> Actor:
        """Authenticate ``--user`` with a password from stdin or a prompt.

        The password is kept in ``self.password``: signing and addenda use it as the
        signature's re-authentication, so the user types it once.
        """
        from vpchecklist.errors import PasswordChangeRequired
        from vpchecklist.services.auth import authenticate

        username = getattr(self.args, "user", None)
        if not username:
            raise UsageError("this command needs --user USERNAME")
        store = self.store()
        self.password = self.secrets.read(f"Password for {username}")
        try:
            return authenticate(store, username, self.password)
        except PasswordChangeRequired as exc:
            raise PasswordChangeRequired(
                f"{username} must choose a new password first (the current one was set by an "
                f"administrator): run vpchecklist passwd --user {username}."
            ) from exc

    def print(self, text: str = "") -> None:
        print(text, file=self.out, flush=True)

    def print_json(self, value: Any) -> None:
        self.print(json.dumps(value, indent=2, ensure_ascii=False))

    def table(self, headings: list[str], rows: list[list[str]]) -> None:
        """Columns padded to their widest cell (the ``--format table`` output)."""
        widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headings)]
        self.print("  ".join(h.ljust(w) for h, w in zip(headings, widths, strict=True)).rstrip())
        for row in rows:
            self.print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())

    def close(self) -> None:
        if self._store is not None:
            self._store.close()


def warn(text: str) -> None:
    """One line on stderr: refusals, failed checks and progress never mix with the output."""
    print(text, file=sys.stderr, flush=True)
