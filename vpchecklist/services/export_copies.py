"""One exported copy on its way to disk: read, rendered, staged, then audited and named.

A copy exists under its name only together with its ``export`` audit event:

* the bytes go to a private temporary file beside the target, created with
  ``O_CREAT|O_EXCL|O_NOFOLLOW`` and mode 0600 under a random name, so a file or symlink
  planted in the folder is never opened, followed or truncated;
* inside one database transaction each staged file is given its name (a hard link, which
  fails on an existing name, so a file already there is never replaced unless the caller asked
  to replace it) and its audit event is appended; if the transaction fails, the named files are
  removed again.

Rendering happens before the transaction, so the database's write lock is held only for the
inserts and renames. The same steps serve one copy, a bulk export and the worker processes of
``export_pool``.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import logging
import os
import secrets
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from vpchecklist.errors import VPError
from vpchecklist.export import pdf
from vpchecklist.local_zone import zone_id
from vpchecklist.services import audit, checklists, settings
from vpchecklist.services.actors import Actor
from vpchecklist.services.templates import template_by_hash
from vpchecklist.store import Store
from vpchecklist.store import events as event_chain
from vpchecklist.templates import Template

log = logging.getLogger(__name__)

#: Copies audited per transaction in a bulk export (each commit is one fsync).
BATCH = 25

_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
_CREATE |= getattr(os, "O_BINARY", 0)  # Windows: no newline translation
_ATTEMPTS = 8


class ExportError(VPError):
    """A copy that could not be written (folder missing, disk full, no permission)."""


class CopyExists(ExportError):
    """The target name is taken: an existing file is only replaced when asked to."""

    exit_code = 1

    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__(f"The file {path} already exists; it was left as it is.")


def pdf_name(checklist_id: int, day: date | None = None) -> str:
    """``VP-<id>-<yyyymmdd>.pdf``: the record and the (local) day the copy was made."""
    return f"VP-{checklist_id}-{(day or date.today()):%Y%m%d}.pdf"


@dataclass
class Staged:
    """A rendered copy in its private temporary file, waiting for its name and audit event."""

    partial: Path
    path: Path
    checklist_id: int | None
    detail: dict[str, Any]
    replace: bool = False


def check_target(path: Path, replace: bool) -> None:
    """Refuse early (before any rendering) a missing folder or a name already taken."""
    if not path.parent.is_dir():
        raise ExportError(f"The folder {path.parent} does not exist.")
    if not replace and os.path.lexists(path):
        raise CopyExists(path)


def _cannot_write(path: Path, exc: OSError) -> ExportError:
    return ExportError(f"The file {path} cannot be written: {exc.strerror or exc}.")


def _create_private(path: Path) -> tuple[int, Path]:
    """Open a new hidden file beside ``path``: never an existing name, never through a link."""
    for _ in range(_ATTEMPTS):
        partial = path.with_name(f".{path.name}.{secrets.token_hex(6)}.part")
        try:
            return os.open(partial, _CREATE, 0o600), partial
        except FileExistsError:
            continue  # something (perhaps planted) has that name: leave it alone
        except OSError as exc:
            raise _cannot_write(path, exc) from exc
    raise ExportError(f"The file {path} cannot be written: no free temporary name beside it.")


def stage(
    path: Path, data: bytes, checklist_id: int | None, replace: bool = False, **detail: Any
) -> Staged:
    """Write ``data`` to a private temporary file beside ``path``.

    The file is not fsynced on its own: the audit commit is the export's one durable write
    (and its floor). After a power cut in the seconds following an export the copy may be
    incomplete; ``verify`` then refuses it and a new export replaces it."""
    check_target(path, replace)
    fd, partial = _create_private(path)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
    except OSError as exc:
        with contextlib.suppress(OSError):
            partial.unlink()
        raise _cannot_write(path, exc) from exc
    detail["file"] = path.name
    detail["file_sha256"] = hashlib.sha256(data).hexdigest()
    return Staged(partial, path, checklist_id, detail, replace)


def discard(staged: Staged) -> None:
    with contextlib.suppress(OSError):
        staged.partial.unlink()


def _place(item: Staged) -> None:
    """Give the staged file its name. A hard link fails atomically on a taken name, so a file
    that appeared since ``check_target`` is still never replaced unless ``item.replace``."""
    if item.replace:
        os.replace(item.partial, item.path)
        return
    try:
        os.link(item.partial, item.path)
    except FileExistsError:
        raise CopyExists(item.path) from None
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
            raise
        # A file system without hard links: the last check and the rename are two steps.
        if os.path.lexists(item.path):
            raise CopyExists(item.path) from None
        os.rename(item.partial, item.path)
        return
    os.unlink(item.partial)


def commit(store: Store, actor: Actor, staged: list[Staged]) -> list[tuple[Staged, CopyExists]]:
    """Name every staged copy and append its ``export`` event, in one transaction.

    A copy whose name is taken is refused (audited as such, its temporary file removed) without
    failing the others; those refusals are returned. If the transaction fails, every named file
    of the batch is removed again and the error is raised.
    """
    placed: set[int] = set()  # ids of the items given their name
    refused: list[tuple[Staged, CopyExists]] = []
    try:
        with store.transaction():
            for item in staged:
                try:
                    _place(item)
                except CopyExists as error:
                    discard(item)
                    refused.append((item, error))
                    audit.record(
                        actor.username,
                        "export",
                        "refused",
                        checklist_id=item.checklist_id,
                        reason=str(error),
                    )
                except OSError as exc:
                    raise _cannot_write(item.path, exc) from exc
                else:
                    placed.add(id(item))
                    audit.record(
                        actor.username, "export", checklist_id=item.checklist_id, **item.detail
                    )
    except BaseException:
        for item in staged:
            with contextlib.suppress(OSError):
                (item.path if id(item) in placed else item.partial).unlink()
        raise
    return refused


def read_record(
    store: Store, actor: Actor, checklist_id: int, checked: bool = False
) -> tuple[dict[str, Any], Template]:
    """The record as ``checklists.detail`` shapes it (without a "view" event: an export is
    audited once, as ``export``) and the template it was made with, in one read.

    The role is checked once, as ``export`` (every role that may export may read), unless the
    caller has just checked it (``checked``: ``export_one`` inside its ``performing``)."""
    if not checked:
        audit.require(store, actor, "export", checklist_id)
    with store.reading():
        record = checklists.stored_detail(store, checklist_id)
        template = template_by_hash(record["template"]["hash"])
    return record, template


def page_marks(store: Store) -> dict[str, Any]:
    """Printed on every page: the audit chain's head when the copy was made (to compare with
    the external anchor), whether the database is a demo database, and the site's name."""
    with store.reading():
        head = event_chain.head()
    return {
        "chain_head": {"seq": head.seq, "hash": head.hash},
        "demo_database": store.is_demo,
        "site_name": settings.site_name(store),
    }


