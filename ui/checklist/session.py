"""One open checklist as the page sees it: the service calls, their errors as plain sentences.

Every nurse action goes through exactly one service call here; the page never touches the
store itself. Failures come back as a sentence to show next to the input, never a traceback
(the traceback goes to the log).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from ui.operations import Operation, run_in_background
from vpchecklist.errors import ConnectionLost, ReviewOutdated, ValidationError, VPError
from vpchecklist.rules.evaluation import Evaluation
from vpchecklist.services import checklists, signing, templates, wristband
from vpchecklist.services.actors import Actor
from vpchecklist.services.retries import RetryNotice, new_request_id
from vpchecklist.store import Store
from vpchecklist.templates import Template

log = logging.getLogger(__name__)

UNEXPECTED = "Something went wrong and nothing was saved. Please try again; details are in the log."
CHANGED_SINCE_REVIEW = (
    "The checklist changed since you reviewed it (saved from another workstation), so nothing "
    "was signed. The review now shows the current answers: check them, then sign again."
)


def plain(error: VPError) -> str:
    """The sentence a nurse reads: without the item id the core prefixes for the CLI."""
    text = error.message if isinstance(error, ValidationError) else str(error)
    return text[:1].upper() + text[1:] if text else "That was not accepted."


class ChecklistSession(QObject):
    """Holds the checklist's template, latest evaluation and detail; emits after each change."""

    evaluated = Signal(object)  # Evaluation after any successful change
    status_changed = Signal(str)  # "signed" / "postponed" after a signature
    #: The sentence a nurse reads while a signature is retried after the database server
    #: dropped the connection (emitted from the signing thread, shown by the sign box).
    signature_retrying = Signal(str)

    def __init__(
        self, store: Store, actor: Actor, checklist_id: int, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.actor = actor
        self.checklist_id = checklist_id
        #: The last change failed because the server could not be reached (after its retries):
        #: what the nurse entered stays on screen, unsaved, for another try.
        self.connection_lost = False
        # The one audited read: a person opened the record. Later re-reads are internal.
        self.detail: dict[str, Any] = checklists.detail(store, actor, checklist_id)
        self.template: Template = checklists.template_for(store, actor, checklist_id)
        self.evaluation: Evaluation = checklists.evaluation(store, actor, checklist_id)
        #: For a draft on another template version than the active one: it continues on its own.
        self.template_note = ""
        if self.status == "draft":
            with store.reading():
                self.template_note = templates.continues_on(self.template) or ""

    @property
    def status(self) -> str:
        return str(self.detail["status"])

    @property
    def read_only(self) -> bool:
        return self.status != "draft"

    def stored_value(self, item_id: str) -> Any:
        return self.evaluation.answers.get(item_id)

    def refresh_detail(self) -> str | None:
        """Re-read acknowledgements, signatures and addenda (e.g. for the review page)."""
        return self._run(self._refresh_detail)

    def _refresh_detail(self) -> None:
        self.detail = checklists.detail(self.store, self.actor, self.checklist_id, audited=False)

    # -- the verbs -------------------------------------------------------------------------
    def answer(self, item_id: str, value: Any, notice: RetryNotice | None = None) -> str | None:
        """Save an answer; ``notice`` shows the retry sentence if the server drops the
        connection meanwhile (the services retry; each save has its own request id)."""
        return self._change(
            checklists.answer, item_id, value, request_id=new_request_id(), notice=notice
        )

    def mark_na(self, item_id: str, reason: str, notice: RetryNotice | None = None) -> str | None:
        return self._change(
            checklists.mark_na, item_id, reason, request_id=new_request_id(), notice=notice
        )

    def clear(self, item_id: str) -> str | None:
        return self._change(checklists.clear_answer, item_id)

    def scan_wristband(self, code: str) -> tuple[str | None, str]:
        """(error, hard stop): the scanned code answered the wristband check; ``hard stop`` is
        the sentence naming both MRNs when the wristband is another patient's."""
        stops: list[str] = []

        def run() -> None:
            result = wristband.scan(self.store, self.actor, self.checklist_id, code)
            self.evaluation = result.evaluation
            stops.append(result.message)

        error = self._run(run)
        if error is None:
            self.evaluated.emit(self.evaluation)
        return error, (stops[0] if stops else "")

    def acknowledge(self, item_id: str, reason: str, physician: str) -> str | None:
        return self._change(checklists.acknowledge, item_id, reason, physician)

    def sign(
        self,
        password: str,
        meaning: str,
        reason: str | None,
        done: Callable[[str | None], None],
        parent: QWidget | None = None,
        reviewed: str | None = None,
    ) -> Operation:
        """Check the password and sign on a worker thread (the password hash is slow on
        purpose, and the window must not freeze meanwhile); ``done(error or None)`` is called
        on the UI thread afterwards. ``reviewed`` is the content hash of the review shown:
        if the record changed since, nothing is signed and the session reloads it."""
        store, actor, checklist_id = self.store, self.actor, self.checklist_id
        request_id = new_request_id()  # one per signature, kept across its retries

        def work() -> None:
            signing.sign(
                store,
                actor,
                checklist_id,
                password,
                meaning,
                reason or None,
                expect=reviewed,
                request_id=request_id,
                notice=self.signature_retrying.emit,
            )

        def signed(error: str | None) -> None:
            if error is None:
                self.status_changed.emit(self.status)
            done(error)

        return self._signature_in_background(work, self._after_signature, signed, parent)

    def add_addendum(
        self,
        text: str,
        password: str,
        done: Callable[[str | None], None],
        parent: QWidget | None = None,
    ) -> Operation:
        """Sign an addendum on a worker thread (the same slow password check as signing);
        ``done(error or None)`` on the UI thread afterwards."""
        store, actor, checklist_id = self.store, self.actor, self.checklist_id
        request_id = new_request_id()

        def work() -> None:
            signing.add_addendum(
                store,
                actor,
                checklist_id,
                text,
                password,
                request_id=request_id,
                notice=self.signature_retrying.emit,
            )

        return self._signature_in_background(work, self._refresh_detail, done, parent)

    # -- plumbing --------------------------------------------------------------------------
    def _signature_in_background(
        self,
        work: Callable[[], None],
        after: Callable[[], None],
        done: Callable[[str | None], None],
        parent: QWidget | None,
    ) -> Operation:
        """Run a signing verb off the UI thread, then ``after()`` (re-reads) on it; ``done``
        gets the sentence to show, or None."""

        def succeeded(_result: None) -> None:
            done(self._run(after))

        def failed(error: BaseException) -> None:
            if isinstance(error, ReviewOutdated):  # show what is there now, then say why
                reloaded = self._run(self._after_signature)
                if reloaded is None:
                    self.evaluated.emit(self.evaluation)
                done(reloaded or CHANGED_SINCE_REVIEW)
                return
            done(plain(error) if isinstance(error, VPError) else UNEXPECTED)

        return run_in_background(
            work, succeeded, parent=parent, on_failure=failed, store=self.store
        )

    def _after_signature(self) -> None:
        self._refresh_detail()
        self.evaluation = checklists.evaluation(self.store, self.actor, self.checklist_id)

    def _change(self, verb: Callable[..., Evaluation], *args: Any, **kwargs: Any) -> str | None:
        def run() -> None:
            self.evaluation = verb(self.store, self.actor, self.checklist_id, *args, **kwargs)

        error = self._run(run)
        if error is None:
            self.evaluated.emit(self.evaluation)
        return error

    def _run(self, action: Callable[[], None]) -> str | None:
        self.connection_lost = False
        try:
            action()
        except VPError as error:
            self.connection_lost = isinstance(error, ConnectionLost)
            return plain(error)
        except Exception:  # the UI must stay usable; the traceback is for the log only
            log.exception("checklist %s: unexpected failure", self.checklist_id)
            return UNEXPECTED
        return None
