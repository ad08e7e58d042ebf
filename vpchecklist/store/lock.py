"""The database's lock file: every open store holds it shared, ``restore`` needs it alone.

SQLite's own locks are per transaction; replacing the file needs to know that nobody has it
open at all (the app keeps it open all day). ``flock`` on ``<database>-lock`` gives exactly
that, and the kernel drops the lock when a process dies. On a system without ``fcntl`` the lock
is not taken (documented in the README).
"""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path

from vpchecklist.errors import StorageError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]


#: How long opening a database waits for a restore in progress to finish.
WAIT_S = 60.0
#: Databases this process holds exclusively (a restore): its own stores skip the shared lock.
_held_exclusively: set[str] = set()


def lock_path(database: Path) -> Path:
    return Path(f"{database}-lock")


def _key(database: Path) -> str:
    return str(database.expanduser().resolve())


class FileLock:
    """A held lock on a database's lock file; ``release`` (or process exit) frees it."""

    def __init__(self, fd: int | None, key: str | None = None) -> None:
        self._fd = fd
        self._key = key

    @classmethod
    def shared(cls, database: Path) -> FileLock:
        """Taken by every open store; waits only while a restore holds it exclusively."""
        if _key(database) in _held_exclusively:
            return cls(None)
        return cls._take(database, exclusive=False, wait=True)

    @classmethod
    def exclusive(cls, database: Path) -> FileLock | None:
        """None when another process (or another store of this one) has the database open."""
        lock = cls._take(database, exclusive=True, wait=False)
        if lock._fd is None and fcntl is not None:
            return None
        lock._key = _key(database)
        _held_exclusively.add(lock._key)
        return lock

    @classmethod
    def _take(cls, database: Path, exclusive: bool, wait: bool) -> FileLock:
        if fcntl is None:
            return cls(None)
        old_umask = os.umask(0o077)
        try:
            fd = os.open(lock_path(database), os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
        except OSError:
            return cls(None)  # a read-only folder: nothing can be restored into it either
        finally:
            os.umask(old_umask)
        mode = (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB
        deadline = time.monotonic() + (WAIT_S if wait else 0)
        while True:
            try:
                fcntl.flock(fd, mode)
                return cls(fd)
            except OSError:
                if time.monotonic() >= deadline:
                    os.close(fd)
                    if wait:
                        raise StorageError(
                            f"The database {database} is being restored by another program; "
                            "try again when it has finished."
                        ) from None
                    return cls(None)
                time.sleep(0.05)

    def release(self) -> None:
        if self._key is not None:
            _held_exclusively.discard(self._key)
            self._key = None
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = None