def render_pdf(store: Store, record: dict[str, Any], template: Template, paper: str) -> bytes:
    """The PDF of ``record``: the one rendering an export writes and ``verify`` re-derives
    (``store`` for what the database itself prints on every page: the demo mark, the chain
    head at export). The binding names the zone its local times are in (``local_zone``)."""
    return pdf.render({**record, **page_marks(store), "zone": zone_id()}, template, paper)


def render_copy(
    store: Store,
    actor: Actor,
    checklist_id: int,
    target: Path,
    paper: str,
    replace: bool,
    checked: bool = False,
) -> tuple[Staged, dict[str, Any]]:
    """Read and render one record and stage its PDF beside ``target`` (``checked``: the
    caller has checked the role for this very call, see ``read_record``)."""
    check_target(target, replace)
    record, template = read_record(store, actor, checklist_id, checked)
    data = render_pdf(store, record, template, paper)
    staged = stage(
        target,
        data,
        checklist_id,
        replace,
        format="pdf",
        paper=paper.upper(),
        record_hash=record["record_hash"],
        status=record["status"],
    )
    return staged, record


@dataclass
class BulkSummary:
    out_dir: Path
    fmt: str
    total: int
    written: list[Path] = field(default_factory=list)
    failed: list[tuple[int, str]] = field(default_factory=list)
    #: Copies not written because the folder already had a file of that name (kept as it was).
    kept: list[Path] = field(default_factory=list)
    cancelled: bool = False
    seconds: float = 0.0

    def text(self) -> str:
        """One sentence for the user: how many copies, where, what went wrong."""
        unit = {"csv": "CSV file", "fhir": "FHIR Bundle"}.get(self.fmt, "PDF")
        done = len(self.written)
        plural = "s" if done != 1 and self.fmt != "csv" else ""
        sentence = f"{done} {unit}{plural} written to {self.out_dir} in {self.seconds:.1f} s"
        if self.fmt != "csv":
            sentence += f" ({done} of {self.total} checklists)"
        if self.cancelled:
            sentence += "; cancelled before the end"
        if self.kept:
            sentence += (
                f"; {len(self.kept)} not written because a file of that name was already there "
                f"(first: {self.kept[0].name}), left as it was"
            )
        if self.failed:
            first_id, first_message = self.failed[0]
            sentence += (
                f"; {len(self.failed)} failed (first: checklist {first_id}: {first_message})"
            )
        return sentence + "."


CRASHED_TEXT = "the PDF could not be produced (see the log)"


class Batch:
    """Staged copies of a bulk export, committed ``BATCH`` at a time into ``summary``."""

    def __init__(self, store: Store, actor: Actor, summary: BulkSummary) -> None:
        self.store = store
        self.actor = actor
        self.summary = summary
        self.items: list[Staged] = []

    def add(self, staged: Staged) -> None:
        self.items.append(staged)
        if len(self.items) >= BATCH:
            self.flush()

    def refused(self, checklist_id: int, error: VPError, target: Path) -> None:
        """A copy refused before it was staged (no such record, name taken, …): audited."""
        audit.record_refusal(self.store, self.actor.username, "export", checklist_id, error)
        if isinstance(error, CopyExists):
            self.summary.kept.append(target)
        else:
            self.summary.failed.append((checklist_id, str(error)))

    def crashed(self, checklist_id: int) -> None:
        """A record that could not be rendered (the traceback is in the log)."""
        self.summary.failed.append((checklist_id, CRASHED_TEXT))

    def flush(self) -> None:
        items, self.items = self.items, []
        if not items:
            return
        try:
            refused = commit(self.store, self.actor, items)
        except (VPError, OSError) as error:
            self.summary.failed.extend((item.checklist_id or 0, str(error)) for item in items)
            return
        taken = {id(item) for item, _ in refused}
        self.summary.written.extend(item.path for item in items if id(item) not in taken)
        self.summary.kept.extend(item.path for item, _ in refused)
