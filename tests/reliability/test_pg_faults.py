"""Several workstations and a shared PostgreSQL server that drops connections (issue 14).

Real processes against a real server (``tests/postgres_cluster.py``): four workstations signing
at once, a workstation's connection ended by ``pg_terminate_backend`` inside its signature
transaction, a signature whose commit reply is lost, and the server stopped and restarted while
a workstation keeps working. Every signature reported done is stored exactly once, nothing is
left half-written, the nurse reads plain sentences, and ``audit verify`` passes afterwards.
"""

from __future__ import annotations

import queue
import subprocess
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from reliability_support import HERE, PYTHON, cli, document

from tests.postgres_cluster import PostgresCluster, start_cluster
from vpchecklist.services import checklists, users
from vpchecklist.services.actors import Actor
from vpchecklist.services.auth import authenticate
from vpchecklist.services.retries import retrying_sentence
from vpchecklist.store import open_store

pytestmark = [pytest.mark.postgresql_only, pytest.mark.slow]

WORKSTATION = HERE / "pg_workstation.py"
PASSWORD = "workstation-password-1"
NURSES = ("nurse1", "nurse2", "nurse3", "nurse4")
#: Advisory-lock key only these tests use: a test trigger waits on it inside the signature
#: transaction, so the test knows the transaction is open and half-way when it ends the session.
HOLD_KEY = 1414
RETRY_SIGNATURE = "RETRY " + retrying_sentence("signature")


def seed(url: str) -> dict[str, Actor]:
    """The schema, an administrator, four nurses and an auditor on the shared database."""
    store = open_store(url)
    try:
        admin = users.create_first_admin(store, "admin", "Ada Admin", PASSWORD)
        people = {"admin": admin}
        for name in (*NURSES, "auditor"):
            role = "auditor" if name == "auditor" else "nurse"
            people[name] = users.add_user(
                store, admin, name, role, f"{name.title()} Example", PASSWORD, False
            )
        return people
    finally:
        store.close()


@pytest.fixture
def shared(postgres_cluster: PostgresCluster) -> Iterator[tuple[PostgresCluster, str, str]]:
    """(cluster, database name, URL) of a fresh shared database with its users."""
    name = postgres_cluster.new_database()
    url = postgres_cluster.url(name)
    seed(url)
    yield postgres_cluster, name, url
    postgres_cluster.drop_database(name)


def workstation(url: str, user: str, *args: str, stdin: bool = False) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [PYTHON, str(WORKSTATION), url, user, PASSWORD, *args],
        stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def reported_done(stdout: str) -> dict[int, str]:
    """``done CID HASH`` lines: what each workstation told its user was signed."""
    done: dict[int, str] = {}
    for line in stdout.splitlines():
        word, cid, digest = line.split()
        assert word == "done", line
        assert int(cid) not in done, f"checklist {cid} reported signed twice"
        done[int(cid)] = digest
    return done


def signatures(cluster: PostgresCluster, dbname: str) -> list[tuple[int, int, str]]:
    """(seq, checklist id, record hash) of every stored signature, read as the superuser."""
    rows = cluster.psql(
        "SELECT seq, checklist_id, record_hash FROM signature ORDER BY seq", db=dbname
    )
    return [(int(s), int(c), str(h)) for s, c, h in rows]


def assert_stored_exactly_once(
    cluster: PostgresCluster, dbname: str, done: dict[int, str]
) -> list[tuple[int, int, str]]:
    stored = signatures(cluster, dbname)
    assert [seq for seq, _, _ in stored] == list(range(1, len(stored) + 1)), "chain has a gap"
    per_record: dict[int, list[str]] = {}
    for _, cid, digest in stored:
        per_record.setdefault(cid, []).append(digest)
    for cid, digest in done.items():
        assert per_record.get(cid) == [digest], f"checklist {cid}: {per_record.get(cid)}"
    assert all(len(hashes) == 1 for hashes in per_record.values()), "a record signed twice"
    return stored


def assert_audit_verify_ok(url: str) -> None:
    verify = cli(url, "audit", "verify", timeout=300)
    assert verify.returncode == 0, verify.stdout + verify.stderr


def assert_plain(stderr: str) -> None:
    assert "Traceback" not in stderr, stderr
    for line in stderr.splitlines():
        assert line.startswith(("RETRY ", "ERROR ")), line


