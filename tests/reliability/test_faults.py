"""Fault injection through the real CLI in subprocesses: a lock held too long, a full disk,
a damaged database file, a read-only data folder, a backup killed half-way.

Each must give one clear sentence, leave no partly written record, and leave the database
passing ``db check`` (or lead the user to restore a backup).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import random
import resource
import shutil
import signal
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from reliability_support import (
    PASSWORDS,
    PYTHON,
    assert_clean_stderr,
    cli,
    clinical_counts,
    create_signed,
    document,
    seed_users,
    table_counts,
)

from vpchecklist.services import checklists, signing
from vpchecklist.store import open_store
from vpchecklist.store.backup import check_file

IS_ROOT = os.geteuid() == 0

#: Every fault here is one of the SQLite FILE (its lock, a full disk under it, damaged bytes,
#: a read-only folder, a backup file cut short); the server's faults are tested apart.
pytestmark = pytest.mark.sqlite_only


@pytest.fixture
def prepared(tmp_path: Path) -> tuple[Path, int, Path]:
    """A closed database with users, two signed records and one complete draft; the draft's id;
    and a JSON file of a new complete checklist."""
    db = tmp_path / "data" / "vp.sqlite"
    store = open_store(db)
    people = seed_users(store, ["nurse", "auditor"])
    create_signed(store, people["nurse"], PASSWORDS["nurse"], 1)
    create_signed(store, people["nurse"], PASSWORDS["nurse"], 2, "warning")
    draft = checklists.create_from_document(store, people["nurse"], document(3))
    store.close()
    doc = tmp_path / "new.json"
    import json

    doc.write_text(json.dumps(document(4)), encoding="utf-8")
    return db, draft, doc


def _healthy(db: Path) -> None:
    """What ``db check`` and ``audit verify`` do, in-process (a subprocess costs ~1 s)."""
    assert check_file(db) == []
    store = open_store(db, create=False)
    try:
        assert store.integrity_problems() == []
        assert signing.verify_chain(store) == []
    finally:
        store.close()


def _healthy_cli(db: Path) -> None:
    check = cli(db, "db", "check")
    assert check.returncode == 0, check.stderr
    verify = cli(db, "audit", "verify")
    assert verify.returncode == 0, verify.stderr


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- a lock held by another process ---------------------------------------------------------

HOLDER = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN EXCLUSIVE")
conn.execute("INSERT INTO setting (key, value) VALUES ('lock-holder', 'x')")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
conn.execute("ROLLBACK")
"""


