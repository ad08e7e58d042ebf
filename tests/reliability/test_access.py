"""Access control: every verb with every role, refusals audited, lockout, passwords never in
clear, private files."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from reliability_support import PASSWORDS, cli, create_signed, document, seed_users

from tests import raw_database
from vpchecklist.errors import AuthError, PermissionDenied, ValidationError, VPError
from vpchecklist.services import (
    audit,
    auth,
    backups,
    checklists,
    exports,
    metrics,
    schedule,
    settings,
    signing,
    users,
    wristband,
)
from vpchecklist.services.roles import PERMISSIONS, ROLES
from vpchecklist.store import open_store
from vpchecklist.store.models import AuditEvent, User

# The role table of the core issue, written out independently of roles.py:
# nurse and physician create, answer, sign; auditor reads and exports (and reads the audit
# log, and completion metrics: issue 15); admin manages users, backups and settings, never
# clinical work.
CLINICAL = {"create", "answer", "acknowledge", "sign", "addendum", "read", "export"}
EXPECTED = {
    "nurse": CLINICAL,
    "physician": CLINICAL,
    "auditor": {"read", "export", "audit_log", "metrics"},
    "admin": {"manage_users", "backup", "settings", "audit_log"},
}


def test_role_table_matches_the_issue() -> None:
    assert set(ROLES) == set(EXPECTED)
    for role in ROLES:
        assert {verb for verb, roles in PERMISSIONS.items() if role in roles} == EXPECTED[role]


@pytest.fixture
def world(store, tmp_path):  # type: ignore[no-untyped-def]
    people = seed_users(store, ["nurse", "physician", "auditor"])
    signed = create_signed(store, people["nurse"], PASSWORDS["nurse"], 1)
    return store, people, signed, tmp_path


def _calls(
    store: Any, people: dict[str, Any], signed: int, tmp: Path
) -> list[tuple[str, str, Callable[[Any, str], Any]]]:
    """(verb, name, call(actor, password)) for every service entry point."""
    nurse = people["nurse"]

    def fresh_draft(warning: bool = False) -> int:
        doc = document(7, "warning" if warning else "clean")
        if warning:
            doc["acknowledgements"] = {}
        return checklists.create_from_document(store, nurse, doc)

    def export(actor: Any, _pw: str) -> Any:
        return exports.export_one(store, actor, signed, tmp / f"out-{actor.username}.pdf")

    counter = iter(range(1000))
    return [
        (
            "create",
            "start_checklist",
            lambda a, _p: checklists.start_checklist(
                store, a, checklists.parse_header(document(3), checklists.active_template())
            ),
        ),
        (
            "create",
            "create_from_document",
            lambda a, _p: checklists.create_from_document(store, a, document(4)),
        ),
        (
            "answer",
            "answer",
            lambda a, _p: checklists.answer(store, a, fresh_draft(), "history.inr", 1.1),
        ),
        (
            "answer",
            "mark_na",
            lambda a, _p: checklists.mark_na(store, a, fresh_draft(), "history.inr", "not drawn"),
        ),
        (
            "answer",
            "clear_answer",
            lambda a, _p: checklists.clear_answer(store, a, fresh_draft(), "history.inr"),
        ),
        (
            "acknowledge",
            "acknowledge",
            lambda a, _p: checklists.acknowledge(
                store, a, fresh_draft(True), "history.inr", "discussed", "Dr Example"
            ),
        ),
        ("sign", "sign", lambda a, p: signing.sign(store, a, fresh_draft(), p, "ready")),
        (
            "addendum",
            "add_addendum",
            lambda a, p: signing.add_addendum(store, a, signed, "note", p),
        ),
        ("read", "detail", lambda a, _p: checklists.detail(store, a, signed)),
        ("read", "evaluation", lambda a, _p: checklists.evaluation(store, a, signed)),
        ("read", "search", lambda a, _p: checklists.search(store, a)),
        ("read", "count", lambda a, _p: checklists.count(store, a)),
        ("export", "export_one", export),
        (
            "export",
            "export_fhir",
            lambda a, _p: exports.export_fhir(store, a, signed, tmp / f"out-{a.username}.json"),
        ),
        (
            "create",
            "schedule.import_messages",
            lambda a, _p: schedule.import_messages(store, a, _visit_message(next(counter))),
        ),
        ("read", "schedule.upcoming", lambda a, _p: schedule.upcoming(store, a)),
        (
            "create",
            "schedule.start_from_appointment",
            lambda a, _p: _start_visit(store, people["nurse"], a, next(counter)),
        ),
        (
            "answer",
            "wristband.scan",
            lambda a, _p: wristband.scan(store, a, fresh_draft(), "MRN-SCAN-1"),
        ),
        ("audit_log", "events", lambda a, _p: audit.events(store, a)),
        (
            "metrics",
            "records_in_range",
            lambda a, _p: metrics.records_in_range(
                store, a, metrics.RangeQuery("2026-01-01", "2026-12-31")
            ),
        ),
        (
            "manage_users",
            "add_user",
            lambda a, _p: users.add_user(
                store, a, f"new{next(counter)}", "nurse", "New Nurse", "new-password-123"
            ),
        ),
        ("manage_users", "list_users", lambda a, _p: users.list_users(store, a)),
        (
            "manage_users",
            "disable_user",
            lambda a, _p: users.disable_user(
                store,
                a,
                users.add_user(
                    store,
                    people["admin"],
                    f"tmp{next(counter)}",
                    "nurse",
                    "Tmp",
                    "tmp-password-123",
                ).username,
            ),
        ),
        ("manage_users", "enable_user", lambda a, _p: users.enable_user(store, a, "nurse")),
        (
            "manage_users",
            "reset_password",
            lambda a, _p: users.reset_password(store, a, "physician", "reset-password-123"),
        ),
        ("backup", "back_up_now", lambda a, _p: backups.back_up_now(store, a, tmp / "backups")),
        (
            "settings",
            "settings.update",
            lambda a, _p: settings.update(store, a, {"idle_lock_minutes": 5}),
        ),
    ]


def _visit_message(number: int) -> str:
    return (
        f"MSH|^~\\&|RIS|RAD|VPC|IR|20261130||SIU^S12|A{number}|P|2.5\r"
        f"SCH|ACCESS{number}||||||VP||60|MIN|^^60^202612011000\r"
        f"PID|1||MRN-A{number}^^^H^MR||Access^Ann||19500101|F\r"
    )


def _start_visit(store: Any, importer: Any, actor: Any, number: int) -> int:
    """Start a visit the nurse imported, as ``actor`` (the role under test)."""
    schedule.import_messages(store, importer, _visit_message(number))
    visit = next(v for v in schedule.upcoming(store, importer) if v["mrn"] == f"MRN-A{number}")
    raw = {
        "patient": {
            "name": visit["name"],
            "date_of_birth": visit["date_of_birth"],
            "mrn": visit["mrn"],
        },
        "levels": ["L2"],
        "planned_start": visit["planned_start"],
        "physician": "Dr Example",
    }
    header = checklists.parse_header(raw, checklists.active_template())
    return schedule.start_from_appointment(store, actor, visit["id"], header)


@pytest.mark.parametrize("role", ["nurse", "physician", "auditor", "admin"])
def test_every_verb_with_every_role(world, role):  # type: ignore[no-untyped-def]
    store, people, signed, tmp = world
    actor = people[role]

    def refusals(verb: str) -> list[AuditEvent]:
        return list(
            AuditEvent.select().where(
                AuditEvent.username == actor.username,
                AuditEvent.action == verb,
                AuditEvent.outcome == "refused",
            )
        )

    for verb, name, call in _calls(store, people, signed, tmp):
        before = len(refusals(verb))
        try:
            call(actor, PASSWORDS[role])
        except PermissionDenied as exc:
            assert verb not in EXPECTED[role], f"{role} was refused {name}: {exc}"
            assert role in str(exc)
            assert len(refusals(verb)) == before + 1, f"{role} refused {name} without audit"
            continue
        except pytest.skip.Exception:
            continue
        assert verb in EXPECTED[role], f"{role} was allowed {name}"


@pytest.mark.slow
def test_refusals_through_the_cli(world, db_path):  # type: ignore[no-untyped-def]
    store, _people, signed, tmp = world
    db = db_path
    store.close()
    doc = tmp / "doc.json"
    import json

    doc.write_text(json.dumps(document(9)), encoding="utf-8")
    for user, args in [
        ("auditor", ["checklist", "create", "--from", str(doc)]),
        ("auditor", ["checklist", "sign", str(signed), "--meaning", "ready"]),
        ("auditor", ["checklist", "answer", str(signed), "history.inr", "1.0"]),
        ("admin", ["checklist", "create", "--from", str(doc)]),
        ("admin", ["checklist", "show", str(signed)]),
        ("nurse", ["users", "add", "x1", "--role", "admin", "--full-name", "X"]),
        ("nurse", ["users", "list"]),
        ("physician", ["audit", "log"]),
    ]:
        result = cli(
            db,
            *args,
            "--user",
            user,
            "--password-stdin",
            stdin=PASSWORDS[user] + "\nnew-password-123\n",
        )
        assert result.returncode == 1, (user, args, result)
        assert "cannot" in result.stderr and "Traceback" not in result.stderr


# --- lockout ---------------------------------------------------------------------------------


class _Clock:
    """Shifts ``datetime.now`` in the auth module."""

    offset = timedelta()

    @classmethod
    def install(cls, monkeypatch: pytest.MonkeyPatch) -> type[_Clock]:
        class Shifted(datetime):
            @classmethod
            def now(cls_, tz: Any = None) -> datetime:  # noqa: N805
                return datetime.now(tz) + cls.offset

        monkeypatch.setattr(auth, "datetime", Shifted)
        return cls


def test_lockout_after_five_failures_and_its_expiry(world, monkeypatch):  # type: ignore[no-untyped-def]
    store, _people, _signed, _tmp = world
    clock = _Clock.install(monkeypatch)
    for _ in range(4):
        with pytest.raises(AuthError, match="Wrong username or password"):
            auth.authenticate(store, "nurse", "wrong-password")
    auth.authenticate(store, "nurse", PASSWORDS["nurse"])  # a success resets the count
    for _ in range(5):
        with pytest.raises(AuthError, match="Wrong username or password"):
            auth.authenticate(store, "nurse", "wrong-password")
    with pytest.raises(AuthError, match="locked"):
        auth.authenticate(store, "nurse", PASSWORDS["nurse"])
    lockouts = AuditEvent.select().where(
        AuditEvent.action == "lockout", AuditEvent.username == "nurse"
    )
    assert lockouts.count() == 1
    refused = AuditEvent.select().where(
        AuditEvent.username == "nurse", AuditEvent.outcome == "refused"
    )
    assert refused.count() >= 1
    clock.offset = timedelta(minutes=14)
    with pytest.raises(AuthError, match="locked"):
        auth.authenticate(store, "nurse", PASSWORDS["nurse"])
    clock.offset = timedelta(minutes=15, seconds=1)
    assert auth.authenticate(store, "nurse", PASSWORDS["nurse"]).username == "nurse"
    user = User.get(User.username == "nurse")
    assert user.failed_attempts == 0


def test_signature_reauthentication_counts_towards_lockout(world):  # type: ignore[no-untyped-def]
    store, people, _signed, _tmp = world
    nurse = people["nurse"]
    for _ in range(5):
        draft = checklists.create_from_document(store, nurse, document(11))
        with pytest.raises(AuthError):
            signing.sign(store, nurse, draft, "not-my-password", "ready")
    with pytest.raises(AuthError, match="locked"):
        auth.authenticate(store, "nurse", PASSWORDS["nurse"])
    with pytest.raises(AuthError, match="locked"):
        signing.sign(store, nurse, draft, PASSWORDS["nurse"], "ready")


def test_lockout_through_the_cli(world, db_path):  # type: ignore[no-untyped-def]
    store, _people, _signed, _tmp = world
    db = db_path
    store.close()
    for _ in range(5):
        result = cli(db, "list", "--user", "auditor", "--password-stdin", stdin="wrong-one-x\n")
        assert result.returncode == 1 and "Wrong username or password" in result.stderr
    result = cli(
        db, "list", "--user", "auditor", "--password-stdin", stdin=PASSWORDS["auditor"] + "\n"
    )
    assert result.returncode == 1 and "locked" in result.stderr and "15 minutes" in result.stderr


def test_idle_lock_setting_is_bounded(world):  # type: ignore[no-untyped-def]
    store, people, _signed, _tmp = world
    assert settings.idle_lock_minutes(store) == 10
    for bad in (0, 121, "x", -5, "1e3"):
        with pytest.raises(ValidationError, match="idle_lock_minutes"):
            settings.update(store, people["admin"], {"idle_lock_minutes": bad})
    settings.update(store, people["admin"], {"idle_lock_minutes": 3})
    assert settings.idle_lock_minutes(store) == 3


# --- passwords never in clear ----------------------------------------------------------------


def _all_files(*folders: Path) -> list[Path]:
    return [p for folder in folders if folder.exists() for p in folder.rglob("*") if p.is_file()]


def test_passwords_never_stored_or_logged_in_clear(world, db_path, new_db):  # type: ignore[no-untyped-def]
    store, people, signed, tmp = world
    secrets = dict(PASSWORDS)
    secrets["wrong"] = "wrong-guess-7391"
    secrets["reset"] = "reset-password-123"
    secrets["changed"] = "changed-password-456"
    for _ in range(3):
        with pytest.raises(AuthError):
            auth.authenticate(store, "nurse", secrets["wrong"])
    users.reset_password(store, people["admin"], "physician", secrets["reset"])
    auth.change_password(store, "physician", secrets["reset"], secrets["changed"])
    with pytest.raises(VPError):
        users.add_user(store, people["admin"], "shorty", "nurse", "S", "short")
    backups.back_up_now(store, people["admin"], tmp / "backups")
    db = db_path
    store.close()
    # The CLI path too: init, wrong passwords, signing, a refused short password.
    db2 = new_db("cli")
    cli(db2, "init", "--admin", "boss", "--password-stdin", stdin="boss-password-99\n")
    cli(
        db2,
        "users",
        "add",
        "n1",
        "--role",
        "nurse",
        "--full-name",
        "N One",
        "--user",
        "boss",
        "--password-stdin",
        stdin="boss-password-99\nnurse-one-pass-1\n",
    )
    cli(db2, "list", "--user", "boss", "--password-stdin", stdin="boss-wrong-pass-3\n")
    cli(db2, "backup", "--out", str(tmp / "backups" / "cli.backup"))
    secrets.update(boss="boss-password-99", n1="nurse-one-pass-1", bosswrong="boss-wrong-pass-3")
    home = Path(os.environ["VPCHECKLIST_HOME"])
    stored = raw_database.stored_files(db) + raw_database.stored_files(db2)
    files = _all_files(db.parent, tmp / "backups", home) + stored
    assert (tmp / "backups" / "cli.backup").is_file(), "the CLI's backup should exist"
    assert any(p.name.endswith(".log") for p in files), "the log file should exist"
    for path in files:
        data = path.read_bytes()
        for name, secret in secrets.items():
            for encoded in (secret.encode(), secret.encode("utf-16-le")):
                assert encoded not in data, f"the {name} password is in clear in {path}"
    for database in (db, db2):
        hashes = [r[0] for r in raw_database.query(database, 'SELECT password_hash FROM "user"')]
        assert hashes and all(h.startswith("$argon2id$") for h in hashes), hashes


# --- private files ---------------------------------------------------------------------------


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.sqlite_only  # file modes of the database file, -wal/-shm and backup files
def test_files_created_private(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    old = os.umask(0o022)  # a typical, permissive umask
    try:
        folder = tmp_path / "newdir" / "data"
        db = folder / "vp.sqlite"
        store = open_store(db)
        people = seed_users(store, ["nurse"])
        create_signed(store, people["nurse"], PASSWORDS["nurse"], 1)
        for suffix in ("", "-wal", "-shm"):
            path = Path(f"{db}{suffix}")
            if path.exists():
                assert _mode(path) == 0o600, (path, oct(_mode(path)))
        assert _mode(folder) == 0o700
        backup = backups.back_up_now(store, people["admin"], tmp_path / "bk")
        assert _mode(backup) == 0o600
        assert _mode(tmp_path / "bk") == 0o700
        store.close()
        result = cli(db, "backup", "--out", str(tmp_path / "bk2" / "b.sqlite"))
        assert result.returncode == 0, result.stderr
        assert _mode(tmp_path / "bk2" / "b.sqlite") == 0o600
        cli(
            tmp_path / "cli" / "db.sqlite",
            "init",
            "--admin",
            "boss",
            "--password-stdin",
            stdin="boss-password-99\n",
        )
        assert _mode(tmp_path / "cli" / "db.sqlite") == 0o600
        assert _mode(tmp_path / "cli") == 0o700
        logs = Path(os.environ["VPCHECKLIST_HOME"]) / "logs"
        assert _mode(logs) == 0o700
        for log in logs.iterdir():
            assert _mode(log) == 0o600, log
    finally:
        os.umask(old)


def test_rotated_log_file_stays_private(tmp_path):  # type: ignore[no-untyped-def]
    """When the log rotates, the new file is created by logging, outside the private umask."""
    logs = Path(os.environ["VPCHECKLIST_HOME"]) / "logs"
    logs.mkdir(parents=True, mode=0o700)
    big = logs / "vpchecklist.log"
    big.write_text("x" * 2_000_100)
    big.chmod(0o600)
    old = os.umask(0o022)
    try:
        result = cli(
            tmp_path / "db.sqlite",
            "list",
            "--user",
            "ghost",
            "--password-stdin",
            stdin="whatever-pass\n",
        )  # logs the refusal → rotates the file
    finally:
        os.umask(old)
    assert result.returncode in (1, 2)
    rotated = logs / "vpchecklist.log.1"
    assert rotated.exists(), list(logs.iterdir())
    for log in logs.iterdir():
        assert _mode(log) == 0o600, (log.name, oct(_mode(log)))


def test_audit_refusal_survives_unknown_user(world):  # type: ignore[no-untyped-def]
    store, _people, _signed, _tmp = world
    with pytest.raises(AuthError):
        auth.authenticate(store, "nobody-here", "some-password-1")
    last = AuditEvent.select().order_by(AuditEvent.id.desc()).first()
    assert (last.username, last.outcome) == ("nobody-here", "refused")
    assert datetime.now(UTC).year >= 2024