def test_four_workstations_create_and_sign_a_hundred_each(shared) -> None:  # type: ignore[no-untyped-def]
    cluster, dbname, url = shared
    procs = [
        workstation(url, user, "create-sign", "100", str(seed_no))
        for seed_no, user in enumerate(NURSES, start=1)
    ]
    done: dict[int, str] = {}
    for proc in procs:
        out, err = proc.communicate(timeout=900)
        assert proc.returncode == 0, err
        assert err == "", err  # no failure, no retry: nothing went wrong on the way
        mine = reported_done(out)
        assert len(mine) == 100
        assert not set(mine) & set(done), "two workstations got the same checklist id"
        done.update(mine)
    assert len(done) == 400
    stored = assert_stored_exactly_once(cluster, dbname, done)
    assert len(stored) == 400
    counts = cluster.psql(
        "SELECT count(*), count(*) FILTER (WHERE status IN ('signed', 'postponed')) FROM checklist",
        db=dbname,
    )
    assert counts == [(400, 400)]
    assert_audit_verify_ok(url)


# --- a connection ended inside the signature transaction ------------------------------------


def install_hold_trigger(cluster: PostgresCluster, dbname: str) -> None:
    """Test-only: each new signature row waits for the test's advisory lock (inside the
    signing transaction, after the row is written), so the kill lands there every time."""
    cluster.psql(
        "CREATE FUNCTION test_hold_signature() RETURNS trigger LANGUAGE plpgsql AS "
        f"$$ BEGIN PERFORM pg_advisory_xact_lock_shared({HOLD_KEY}); RETURN NEW; END $$",
        db=dbname,
    )
    cluster.psql(
        "CREATE TRIGGER test_hold_signature AFTER INSERT ON signature FOR EACH ROW "
        "EXECUTE FUNCTION test_hold_signature()",
        db=dbname,
    )


def drop_hold_trigger(cluster: PostgresCluster, dbname: str) -> None:
    cluster.psql("DROP TRIGGER test_hold_signature ON signature", db=dbname)
    cluster.psql("DROP FUNCTION test_hold_signature()", db=dbname)


