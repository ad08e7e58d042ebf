"""The nurse's view of a dropped server connection (issue 14), on a real PostgreSQL server.

The workstation's session is ended (``pg_terminate_backend``) while an answer is being saved:
the item says so in one sentence, the save is retried and lands once. When every attempt
fails, the answer stays on screen with the sentence — unsaved, never silently lost — and is
saved when the nurse gives it again after the server is back.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from tests.conftest import PASSWORDS
from tests.documents import LUMBAR_ANSWERS
from tests.postgres_cluster import PostgresCluster
from ui.checklist import ChecklistPage
from vpchecklist.services import checklists
from vpchecklist.services.actors import Actor
from vpchecklist.services.retries import failed_sentence, retrying_sentence
from vpchecklist.store import Store
from vpchecklist.store.models import Answer, AnswerHistory, Checklist, Signature
from vpchecklist.templates import default_template

pytestmark = pytest.mark.postgresql_only

ITEM = "identity.procedure_confirmed"
#: Advisory-lock key only this test uses: a test trigger makes each answer save wait on it
#: inside its transaction, so the session is ended mid-save every time.
HOLD_KEY = 1415


def hold_writes(cluster: PostgresCluster, dbname: str, table: str = "answer_history") -> None:
    """Test-only: each new ``table`` row waits for the test's advisory lock, inside its
    transaction, so the session can be ended mid-save every time."""
    cluster.psql(
        "CREATE FUNCTION test_hold() RETURNS trigger LANGUAGE plpgsql AS "
        f"$$ BEGIN PERFORM pg_advisory_xact_lock_shared({HOLD_KEY}); RETURN NEW; END $$",
        db=dbname,
    )
    cluster.psql(
        f'CREATE TRIGGER test_hold AFTER INSERT ON "{table}" FOR EACH ROW '
        "EXECUTE FUNCTION test_hold()",
        db=dbname,
    )


def held_write(cluster: PostgresCluster, dbname: str, table: str) -> int:
    """The session whose INSERT into ``table`` waits on the test's lock (transaction open)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        rows = cluster.psql(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND wait_event = 'advisory' "
            "AND xact_start IS NOT NULL AND query ILIKE %s",
            db=dbname,
            params=(dbname, f"%INSERT INTO%{table}%"),
        )
        if rows:
            return int(rows[0][0])
        time.sleep(0.02)
    raise AssertionError(f"no write into {table} reached the test's lock")


class Saboteur(threading.Thread):
    """Ends the session of the next ``times`` held answer saves, reading what the item shows
    meanwhile (the UI thread is inside the save), then lets the saves through."""

    def __init__(self, cluster: PostgresCluster, dbname: str, page: QWidget, times: int) -> None:
        super().__init__(daemon=True)
        self.cluster, self.dbname, self.page, self.times = cluster, dbname, page, times
        self.holder = cluster.connect(dbname)
        self.holder.execute("SELECT pg_advisory_lock(%s)", (HOLD_KEY,))
        self.shown: list[str] = []
        self.error: BaseException | None = None

    def item_says(self) -> str:
        label = self.page.findChild(QWidget, f"{ITEM}.error")
        return label.text() if label is not None and label.isVisible() else ""  # type: ignore[attr-defined]

    def run(self) -> None:
        try:
            for _ in range(self.times):
                pid = held_write(self.cluster, self.dbname, "answer_history")
                self.cluster.psql("SELECT pg_terminate_backend(%s)", params=(pid,))
                deadline = time.monotonic() + 10
                while not self.item_says() and time.monotonic() < deadline:
                    time.sleep(0.01)
                self.shown.append(self.item_says())
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            self.error = exc
        finally:
            self.holder.execute("SELECT pg_advisory_unlock(%s)", (HOLD_KEY,))
            self.holder.close()


def stored_answer(store: Store, cid: int) -> Any:
    with store.reading():
        row = Answer.get_or_none(Answer.checklist == cid, Answer.item_id == ITEM)
        saves = AnswerHistory.select().where(
            AnswerHistory.checklist == cid, AnswerHistory.item_id == ITEM
        )
        return (row.value if row else None), saves.count()


@pytest.fixture
def page(qtbot: Any, store: Store, actors: dict[str, Actor]) -> tuple[ChecklistPage, int]:
    raw = {
        "patient": {"name": "Ada Example", "date_of_birth": "1948-03-02", "mrn": "MRN-1415"},
        "levels": ["L2"],
        "planned_start": "2026-11-25T10:00",
        "physician": "Dr Amara Okafor",
    }
    header = checklists.parse_header(raw, default_template())
    cid = checklists.start_checklist(store, actors["nurse"], header)
    view = ChecklistPage(store, actors["nurse"], cid)
    qtbot.addWidget(view)
    view.resize(1280, 800)
    view.show()
    qtbot.waitExposed(view)
    return view, cid


