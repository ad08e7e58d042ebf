"""``vpchecklist`` command line: parse, call a service, print.

Exit codes: 0 ok; 1 a check or sign-off failed (or was refused); 2 bad usage or input. Every
failure is one plain sentence on stderr; tracebacks go to the log file only.
"""

from __future__ import annotations

import argparse
import contextlib
import getpass
import json
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn, TextIO

from vpchecklist import __version__
from vpchecklist.errors import StorageError, ValidationError, VPError
from vpchecklist.logs import setup_logging
from vpchecklist.paths import database_path, log_dir
from vpchecklist.services import Actor

log = logging.getLogger("vpchecklist.cli")

EXIT_OK, EXIT_CHECK_FAILED, EXIT_BAD_INPUT = 0, 1, 2


class UsageError(Exception):
    """Bad command-line usage (argparse's complaints become this, not ``SystemExit``)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


class _Secrets:
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
    """What a command needs: the parsed args, the database and a way to act as a user."""

    def __init__(self, args: argparse.Namespace, stdin: TextIO, out: TextIO) -> None:
        self.args = args
        self.out = out
        self.secrets = _Secrets(getattr(args, "password_stdin", False), stdin)
        self.db_path = database_path(args.db)
        self._store: Any = None
        self.password = ""

    def store(self, create: bool = False, accept_empty_file: bool = False) -> Any:
        if self._store is None:
            from vpchecklist.store import open_store

            self._store = open_store(self.db_path, create, accept_empty_file)
        return self._store

    def actor(self) -> Actor:
        """Authenticate ``--user`` with a password from stdin or a prompt."""
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

    def close(self) -> None:
        if self._store is not None:
            self._store.close()


# --- commands ------------------------------------------------------------------------------


def cmd_init(ctx: Context) -> int:
    from vpchecklist.services import users

    existed = ctx.db_path.exists()
    store = ctx.store(create=True, accept_empty_file=True)
    if users.has_users(store):
        raise ValidationError(None, f"The database {ctx.db_path} already has users.")
    full_name = ctx.args.full_name or ctx.args.admin
    password = ctx.secrets.new_password(f"New password for {ctx.args.admin}")
    admin = users.create_first_admin(store, ctx.args.admin, full_name, password)
    verb = "Initialised" if existed else "Created"
    ctx.print(f"{verb} {ctx.db_path} with administrator {admin.username}.")
    return EXIT_OK


def cmd_users_add(ctx: Context) -> int:
    from vpchecklist.services import users

    actor = ctx.actor()
    password = ctx.secrets.new_password(f"Initial password for {ctx.args.username}")
    added = users.add_user(
        ctx.store(),
        actor,
        ctx.args.username,
        ctx.args.role,
        ctx.args.full_name,
        password,
        must_change_password=ctx.args.must_change_password,
    )
    note = (
        " They must choose a new password at first sign-in." if added.must_change_password else ""
    )
    ctx.print(f"Added {added.role} {added.username} ({added.full_name}).{note}")
    return EXIT_OK


def cmd_users_list(ctx: Context) -> int:
    from vpchecklist.services import users

    rows = users.list_users(ctx.store(), ctx.actor())
    if ctx.args.format == "json":
        ctx.print_json(rows)
        return EXIT_OK
    _table(
        ctx,
        ["username", "role", "full name", "active"],
        [[r["username"], r["role"], r["full_name"], "yes" if r["active"] else "no"] for r in rows],
    )
    return EXIT_OK


def cmd_users_disable(ctx: Context) -> int:
    from vpchecklist.services import users

    users.disable_user(ctx.store(), ctx.actor(), ctx.args.username)
    ctx.print(f"Disabled {ctx.args.username}.")
    return EXIT_OK


def _read_json_file(name: str) -> Any:
    path = Path(name)
    try:
        text = sys.stdin.read() if name == "-" else path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ValidationError(None, f"The file {name} does not exist.") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ValidationError(None, f"The file {name} cannot be read as UTF-8 text.") from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationError(
            None,
            f"The file {name} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}).",
        ) from exc
    except RecursionError as exc:
        raise ValidationError(None, f"The file {name} is nested too deeply.") from exc


def _json_object(name: str) -> dict[str, Any]:
    doc = _read_json_file(name)
    if not isinstance(doc, dict):
        raise ValidationError(
            None, f"The file {name} must hold a JSON object, not a {type(doc).__name__}."
        )
    return doc


def cmd_evaluate(ctx: Context) -> int:
    from vpchecklist.rules import evaluate
    from vpchecklist.templates import default_template

    doc = _json_object(ctx.args.file)
    result = evaluate(default_template(), doc)
    ctx.print_json(result.to_json())
    if result.errors:
        first = result.errors[0]
        more = f" ({len(result.errors) - 1} more in the output)" if len(result.errors) > 1 else ""
        print(f"Invalid: {first.item}: {first.message}{more}.", file=sys.stderr)
        return EXIT_BAD_INPUT
    if not result.ready_to_sign:
        print(
            f"Not ready to sign: {len(result.blockers())} item(s) block sign-off.", file=sys.stderr
        )
        return EXIT_CHECK_FAILED
    return EXIT_OK


def cmd_checklist_create(ctx: Context) -> int:
    from vpchecklist.services import checklists

    doc = _json_object(ctx.args.source)
    actor = ctx.actor()
    checklist_id = checklists.create_from_document(ctx.store(), actor, doc)
    ctx.print(str(checklist_id))
    return EXIT_OK


def cmd_checklist_sign(ctx: Context) -> int:
    from vpchecklist.errors import SignatureError
    from vpchecklist.services import signing

    actor = ctx.actor()  # the password given here is the signature's re-authentication
    try:
        digest = signing.sign(
            ctx.store(), actor, ctx.args.id, ctx.password, ctx.args.meaning, ctx.args.reason
        )
    except SignatureError as exc:
        print(f"Checklist {ctx.args.id} cannot be signed as {ctx.args.meaning}:", file=sys.stderr)
        for blocker in exc.blockers or [str(exc)]:
            print(f"  - {blocker}", file=sys.stderr)
        return EXIT_CHECK_FAILED
    ctx.print(f"Signed checklist {ctx.args.id} as {ctx.args.meaning}; record hash {digest}.")
    return EXIT_OK


def cmd_checklist_show(ctx: Context) -> int:
    from vpchecklist.services import checklists

    detail = checklists.detail(ctx.store(), ctx.actor(), ctx.args.id)
    if ctx.args.format == "json":
        ctx.print_json(detail)
        return EXIT_OK
    header = detail["header"]
    ctx.print(f"Checklist {detail['id']} — {detail['status']}")
    ctx.print(
        f"Patient: {header['patient']['name']}  DOB {header['patient']['date_of_birth']}  "
        f"MRN {header['patient']['mrn']}"
    )
    ctx.print(
        f"Levels: {', '.join(header['levels'])}  planned {header['planned_start']}  "
        f"physician {header['physician']}"
    )
    for item_id, entry in sorted(detail["answers"].items()):
        ctx.print(
            f"  {item_id}: {json.dumps(entry['value'], ensure_ascii=False)}  "
            f"({entry['answered_by']}, {entry['answered_at']})"
        )
    for sig in detail["signatures"]:
        ctx.print(
            f"Signed: {sig['printed_name']} ({sig['role']}) {sig['signed_at']} — {sig['meaning_text']}"
        )
    if detail["record_hash"]:
        ctx.print(f"Record hash: {detail['record_hash']}")
    return EXIT_OK


def cmd_checklist_answer(ctx: Context) -> int:
    from vpchecklist.services import checklists

    try:
        value = json.loads(ctx.args.value)
    except json.JSONDecodeError:
        value = ctx.args.value  # plain words such as yes / no / chest
    ev = checklists.answer(ctx.store(), ctx.actor(), ctx.args.id, ctx.args.item, value)
    for finding in ev.findings_for(ctx.args.item)["warnings"]:
        ctx.print(f"Warning: {finding}")
    ctx.print(f"Saved {ctx.args.item}.")
    return EXIT_OK


def cmd_checklist_acknowledge(ctx: Context) -> int:
    from vpchecklist.services import checklists

    checklists.acknowledge(
        ctx.store(), ctx.actor(), ctx.args.id, ctx.args.item, ctx.args.reason, ctx.args.physician
    )
    ctx.print(f"Acknowledged the warning on {ctx.args.item}.")
    return EXIT_OK


def cmd_checklist_addendum(ctx: Context) -> int:
    from vpchecklist.services import signing

    actor = ctx.actor()  # the password given here is the signature's re-authentication
    digest = signing.add_addendum(ctx.store(), actor, ctx.args.id, ctx.args.text, ctx.password)
    ctx.print(f"Addendum signed on checklist {ctx.args.id}; record hash {digest}.")
    return EXIT_OK


def cmd_list(ctx: Context) -> int:
    from vpchecklist.services import checklists

    filters = checklists.Filters(
        status=ctx.args.status,
        mrn=ctx.args.mrn,
        date_from=ctx.args.date_from,
        date_to=ctx.args.date_to,
    )
    store, actor = ctx.store(), ctx.actor()
    rows = checklists.search(store, actor, filters, limit=ctx.args.limit)
    if ctx.args.limit and len(rows) == ctx.args.limit:
        total = checklists.count(store, actor, filters)
        if total > len(rows):
            print(
                f"Showing the newest {len(rows)} of {total} checklists; --limit 0 shows all.",
                file=sys.stderr,
            )
    if ctx.args.format == "json":
        ctx.print_json(rows)
        return EXIT_OK
    _table(
        ctx,
        [
            "id",
            "status",
            "planned",
            "mrn",
            "patient",
            "levels",
            "progress",
            "signed by",
            "signed at",
        ],
        [
            [
                str(r["id"]),
                r["status"],
                r["planned_start"],
                r["mrn"],
                r["patient_name"],
                ",".join(r["levels"]),
                f"{r['progress']}%",
                r["signed_by"] or "",
                (r["signed_at"] or "")[:16],
            ]
            for r in rows
        ],
    )
    return EXIT_OK


def cmd_demo(ctx: Context) -> int:
    from vpchecklist import demo

    store = ctx.store(create=True)
    for checklist_id in demo.generate(store, ctx.args.count, ctx.args.seed):
        ctx.print(str(checklist_id))
    return EXIT_OK


def cmd_audit_verify(ctx: Context) -> int:
    from vpchecklist.services import signing

    problems = signing.verify_chain(ctx.store())
    if not problems:
        ctx.print("Audit chain intact: every signed record matches its hash.")
        return EXIT_OK
    ids = sorted({p["checklist_id"] for p in problems if p["checklist_id"] is not None})
    for problem in problems:
        print(problem["message"], file=sys.stderr)
    print(f"Tampering detected in checklist(s): {', '.join(map(str, ids))}.", file=sys.stderr)
    return EXIT_CHECK_FAILED


def cmd_audit_log(ctx: Context) -> int:
    from vpchecklist.services import audit

    events = audit.events(ctx.store(), ctx.actor(), ctx.args.checklist)
    if ctx.args.format == "json":
        ctx.print_json(events)
        return EXIT_OK
    _table(
        ctx,
        ["at", "user", "action", "outcome", "checklist", "detail"],
        [
            [
                e["at"][:19],
                e["user"] or "",
                e["action"],
                e["outcome"],
                str(e["checklist_id"] or ""),
                json.dumps(e["detail"], ensure_ascii=False)[:60],
            ]
            for e in events
        ],
    )
    return EXIT_OK


def cmd_db_check(ctx: Context) -> int:
    from vpchecklist.store.backup import check_file

    if not ctx.db_path.exists():
        raise ValidationError(None, f"There is no database at {ctx.db_path}.")
    problems = check_file(ctx.db_path)
    if not problems:
        problems = ctx.store().integrity_problems()
    if problems:
        for problem in problems[:20]:
            print(problem, file=sys.stderr)
        print(
            f"The database {ctx.db_path} has problems; restore a backup "
            "(vpchecklist restore FILE).",
            file=sys.stderr,
        )
        return EXIT_CHECK_FAILED
    ctx.print(f"Database {ctx.db_path} is healthy (integrity, foreign keys, schema version).")
    return EXIT_OK


def cmd_backup(ctx: Context) -> int:
    from vpchecklist.services import audit
    from vpchecklist.services.backups import back_up_now
    from vpchecklist.store.backup import backup_to

    if not ctx.db_path.exists():
        raise ValidationError(None, f"There is no database at {ctx.db_path}.")
    store = ctx.store()  # refuses a damaged database before copying it
    if ctx.args.out:
        target = backup_to(ctx.db_path, Path(ctx.args.out))
        with store.transaction():
            audit.record(None, "backup", file=target.name)
    else:
        target = back_up_now(store, None)
    ctx.print(f"Backed up to {target} (verified).")
    return EXIT_OK


def cmd_passwd(ctx: Context) -> int:
    from vpchecklist.services.auth import change_password

    username = ctx.args.user
    current = ctx.secrets.read(f"Current password for {username}")
    new = ctx.secrets.new_password(f"New password for {username}")
    change_password(ctx.store(), username, current, new)
    ctx.print(f"Password changed for {username}.")
    return EXIT_OK


def cmd_restore(ctx: Context) -> int:
    from vpchecklist.store.backup import restore_from

    kept = restore_from(Path(ctx.args.file), ctx.db_path)
    ctx.print(f"Restored {ctx.db_path} from {ctx.args.file}.")
    if kept:
        ctx.print(f"The replaced database was kept as {kept}.")
    return EXIT_OK


def _table(ctx: Context, headings: list[str], rows: list[list[str]]) -> None:
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headings)]
    ctx.print("  ".join(h.ljust(w) for h, w in zip(headings, widths, strict=True)).rstrip())
    for row in rows:
        ctx.print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


# --- parser --------------------------------------------------------------------------------


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text} must not be negative")
    if value > 2**63 - 1:
        raise argparse.ArgumentTypeError(f"{text[:30]} is too large")
    return value


def _add_user_args(parser: argparse.ArgumentParser, required: bool = True) -> None:
    parser.add_argument(
        "--user",
        required=required,
        metavar="USERNAME",
        help="act as this user (password asked, or read with --password-stdin)",
    )
    parser.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password(s) from standard input, one per line",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="vpchecklist", description="VP Checklist: vertebroplasty pre-procedure checklists."
    )
    parser.add_argument("--version", action="version", version=f"vpchecklist {__version__}")
    parser.add_argument(
        "--db",
        metavar="PATH",
        help="database file (default: VPCHECKLIST_DB or the user data folder)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def command(
        name: str, handler: Callable[[Context], int], help_text: str, parent: Any = sub
    ) -> argparse.ArgumentParser:
        p: argparse.ArgumentParser = parent.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(handler=handler)
        return p

    p = command("init", cmd_init, "create the database and its first administrator")
    p.add_argument("--admin", required=True, metavar="USERNAME")
    p.add_argument("--full-name", metavar="NAME")
    p.add_argument("--password-stdin", action="store_true")

    users = sub.add_parser("users", help="manage users (administrators)")
    users_sub = users.add_subparsers(dest="subcommand", metavar="SUBCOMMAND", parser_class=_Parser)
    p = command("add", cmd_users_add, "add a user", users_sub)
    p.add_argument("username")
    p.add_argument("--role", required=True, choices=["nurse", "physician", "auditor", "admin"])
    p.add_argument("--full-name", required=True)
    p.add_argument(
        "--no-password-change",
        dest="must_change_password",
        action="store_false",
        help="do not make the user replace this administrator-set password at first sign-in",
    )
    _add_user_args(p)
    p = command("list", cmd_users_list, "list users", users_sub)
    p.add_argument("--format", choices=["table", "json"], default="table")
    _add_user_args(p)
    p = command("disable", cmd_users_disable, "disable a user (users are never deleted)", users_sub)
    p.add_argument("username")
    _add_user_args(p)

    p = command("evaluate", cmd_evaluate, "evaluate a checklist file without storing it")
    p.add_argument("file", metavar="FILE.json")

    checklist = sub.add_parser("checklist", help="create, answer, sign and show checklists")
    cl_sub = checklist.add_subparsers(dest="subcommand", metavar="SUBCOMMAND", parser_class=_Parser)
    p = command("create", cmd_checklist_create, "store a draft from a checklist file", cl_sub)
    p.add_argument("--from", dest="source", required=True, metavar="FILE.json")
    _add_user_args(p)
    p = command("sign", cmd_checklist_sign, "sign a checklist (password asked again)", cl_sub)
    p.add_argument("id", type=_positive_int)
    p.add_argument("--meaning", required=True, choices=["ready", "postponed"])
    p.add_argument("--reason")
    _add_user_args(p)
    p = command("show", cmd_checklist_show, "show a checklist", cl_sub)
    p.add_argument("id", type=_positive_int)
    p.add_argument("--format", choices=["text", "json"], default="text")
    _add_user_args(p)
    p = command("answer", cmd_checklist_answer, "answer one item of a draft", cl_sub)
    p.add_argument("id", type=_positive_int)
    p.add_argument("item")
    p.add_argument("value", help="JSON value, or a plain word such as yes")
    _add_user_args(p)
    p = command("acknowledge", cmd_checklist_acknowledge, "acknowledge a warning", cl_sub)
    p.add_argument("id", type=_positive_int)
    p.add_argument("item")
    p.add_argument("--reason", required=True)
    p.add_argument("--physician", required=True, help="the physician informed")
    _add_user_args(p)
    p = command(
        "addendum", cmd_checklist_addendum, "add a signed addendum to a closed record", cl_sub
    )
    p.add_argument("id", type=_positive_int)
    p.add_argument("--text", required=True)
    _add_user_args(p)

    p = command("list", cmd_list, "list checklists")
    p.add_argument("--status", choices=["draft", "signed", "postponed"])
    p.add_argument("--mrn")
    p.add_argument("--from", dest="date_from", metavar="YYYY-MM-DD")
    p.add_argument("--to", dest="date_to", metavar="YYYY-MM-DD")
    p.add_argument(
        "--limit",
        type=_positive_int,
        default=100,
        help="at most this many, newest first (default 100; 0 = all)",
    )
    p.add_argument("--format", choices=["table", "json"], default="table")
    _add_user_args(p)

    p = command("demo", cmd_demo, "fill a new or demo database with signed demo checklists")
    p.add_argument("--count", type=_positive_int, required=True)
    p.add_argument("--seed", type=int)

    audit = sub.add_parser("audit", help="verify the signature chain, read the audit log")
    audit_sub = audit.add_subparsers(dest="subcommand", metavar="SUBCOMMAND", parser_class=_Parser)
    command(
        "verify", cmd_audit_verify, "check every signed record against its hash chain", audit_sub
    )
    p = command("log", cmd_audit_log, "show audit events", audit_sub)
    p.add_argument("--checklist", type=_positive_int)
    p.add_argument("--format", choices=["table", "json"], default="table")
    _add_user_args(p)

    db = sub.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(dest="subcommand", metavar="SUBCOMMAND", parser_class=_Parser)
    command("check", cmd_db_check, "check integrity, foreign keys and schema version", db_sub)

    p = command("passwd", cmd_passwd, "change your password (current on line 1, new on line 2)")
    _add_user_args(p)
    p = command("backup", cmd_backup, "write a verified backup copy of the database")
    p.add_argument("--out", metavar="FILE")
    p = command("restore", cmd_restore, "replace the database with a verified backup")
    p.add_argument("file", metavar="FILE")

    from vpchecklist import cli_export

    cli_export.register(sub, command)
    return parser


def _usage_sentence(message: str) -> str:
    if len(message) > 300:
        message = message[:297] + "…"
    sentence = message[0].upper() + message[1:] if message else "Bad usage"
    return sentence.rstrip(".") + ". Try 'vpchecklist --help'."


def main(
    argv: Sequence[str] | None = None, stdin: TextIO | None = None, out: TextIO | None = None
) -> int:
    setup_logging()
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except UsageError as exc:
        print(_usage_sentence(str(exc)), file=sys.stderr)
        return EXIT_BAD_INPUT
    if not getattr(args, "handler", None):
        print(_usage_sentence("give a command"), file=sys.stderr)
        return EXIT_BAD_INPUT
    ctx = Context(args, stdin or sys.stdin, out or sys.stdout)
    try:
        return args.handler(ctx)
    except UsageError as exc:
        print(_usage_sentence(str(exc)), file=sys.stderr)
        return EXIT_BAD_INPUT
    except VPError as exc:
        log.info("command %s refused: %s", args.command, type(exc).__name__)
        print(_sentence(str(exc)), file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("Interrupted; nothing half-written was kept.", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:
        return EXIT_OK
    except Exception:  # noqa: BLE001 - the last line of defence: never a traceback
        log.exception("unexpected error in command %s", args.command)
        print(
            f"Unexpected error; nothing half-written was kept. Details are in the log "
            f"folder {log_dir()}.",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    finally:
        with contextlib.suppress(StorageError):
            ctx.close()


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "?", "!")) else text + "."


if __name__ == "__main__":
    sys.exit(main())
