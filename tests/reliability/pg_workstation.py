"""One workstation on a shared PostgreSQL server, as a separate process (issue 14 fault tests).

    python pg_workstation.py URL USER PASSWORD create-sign COUNT SEED
        create and sign COUNT complete checklists, one after another;
    python pg_workstation.py URL USER PASSWORD soak SECONDS SEED
        create and sign until SECONDS have passed or stdin is closed (the server may stop
        and start meanwhile);
    python pg_workstation.py URL USER PASSWORD sign-on-cue CID [CID …]
        sign each draft after reading one line from stdin (the test's cue), so a test can
        place a fault inside that very signature;
    python pg_workstation.py URL USER PASSWORD sign-reply-lost CID [CID …]
        sign each draft, losing the reply to each signature's COMMIT (``lose_commit_replies``).

stdout: ``done CID RECORD_HASH`` once a signature is reported done to the user (flushed at
once). stderr: ``RETRY <sentence>`` each time the services retry after a lost connection and
``ERROR <sentence>`` for a save the user is told failed — exactly the sentences a nurse would
read. Exit 0 unless something other than a plain ``VPError`` escaped (a traceback).
"""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from reliability_support import document  # noqa: E402

from vpchecklist.errors import VPError  # noqa: E402
from vpchecklist.logs import setup_logging  # noqa: E402
from vpchecklist.services import checklists, signing  # noqa: E402
from vpchecklist.services.actors import Actor  # noqa: E402
from vpchecklist.services.auth import authenticate  # noqa: E402
from vpchecklist.services.retries import new_request_id  # noqa: E402
from vpchecklist.store import Store, open_store  # noqa: E402


def say(stream: object, text: str) -> None:
    print(text, file=stream, flush=True)  # type: ignore[call-overload]


def retry_notice(sentence: str) -> None:
    say(sys.stderr, f"RETRY {sentence}")


def sign(store: Store, actor: Actor, password: str, cid: int, n: int) -> None:
    if n % 4 == 3:
        digest = signing.sign(
            store,
            actor,
            cid,
            password,
            "postponed",
            "Consent missing",
            request_id=new_request_id(),
            notice=retry_notice,
        )
    else:
        digest = signing.sign(
            store, actor, cid, password, "ready", request_id=new_request_id(), notice=retry_notice
        )
    say(sys.stdout, f"done {cid} {digest}")


def create_and_sign(store: Store, actor: Actor, password: str, n: int) -> None:
    flavour = ("clean", "clean", "warning", "stop")[n % 4]
    cid = checklists.create_from_document(store, actor, document(n, flavour))
    if n % 3 == 0:  # some answers changed on the draft before signing
        checklists.answer(
            store,
            actor,
            cid,
            "sedation.baseline_hr",
            60 + n % 30,
            request_id=new_request_id(),
            notice=retry_notice,
        )
    sign(store, actor, password, cid, n)


def lose_commit_replies() -> None:
    """Test-only fault: right after the server committed a signature, this workstation drops
    its connection before it hears the reply, as a network cut at that instant would. The
    signature is stored; the services see a lost connection and retry with the same request
    id. (The server cannot be made to do this on cue; the client side can.)"""
    import peewee

    from vpchecklist.store import postgres
    from vpchecklist.store.models import database

    armed = threading.Event()
    real_commit = postgres.PortableDatabase.commit
    real_append = signing._append

    def commit_then_lose_the_reply(self: postgres.PortableDatabase) -> None:
        real_commit(self)
        if armed.is_set():
            armed.clear()
            self.connection().close()
            raise peewee.OperationalError("server closed the connection unexpectedly")

    def append_and_arm(*args: Any, **kwargs: Any) -> Any:
        row = real_append(*args, **kwargs)
        armed.set()  # this transaction wrote a signature: lose its commit's reply
        return row

    postgres.PortableDatabase.commit = commit_then_lose_the_reply  # type: ignore[method-assign]
    signing._append = append_and_arm  # type: ignore[attr-defined]
    assert database.obj is None or isinstance(database.obj, postgres.PortableDatabase)


def main(argv: list[str]) -> int:
    url, username, password, mode, *rest = argv
    setup_logging()  # tracebacks go to the log file, never to the output
    store = open_store(url, create=False)
    actor = authenticate(store, username, password)
    if mode in ("sign-on-cue", "sign-reply-lost"):
        if mode == "sign-reply-lost":
            lose_commit_replies()
        for index, cid in enumerate(int(c) for c in rest):
            if mode == "sign-on-cue":
                sys.stdin.readline()
            try:
                sign(store, actor, password, cid, index * 4)  # always "ready"
            except VPError as exc:
                say(sys.stderr, f"ERROR {exc}")
        store.close()
        return 0
    limit, seed = float(rest[0]), int(rest[1])
    deadline = time.monotonic() + limit
    stop = threading.Event()
    if mode == "soak":  # the test closes stdin once it has seen enough

        def until_stdin_closes() -> None:
            sys.stdin.read()
            stop.set()

        threading.Thread(target=until_stdin_closes, daemon=True).start()
    n = seed * 1_000_000
    count = 0
    while (count < limit) if mode == "create-sign" else (time.monotonic() < deadline):
        if stop.is_set():
            break
        n += 1
        count += 1
        try:
            create_and_sign(store, actor, password, n)
        except VPError as exc:
            say(sys.stderr, f"ERROR {exc}")
            if mode == "soak":
                time.sleep(0.2)  # the server is away: do not spin
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