def press_yes(qtbot: Any, view: QWidget) -> Any:
    button = view.findChild(QWidget, f"{ITEM}.yes")
    assert button is not None and button.isVisible()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    return button


def test_a_dropped_connection_during_an_answer_is_said_and_the_answer_saved_once(
    qtbot: Any, store: Store, postgres_cluster: PostgresCluster, page: Any
) -> None:
    view, cid = page
    assert store.target is not None
    hold_writes(postgres_cluster, store.target.dbname)
    saboteur = Saboteur(postgres_cluster, store.target.dbname, view, times=1)
    saboteur.start()
    button = press_yes(qtbot, view)  # returns once the retried save is done
    saboteur.join(timeout=30)
    assert saboteur.error is None, saboteur.error
    assert saboteur.shown == [retrying_sentence("answer")]
    assert stored_answer(store, cid) == ('"yes"', 1)
    assert button.isChecked()
    label = view.findChild(QWidget, f"{ITEM}.error")
    assert label is None or not label.isVisible()  # saved: the sentence is gone


def test_when_every_retry_fails_the_answer_stays_on_screen_unsaved_then_saves(
    qtbot: Any, store: Store, postgres_cluster: PostgresCluster, page: Any
) -> None:
    view, cid = page
    assert store.target is not None
    hold_writes(postgres_cluster, store.target.dbname)
    saboteur = Saboteur(postgres_cluster, store.target.dbname, view, times=3)
    saboteur.start()
    button = press_yes(qtbot, view)
    saboteur.join(timeout=30)
    assert saboteur.error is None, saboteur.error
    label = view.findChild(QWidget, f"{ITEM}.error")
    assert label is not None and label.isVisible()
    assert label.text() == failed_sentence("answer")  # type: ignore[attr-defined]
    assert "Traceback" not in label.text()  # type: ignore[attr-defined]
    assert button.isChecked()  # what the nurse gave is still there …
    assert stored_answer(store, cid) == (None, 0)  # … and honestly not saved
    press_yes(qtbot, view)  # the server answers again: the nurse gives it once more
    assert stored_answer(store, cid) == ('"yes"', 1)
    assert not label.isVisible()


def test_a_dropped_connection_while_signing_is_said_and_the_record_signed_once(
    qtbot: Any, store: Store, postgres_cluster: PostgresCluster, actors: dict[str, Actor]
) -> None:
    nurse = actors["nurse"]
    doc = {
        "patient": {"name": "Ada Example", "date_of_birth": "1948-03-02", "mrn": "MRN-1416"},
        "levels": ["L2"],
        "planned_start": "2026-03-10T10:00",
        "physician": "Dr A. Radiologist",
        "answers": dict(LUMBAR_ANSWERS),
        "acknowledgements": {},
    }
    cid = checklists.create_from_document(store, nurse, doc)
    view = ChecklistPage(store, nurse, cid)
    qtbot.addWidget(view)
    view.resize(1280, 800)
    view.show()
    qtbot.waitExposed(view)
    qtbot.mouseClick(view.findChild(QWidget, "checklist.review"), Qt.MouseButton.LeftButton)
    assert store.target is not None
    dbname = store.target.dbname
    hold_writes(postgres_cluster, dbname, "signature")
    with postgres_cluster.superuser(dbname) as holder:
        holder.execute("SELECT pg_advisory_lock(%s)", (HOLD_KEY,))
        field = view.findChild(QWidget, "sign.password")
        field.setFocus()
        qtbot.keyClicks(field, PASSWORDS["nurse"])
        submit = view.findChild(QWidget, "sign.submit")
        qtbot.mouseClick(submit, Qt.MouseButton.LeftButton)  # signs on a worker thread
        pid = held_write(postgres_cluster, dbname, "signature")
        postgres_cluster.psql("SELECT pg_terminate_backend(%s)", params=(pid,))
        error = view.findChild(QWidget, "sign.error")
        sentence = retrying_sentence("signature")
        qtbot.waitUntil(lambda: error.isVisible() and error.text() == sentence, timeout=10_000)
        holder.execute("SELECT pg_advisory_unlock(%s)", (HOLD_KEY,))
    qtbot.waitUntil(lambda: "Signing" not in submit.text(), timeout=30_000)
    assert not error.isVisible()
    with store.reading():
        assert Signature.select().where(Signature.checklist == cid).count() == 1
        assert Checklist.get_by_id(cid).status == "signed"