def held_backend(cluster: PostgresCluster, dbname: str, timeout: float = 60) -> int:
    """The session whose signature INSERT waits on the test's lock (its transaction open)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rows = cluster.psql(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND wait_event = 'advisory' "
            "AND xact_start IS NOT NULL AND query ILIKE %s",
            db=dbname,
            params=(dbname, '%INSERT INTO "signature"%'),
        )
        if rows:
            return int(rows[0][0])
        time.sleep(0.02)
    raise AssertionError("no signature transaction reached the test's lock")


class Lines:
    """A reader thread's queue of a stream's lines (so the test can wait with a timeout)."""

    def __init__(self, stream: Any) -> None:
        self.queue: queue.Queue[str] = queue.Queue()
        self.thread = threading.Thread(target=self._pump, args=(stream,), daemon=True)
        self.thread.start()

    def _pump(self, stream: Any) -> None:
        for line in stream:
            self.queue.put(line)

    def get(self, timeout: float = 60) -> str:
        return self.queue.get(timeout=timeout)

    def rest(self) -> str:
        """Everything left once the process has ended."""
        self.thread.join(timeout=30)
        out = []
        while not self.queue.empty():
            out.append(self.queue.get())
        return "".join(out)


def drafts(url: str, nurse: str, count: int) -> list[int]:
    """Complete drafts ready to sign, made by ``nurse`` on the shared database."""
    store = open_store(url, create=False)
    try:
        actor = authenticate(store, nurse, PASSWORD)
        return [
            checklists.create_from_document(store, actor, document(100 + n)) for n in range(count)
        ]
    finally:
        store.close()


def test_a_connection_ended_mid_signature_ten_times_signs_each_once(shared) -> None:  # type: ignore[no-untyped-def]
    cluster, dbname, url = shared
    ids = drafts(url, "nurse1", 10)
    install_hold_trigger(cluster, dbname)
    proc = workstation(url, "nurse1", "sign-on-cue", *map(str, ids), stdin=True)
    assert proc.stdin is not None
    out_lines = Lines(proc.stdout)
    done: dict[int, str] = {}
    with cluster.superuser(dbname) as holder:
        for cid in ids:
            holder.execute("SELECT pg_advisory_lock(%s)", (HOLD_KEY,))
            proc.stdin.write("go\n")
            proc.stdin.flush()
            pid = held_backend(cluster, dbname)
            # Half-way: the row is written inside the open transaction, invisible outside it.
            assert cid not in {c for _, c, _ in signatures(cluster, dbname)}
            assert cluster.psql("SELECT pg_terminate_backend(%s)", params=(pid,)) == [(True,)]
            holder.execute("SELECT pg_advisory_unlock(%s)", (HOLD_KEY,))
            line = out_lines.get(timeout=60)
            done.update(reported_done(line))
            assert cid in done, line
    proc.stdin.close()
    proc.wait(timeout=60)
    assert proc.stderr is not None
    err = proc.stderr.read()
    assert proc.returncode == 0, err
    assert_plain(err)
    assert err.splitlines() == [RETRY_SIGNATURE] * 10  # one sentence per dropped connection
    drop_hold_trigger(cluster, dbname)
    stored = assert_stored_exactly_once(cluster, dbname, done)
    assert len(stored) == 10
    events = cluster.psql(
        "SELECT outcome, count(*) FROM audit_event WHERE action = 'sign' GROUP BY outcome",
        db=dbname,
    )
    assert events == [("ok", 10)]  # no half-signature, no refusal left in the audit log
    assert_audit_verify_ok(url)


def test_a_signature_whose_commit_reply_was_lost_is_not_signed_again(shared) -> None:  # type: ignore[no-untyped-def]
    """The hard case of idempotency: the first attempt committed and only its reply was lost
    (the workstation drops its own connection right after the server's COMMIT, see
    ``pg_workstation.lose_commit_replies``), so the retry must find the stored signature by
    its request id instead of signing again."""
    cluster, dbname, url = shared
    ids = drafts(url, "nurse2", 5)
    proc = workstation(url, "nurse2", "sign-reply-lost", *map(str, ids))
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    assert_plain(err)
    assert err.splitlines() == [RETRY_SIGNATURE] * 5
    done = reported_done(out)
    assert sorted(done) == sorted(ids)
    assert len(assert_stored_exactly_once(cluster, dbname, done)) == 5
    assert_audit_verify_ok(url)


# --- the server stopped and started during a soak -------------------------------------------


@pytest.fixture
def own_server() -> Iterator[PostgresCluster]:
    """A server of this test's own: it is stopped and started, which no other test may see."""
    cluster = start_cluster()
    try:
        yield cluster
    finally:
        cluster.remove()


def test_server_restart_during_a_soak_loses_nothing_and_work_resumes(own_server) -> None:  # type: ignore[no-untyped-def]
    cluster = own_server
    dbname = cluster.new_database()
    url = cluster.url(dbname)
    seed(url)
    proc = workstation(url, "nurse1", "soak", "300", "7", stdin=True)
    assert proc.stdin is not None
    out_lines, err_lines = Lines(proc.stdout), Lines(proc.stderr)
    before: dict[int, str] = {}
    while len(before) < 5:  # working
        before.update(reported_done(out_lines.get(timeout=60)))
    cluster.stop("fast")
    time.sleep(4)  # longer than every retry of one save: the user is told it failed
    while not out_lines.queue.empty():  # done before the server went away
        before.update(reported_done(out_lines.get()))
    cluster.start()
    resumed: dict[int, str] = {}
    while len(resumed) < 5:  # work resumes after the restart
        resumed.update(reported_done(out_lines.get(timeout=120)))
    proc.stdin.close()  # enough: the workstation finishes what it is doing and stops
    proc.wait(timeout=120)
    err = err_lines.rest()
    assert proc.returncode == 0, err
    done = {**before, **resumed, **reported_done(out_lines.rest())}
    assert_plain(err)
    errors = [line for line in err.splitlines() if line.startswith("ERROR ")]
    assert errors, "the outage was not reported"
    assert all("could not be reached" in line for line in errors), errors
    # A signature in flight was retried (``RETRY`` lines) before it gave up; any other
    # change in flight says at once that it was not saved.
    assert all(line.endswith("try again when the server answers.") for line in errors), errors
    assert_stored_exactly_once(cluster, dbname, done)
    drafts_left = cluster.psql("SELECT count(*) FROM checklist WHERE status = 'draft'", db=dbname)
    assert drafts_left[0][0] <= len(errors)  # a failed signature leaves its draft, nothing else
    assert_audit_verify_ok(url)
