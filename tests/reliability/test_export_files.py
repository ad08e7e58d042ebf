"""Issue 12, finding 9 and "Files": an export never writes through a planted link, never
replaces a file without being asked, and leaves only private (0600) complete files.

Each test plants what an attacker with write access to the export folder would (a symlink
named like the hidden temporary file or like the copy itself, a file already at the name) and
checks the victim's bytes, the folder and the audit trail afterwards.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from reliability_support import PASSWORDS, cli, create_signed, seed_users

from vpchecklist.services import audit, exports
from vpchecklist.services import export_copies as copies
from vpchecklist.services.exports import CopyExists, pdf_name
from vpchecklist.store import Store

VICTIM_BYTES = b"the victim's own content\n"


@pytest.fixture
def world(store: Store, tmp_path: Path):  # type: ignore[no-untyped-def]
    people = seed_users(store, ["nurse", "auditor"])
    signed = [create_signed(store, people["nurse"], PASSWORDS["nurse"], n) for n in (1, 2, 3)]
    folder = tmp_path / "exports"
    folder.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_bytes(VICTIM_BYTES)
    return store, people["auditor"], signed, folder, victim


@pytest.fixture
def permissive_umask() -> Iterator[None]:
    old = os.umask(0o000)
    yield
    os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def export_events(store: Store, actor, outcome: str) -> list[dict]:  # type: ignore[no-untyped-def]
    return [
        e for e in audit.events(store, actor) if e["action"] == "export" and e["outcome"] == outcome
    ]


def test_a_planted_part_symlink_is_never_followed(world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    store, auditor, signed, folder, victim = world
    target = folder / pdf_name(signed[0])
    # The name older versions used, and the first random name this export will try.
    (folder / f".{target.name}.part").symlink_to(victim)
    tokens = iter(["aaaaaaaaaaaa", "bbbbbbbbbbbb"])
    monkeypatch.setattr(copies.secrets, "token_hex", lambda n: next(tokens))
    planted = folder / f".{target.name}.aaaaaaaaaaaa.part"
    planted.symlink_to(victim)

    result = exports.export_one(store, auditor, signed[0], target)

    assert victim.read_bytes() == VICTIM_BYTES
    assert planted.is_symlink() and os.readlink(planted) == str(victim)  # left alone
    assert result.path == target and target.read_bytes()[:5] == b"%PDF-"
    assert not target.is_symlink()
    assert not list(folder.glob(f".{target.name}.bbbbbbbbbbbb.part"))  # renamed, not left


def test_a_folder_full_of_planted_names_fails_cleanly(world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    store, auditor, signed, folder, victim = world
    target = folder / pdf_name(signed[0])
    monkeypatch.setattr(copies.secrets, "token_hex", lambda n: "cccccccccccc")
    (folder / f".{target.name}.cccccccccccc.part").symlink_to(victim)

    with pytest.raises(exports.ExportError, match="cannot be written"):
        exports.export_one(store, auditor, signed[0], target)

    assert victim.read_bytes() == VICTIM_BYTES
    assert not target.exists()
    assert not export_events(store, auditor, "ok")
    assert export_events(store, auditor, "refused")


def test_a_symlink_at_the_copy_name_is_refused_and_replaced_only_when_asked(world) -> None:  # type: ignore[no-untyped-def]
    store, auditor, signed, folder, victim = world
    target = folder / pdf_name(signed[0])
    target.symlink_to(victim)

    with pytest.raises(CopyExists):
        exports.export_one(store, auditor, signed[0], target)
    assert target.is_symlink() and victim.read_bytes() == VICTIM_BYTES

    exports.export_one(store, auditor, signed[0], target, replace=True)
    assert not target.is_symlink() and target.read_bytes()[:5] == b"%PDF-"
    assert victim.read_bytes() == VICTIM_BYTES  # the link was replaced, not written through


def test_an_existing_copy_is_never_replaced_without_being_asked(world) -> None:  # type: ignore[no-untyped-def]
    store, auditor, signed, folder, _ = world
    target = folder / pdf_name(signed[0])
    target.write_bytes(b"an earlier copy")

    with pytest.raises(CopyExists, match="already exists"):
        exports.export_one(store, auditor, signed[0], target)
    assert target.read_bytes() == b"an earlier copy"
    refused = export_events(store, auditor, "refused")
    assert refused and "already exists" in refused[-1]["detail"]["reason"]
    assert sorted(p.name for p in folder.iterdir()) == [target.name]  # no temporary left

    result = exports.export_one(store, auditor, signed[0], target, replace=True)
    assert target.read_bytes()[:5] == b"%PDF-"
    assert export_events(store, auditor, "ok")[-1]["detail"]["file_sha256"] == result.file_sha256


def test_a_file_appearing_while_rendering_is_not_replaced(world) -> None:  # type: ignore[no-untyped-def]
    """The last check and the naming are one step (a hard link fails on a taken name)."""
    store, auditor, signed, folder, _ = world
    target = folder / pdf_name(signed[0])
    staged, _ = copies.render_copy(store, auditor, signed[0], target, "A4", replace=False)
    target.write_bytes(b"written by someone else meanwhile")

    refused = copies.commit(store, auditor, [staged])

    assert [item.path for item, _ in refused] == [target]
    assert target.read_bytes() == b"written by someone else meanwhile"
    assert sorted(p.name for p in folder.iterdir()) == [target.name]
    assert not export_events(store, auditor, "ok")
    assert export_events(store, auditor, "refused")


def test_copies_are_private_even_under_a_permissive_umask(world, permissive_umask) -> None:  # type: ignore[no-untyped-def]
    store, auditor, signed, folder, _ = world
    one = exports.export_one(store, auditor, signed[0], folder / "one.pdf")
    bulk = exports.export_bulk(store, auditor, None, folder / "bulk", "pdf", workers=1)
    pool = exports.export_bulk(store, auditor, None, folder / "pool", "pdf", workers=2)
    table = exports.export_bulk(store, auditor, None, folder / "csv", "csv")
    written = [one.path, *bulk.written, *pool.written, *table.written]
    assert len(written) == 1 + 3 + 3 + 1
    assert {path: mode(path) for path in written} == {path: 0o600 for path in written}


@pytest.mark.parametrize("workers", [1, 2])
def test_a_bulk_export_keeps_what_is_there_and_writes_the_rest(world, workers) -> None:  # type: ignore[no-untyped-def]
    store, auditor, signed, folder, victim = world
    taken = folder / pdf_name(signed[1])
    taken.write_bytes(b"an earlier copy")
    linked = folder / pdf_name(signed[2])
    linked.symlink_to(victim)

    summary = exports.export_bulk(store, auditor, None, folder, "pdf", workers=workers)

    assert summary.written == [folder / pdf_name(signed[0])]
    assert sorted(summary.kept) == sorted([taken, linked])
    assert not summary.failed
    assert "2 not written because a file of that name was already there" in summary.text()
    assert taken.read_bytes() == b"an earlier copy" and victim.read_bytes() == VICTIM_BYTES
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        pdf_name(cid) for cid in signed
    )  # no temporary file left behind
    assert len(export_events(store, auditor, "ok")) == 1
    assert len(export_events(store, auditor, "refused")) == 2

    again = exports.export_bulk(store, auditor, None, folder, "pdf", workers=workers, replace=True)
    assert len(again.written) == 3 and not again.kept
    assert taken.read_bytes()[:5] == b"%PDF-" and victim.read_bytes() == VICTIM_BYTES


def test_the_app_can_ask_which_copies_are_already_there(world) -> None:  # type: ignore[no-untyped-def]
    _, _, signed, folder, _ = world
    (folder / pdf_name(signed[1])).write_bytes(b"x")
    (folder / "VP-99-19990101.pdf").write_bytes(b"another day")
    assert exports.existing_copies(folder, signed) == [folder / pdf_name(signed[1])]
    assert exports.existing_copies(folder) == [folder / pdf_name(signed[1])]


def test_the_cli_refuses_an_existing_file_and_replaces_it_with_force(world, db_path) -> None:  # type: ignore[no-untyped-def]
    store, _, signed, folder, _ = world
    db = db_path
    store.close()
    target = folder / "copy.pdf"
    target.write_bytes(b"an earlier copy")
    args = ("export", str(signed[0]), "--out", str(target), "--user", "auditor")
    stdin = PASSWORDS["auditor"] + "\n"

    refused = cli(db, *args, "--password-stdin", stdin=stdin)
    assert refused.returncode == 1, refused
    assert "already exists" in refused.stderr and "--force" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    assert target.read_bytes() == b"an earlier copy"

    forced = cli(db, *args, "--password-stdin", "--force", stdin=stdin)
    assert forced.returncode == 0, forced
    assert target.read_bytes()[:5] == b"%PDF-" and mode(target) == 0o600

    bulk = cli(
        db, "export", "--out", str(folder), "--user", "auditor", "--password-stdin", stdin=stdin
    )
    assert bulk.returncode == 0, bulk
    again = cli(
        db, "export", "--out", str(folder), "--user", "auditor", "--password-stdin", stdin=stdin
    )
    assert again.returncode == 1 and "--force" in again.stderr


def test_a_worker_process_dying_mid_export_leaves_complete_audited_files(world) -> None:  # type: ignore[no-untyped-def]
    """A render worker killed half-way: the rest is rendered in this process; every file in
    the folder is complete and audited, and no temporary file is left behind."""
    store, auditor, signed, folder, _ = world
    killed: list[int] = []

    def progress(done: int, total: int) -> None:
        if not killed:
            for child in multiprocessing.active_children():
                if child.pid is not None:
                    os.kill(child.pid, signal.SIGKILL)
                    killed.append(child.pid)
                    break

    summary = exports.export_bulk(
        store, auditor, None, folder, "pdf", progress_cb=progress, checklist_ids=signed, workers=2
    )

    assert killed
    names = sorted(p.name for p in folder.iterdir())
    assert names == sorted(pdf_name(cid) for cid in signed), names  # no .part left
    assert sorted(summary.written) == sorted(folder / pdf_name(cid) for cid in signed)
    ok = export_events(store, auditor, "ok")
    assert sorted(e["detail"]["file"] for e in ok) == names