@contextlib.contextmanager
def lock_held(db: Path, seconds: float = 20) -> Iterator[None]:
    holder = subprocess.Popen(
        [PYTHON, "-c", HOLDER, str(db), str(seconds)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "locked"
        yield
    finally:
        holder.kill()
        holder.wait()


@pytest.mark.parametrize("command", ["sign", "create", "answer"])
@pytest.mark.slow
def test_database_locked_longer_than_busy_timeout(prepared, command):  # type: ignore[no-untyped-def]
    db, draft, doc = prepared
    before = clinical_counts(db)
    args = {
        "sign": ["checklist", "sign", str(draft), "--meaning", "ready"],
        "create": ["checklist", "create", "--from", str(doc)],
        "answer": ["checklist", "answer", str(draft), "history.inr", "1.2"],
    }[command]
    with lock_held(db):
        started = time.monotonic()
        result = cli(
            db,
            *args,
            "--user",
            "nurse",
            "--password-stdin",
            stdin=PASSWORDS["nurse"] + "\n",
            env={"VPCHECKLIST_BUSY_TIMEOUT": "1"},
            timeout=30,
        )
        elapsed = time.monotonic() - started
    assert result.returncode == 2, result
    assert_clean_stderr(result.stderr)
    assert "busy" in result.stderr and "Nothing was saved" in result.stderr, result.stderr
    assert "database is locked" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert elapsed < 15, "gave up after the busy timeout, not much later"
    assert clinical_counts(db) == before
    _healthy_cli(db)


def test_reads_wait_out_a_short_lock(prepared):  # type: ignore[no-untyped-def]
    """A lock shorter than the busy timeout is simply waited for."""
    db, draft, _ = prepared
    with lock_held(db, seconds=1.0):
        result = cli(
            db,
            "checklist",
            "sign",
            str(draft),
            "--meaning",
            "ready",
            "--user",
            "nurse",
            "--password-stdin",
            stdin=PASSWORDS["nurse"] + "\n",
            env={"VPCHECKLIST_BUSY_TIMEOUT": "10"},
        )
    assert result.returncode == 0, result.stderr
    _healthy(db)


# --- disk full ------------------------------------------------------------------------------


def _file_size_limit(limit: int):  # type: ignore[no-untyped-def]
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


@pytest.mark.slow
def test_disk_full_while_signing(prepared, tmp_path):  # type: ignore[no-untyped-def]
    """Sweep the file-size limit over every write the sign command makes (login audit, WAL
    frames, checkpoint, log file), so the write fails at each point in turn."""
    db, draft, _ = prepared
    pristine = tmp_path / "pristine.sqlite"
    shutil.copy(db, pristine)
    outcomes = {"ok": 0, "refused": 0, "failed_during_sign": 0}
    limits = [*range(4096, 76 * 1024, 4096), *range(80 * 1024, 400 * 1024, 32 * 1024)]
    for limit in limits:
        # A fresh file name each round: re-using one path for a file replaced under SQLite's
        # per-process inode cache (shared locks, shm mapping) gives spurious I/O errors here.
        db = pristine.with_name(f"vp-{limit}.sqlite")
        shutil.copy(pristine, db)
        before = clinical_counts(db)
        result = cli(
            db,
            "checklist",
            "sign",
            str(draft),
            "--meaning",
            "ready",
            "--user",
            "nurse",
            "--password-stdin",
            stdin=PASSWORDS["nurse"] + "\n",
            preexec_fn=_file_size_limit(limit),
        )
        assert_clean_stderr(result.stderr)
        assert "Logging error" not in result.stderr, result.stderr
        after = clinical_counts(db)
        if result.returncode == 0:
            outcomes["ok"] += 1
            assert after["signature"] == before["signature"] + 1
        else:
            assert result.returncode == 2, (limit, result)
            assert "full" in result.stderr or "disk" in result.stderr, (limit, result.stderr)
            assert "Nothing was saved" in result.stderr, result.stderr
            assert after == before, f"limit {limit}: a refused sign changed {before} → {after}"
            outcomes["refused"] += 1
            conn = sqlite3.connect(db)
            logged_in = conn.execute(
                "SELECT count(*) FROM audit_event WHERE action = 'login' AND username = 'nurse'"
                " AND outcome = 'ok'"
            ).fetchone()[0]
            conn.close()
            outcomes["failed_during_sign"] += bool(logged_in)
        _healthy(db)
        status = (
            sqlite3.connect(db)
            .execute("SELECT status FROM checklist WHERE id = ?", (draft,))
            .fetchone()[0]
        )
        assert status == ("signed" if result.returncode == 0 else "draft")
    assert outcomes["refused"] and outcomes["ok"], outcomes
    assert outcomes["failed_during_sign"], f"no limit hit the sign write itself: {outcomes}"


def _can_mount() -> bool:
    if not IS_ROOT or not shutil.which("mount"):
        return False
    probe = Path("/tmp") / f"vp-mount-probe-{os.getpid()}"
    probe.mkdir(exist_ok=True)
    try:
        ok = (
            subprocess.run(
                ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(probe)], capture_output=True
            ).returncode
            == 0
        )
        if ok:
            subprocess.run(["umount", str(probe)], capture_output=True)
        return ok
    finally:
        with contextlib.suppress(OSError):
            probe.rmdir()


CAN_MOUNT = _can_mount()


@contextlib.contextmanager
def mounted(target: Path, *args: str) -> Iterator[Path]:
    target.mkdir(parents=True, exist_ok=True)
    *options, source = args
    subprocess.run(["mount", *options, source, str(target)], check=True, capture_output=True)
    try:
        yield target
    finally:
        subprocess.run(["umount", "-l", str(target)], capture_output=True)


@pytest.mark.skipif(not CAN_MOUNT, reason="needs root and permission to mount a tmpfs")
@pytest.mark.slow
def test_disk_full_on_a_small_filesystem(prepared, tmp_path):  # type: ignore[no-untyped-def]
    """A real ENOSPC: the data folder on a tiny tmpfs, filled to leave a few pages free."""
    db, draft, _ = prepared
    size = db.stat().st_size
    outcomes = {"ok": 0, "refused": 0}
    for spare in range(0, 48 * 1024, 8192):
        with mounted(
            tmp_path / f"small-{spare}", "-t", "tmpfs", "-o", f"size={size + 256 * 1024}", "tmpfs"
        ) as fs:
            small = fs / "vp.sqlite"
            shutil.copy(db, small)
            filler = fs / "filler"
            free = shutil.disk_usage(fs).free
            filler.write_bytes(b"\0" * max(0, free - spare))
            before = clinical_counts(db)
            result = cli(
                small,
                "checklist",
                "sign",
                str(draft),
                "--meaning",
                "ready",
                "--user",
                "nurse",
                "--password-stdin",
                stdin=PASSWORDS["nurse"] + "\n",
            )
            assert_clean_stderr(result.stderr)
            if result.returncode == 0:
                outcomes["ok"] += 1
            else:
                outcomes["refused"] += 1
                assert result.returncode == 2, result
                assert "full" in result.stderr or "disk" in result.stderr, result.stderr
            filler.unlink()  # space is freed: the database must be whole
            if result.returncode != 0:
                assert clinical_counts(small) == before
            _healthy(small)
    assert outcomes["refused"], outcomes


# --- damaged database file ------------------------------------------------------------------


def _damage(db: Path, how: str) -> None:
    data = bytearray(db.read_bytes())
    rng = random.Random(how)
    if how == "random_bytes":
        db.write_bytes(rng.randbytes(len(data)))
    elif how == "random_header":
        data[:100] = rng.randbytes(100)
        db.write_bytes(bytes(data))
    elif how == "truncated_half":
        db.write_bytes(bytes(data[: len(data) // 2]))
    elif how == "truncated_one_page":
        db.write_bytes(bytes(data[:4096]))
    elif how == "truncated_to_zero":
        db.write_bytes(b"")
    elif how == "text_file":
        db.write_text("this is not a database\n" * 100)
    elif how == "scribbled_pages":
        for page in range(2, len(data) // 4096):
            start = page * 4096 + rng.randrange(0, 3000)
            data[start : start + 64] = rng.randbytes(64)
        db.write_bytes(bytes(data))
    else:  # pragma: no cover
        raise AssertionError(how)


DAMAGE = [
    "random_bytes",
    "random_header",
    "truncated_half",
    "truncated_one_page",
    "truncated_to_zero",
    "text_file",
    "scribbled_pages",
]


@pytest.mark.parametrize("how", DAMAGE)
@pytest.mark.slow
def test_damaged_database_file(prepared, how):  # type: ignore[no-untyped-def]
    db, draft, doc = prepared
    _damage(db, how)
    digest = _sha(db)
    commands = [
        ["list", "--user", "nurse", "--password-stdin"],
        ["checklist", "create", "--from", str(doc), "--user", "nurse", "--password-stdin"],
        [
            "checklist",
            "sign",
            str(draft),
            "--meaning",
            "ready",
            "--user",
            "nurse",
            "--password-stdin",
        ],
        ["audit", "verify"],
        ["backup", "--out", str(db.parent / "copy.sqlite")],
    ][: 2 if how in ("text_file", "truncated_one_page") else 5]
    for args in commands:
        result = cli(db, *args, stdin=PASSWORDS["nurse"] + "\n")
        assert_clean_stderr(result.stderr)
        if result.returncode == 0 and how == "scribbled_pages":
            continue  # pages this command never reads may be damaged; db check finds them
        assert result.returncode == 2, (how, args, result)
        assert "damaged" in result.stderr and "restore" in result.stderr, (how, args, result)
        assert _sha(db) == digest, f"{args} changed the damaged file (a new empty database?)"
    check = cli(db, "db", "check")
    assert check.returncode in (1, 2), (how, check)
    assert "restore" in check.stderr, check.stderr
    assert_clean_stderr(check.stderr)
    assert _sha(db) == digest
    assert not (db.parent / "copy.sqlite").exists(), "a damaged database was backed up"


def test_restore_after_damage(prepared, tmp_path):  # type: ignore[no-untyped-def]
    db, _, _ = prepared
    backup = tmp_path / "good.sqlite"
    assert cli(db, "backup", "--out", str(backup)).returncode == 0
    _damage(db, "random_header")
    result = cli(
        db,
        "restore",
        str(backup),
        "--user",
        "admin",
        "--password-stdin",
        stdin=PASSWORDS["admin"] + "\n",
    )
    assert result.returncode == 0, result.stderr
    _healthy_cli(db)
    assert any(p.name.startswith("vp.replaced-") for p in db.parent.iterdir())


# --- read-only data folder ------------------------------------------------------------------


@contextlib.contextmanager
def read_only_folder(folder: Path) -> Iterator[Path]:
    """Make ``folder`` genuinely read-only, also for root: a read-only bind mount over it."""
    if IS_ROOT:
        if not CAN_MOUNT:
            pytest.skip("root without mount permission: chmod cannot stop root's writes")
        subprocess.run(["mount", "--bind", str(folder), str(folder)], check=True)
        try:
            subprocess.run(["mount", "-o", "remount,ro,bind", str(folder)], check=True)
            yield folder
        finally:
            subprocess.run(["umount", "-l", str(folder)], capture_output=True)
    else:
        mode = folder.stat().st_mode
        files = list(folder.iterdir())
        for f in files:
            f.chmod(0o400)
        folder.chmod(0o500)
        try:
            yield folder
        finally:
            folder.chmod(mode)
            for f in files:
                f.chmod(0o600)


@pytest.mark.parametrize("command", ["create", "sign", "list"])
def test_read_only_data_folder(prepared, command):  # type: ignore[no-untyped-def]
    db, draft, doc = prepared
    before = clinical_counts(db)
    digest = _sha(db)
    args = {
        "create": ["checklist", "create", "--from", str(doc)],
        "sign": ["checklist", "sign", str(draft), "--meaning", "ready"],
        "list": ["list"],
    }[command]
    with read_only_folder(db.parent):
        with pytest.raises(OSError):
            (db.parent / "probe").write_text("x")
        result = cli(
            db, *args, "--user", "nurse", "--password-stdin", stdin=PASSWORDS["nurse"] + "\n"
        )
        assert_clean_stderr(result.stderr)
        assert result.returncode == 2, result
        assert "read-only" in result.stderr or "cannot be written" in result.stderr, result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
        assert _sha(db) == digest
    assert clinical_counts(db) == before
    _healthy(db)


# --- killed during a backup -----------------------------------------------------------------


def _grow(db: Path, megabytes: int) -> None:
    """Make the file big enough that a backup takes a while (audit rows may be inserted)."""
    conn = sqlite3.connect(db)
    blob = "x" * 1000
    with conn:
        conn.executemany(
            "INSERT INTO audit_event (at, username, action, outcome, checklist_id, detail) "
            "VALUES ('2026-01-01T00:00:00.000000Z', 'nurse', 'view', 'ok', NULL, ?)",
            ((f'{{"pad": "{blob}{n}"}}',) for n in range(megabytes * 1000)),
        )
    conn.close()


@pytest.mark.slow
def test_killed_during_backup(prepared, tmp_path):  # type: ignore[no-untyped-def]
    db, _, _ = prepared
    _grow(db, 25)
    target = tmp_path / "backups" / "vp-backup.sqlite"
    partial = target.with_name(target.name + ".partial")
    rng = random.Random(5)
    killed_mid_copy = 0
    for _attempt in range(6):
        target.unlink(missing_ok=True)
        env = dict(os.environ)
        proc = subprocess.Popen(
            [PYTHON, "-m", "vpchecklist.cli", "--db", str(db), "backup", "--out", str(target)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=env,
        )
        deadline = time.monotonic() + 30
        while not partial.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.001)
        time.sleep(rng.uniform(0, 0.15))
        if proc.poll() is None:
            killed_mid_copy += partial.exists()
            proc.send_signal(signal.SIGKILL)
        proc.wait()
        if target.exists():
            assert check_file(target) == [], "a backup under its final name must be whole"
        _healthy(db)
    assert killed_mid_copy >= 3, "the kill should land during the copy most of the time"
    # A leftover .partial does not get in the way of the next backup.
    result = cli(db, "backup", "--out", str(target))
    assert result.returncode == 0, result.stderr
    assert check_file(target) == []
    assert not partial.exists()
    assert table_counts(target)["signature"] == table_counts(db)["signature"]


def test_unwritable_log_file_does_not_leak_a_traceback(prepared, tmp_path):  # type: ignore[no-untyped-def]
    """Disk full hits the log file too: the user still gets one sentence, not logging's own
    '--- Logging error ---' traceback on stderr."""
    db, _, _ = prepared
    logs = Path(os.environ["VPCHECKLIST_HOME"]) / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    (logs / "vpchecklist.log").write_text("filler line\n" * 20_000)  # ~240 KB, over the limit
    _damage(db, "random_header")  # a command that logs an exception with its traceback
    result = cli(
        db,
        "list",
        "--user",
        "nurse",
        "--password-stdin",
        stdin=PASSWORDS["nurse"] + "\n",
        preexec_fn=_file_size_limit(100_000),
    )
    assert result.returncode == 2
    assert "damaged" in result.stderr
    assert "Logging error" not in result.stderr and "Traceback" not in result.stderr, result.stderr[
        :500
    ]
