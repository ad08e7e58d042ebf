"""Stop-gap for a PySide6 6.12 defect on Python < 3.12: wrapped Qt methods that return nothing
hand back ``None`` without taking a reference, so every such call drops None's reference count
by one. After roughly 5,000 calls (one checklist walk-through) CPython aborts with
"none_dealloc: deallocating None" and the nurse loses the window.

Python 3.12 made None immortal (PEP 683), which is why the bindings no longer count it. Until
the venv moves to Python >= 3.12 or to a PySide6 build that counts None again, we do what 3.12
does: give None (and True/False, for safety) a reference count that can never reach zero.
The app shell should call this at start-up; ChecklistPage calls it too, so it is safe however
it is embedded.
"""

from __future__ import annotations

import ctypes
import sys

_IMMORTAL = 1 << 40  # far more than any process makes calls; still a valid Py_ssize_t
_done = False


def make_singletons_immortal() -> None:
    global _done
    if _done or sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return
    for singleton in (None, True, False):
        # ob_refcnt is the first field of every CPython object (a Py_ssize_t).
        refcount = ctypes.c_ssize_t.from_address(id(singleton))
        refcount.value += _IMMORTAL
    _done = True
