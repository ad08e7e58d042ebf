"""When Qt cannot open a window — no display, or a system library of its X11 plugin missing — it
prints five lines of jargon and aborts the process with a core dump. Qt's start-up messages
are caught here instead: on that fatal message the user reads one plain sentence naming what is
missing and the README section that explains it, and the process exits with status 1."""

from __future__ import annotations

import ctypes
import logging
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QMessageLogContext, QtMsgType, qInstallMessageHandler
from PySide6.QtWidgets import QApplication

log = logging.getLogger(__name__)

README_SECTION = "Linux: display and system libraries"

#: The Debian package of each library Qt's X11 plugin loads (the list `.ci/run` installs).
DEBIAN_PACKAGES = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-xinerama.so.0": "libxcb-xinerama0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libOpenGL.so.0": "libopengl0",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libdbus-1.so.3": "libdbus-1-3",
    "libglib-2.0.so.0": "libglib2.0-0",
}


def start_application(create: Callable[[], QApplication]) -> QApplication:
    """``create()`` the application with Qt's start-up messages caught: a fatal one ends the
    process with a plain sentence on stderr (exit 1); other messages go to the log."""
    messages: list[str] = []

    def handler(mode: QtMsgType, context: QMessageLogContext, message: str) -> None:
        text = f"{context.category}: {message}" if context.category else message
        if mode != QtMsgType.QtFatalMsg:
            messages.append(text)
            return
        log.error("Qt could not start: %s", " | ".join([*messages, text]))
        print(explain([*messages, text], dict(os.environ)), file=sys.stderr, flush=True)
        logging.shutdown()
        os._exit(1)  # Qt would abort() right after this handler returns

    previous = qInstallMessageHandler(handler)
    try:
        app = create()
    finally:
        qInstallMessageHandler(previous)
    for text in messages:
        log.warning("Qt at start-up: %s", text)
    return app


def explain(messages: list[str], environ: dict[str, str]) -> str:
    """One sentence for the user from Qt's messages, naming what is missing."""
    joined = "\n".join(messages)
    if "could not connect to display" in joined:
        display = environ.get("DISPLAY")
        reason = (
            f"the display {display} cannot be reached"
            if display
            else "no display was found (DISPLAY is not set)"
        )
    elif (library := missing_xcb_library()) is not None:
        package = DEBIAN_PACKAGES.get(library)
        reason = f"the system library {library} is missing" + (
            f" (Debian package {package})" if package else ""
        )
    else:
        found = re.search(r'platform plugin "([^"]+)"', joined)
        plugin = found.group(1) if found else "platform"
        reason = f'Qt\'s "{plugin}" display plugin could not start (details are in the log)'
    return f'VP Checklist cannot open its window: {reason}. See "{README_SECTION}" in the README.'


def missing_xcb_library() -> str | None:
    """The first library the X11 plugin cannot load, as the dynamic loader names it; None when
    the plugin loads (or does not exist on this system)."""
    plugins = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath))
    plugin = plugins / "platforms" / "libqxcb.so"
    if not plugin.exists():
        return None
    try:
        ctypes.CDLL(str(plugin))
    except OSError as error:
        # "libxcb-cursor.so.0: cannot open shared object file: No such file or directory"
        name = Path(str(error).split(":", 1)[0]).name
        return None if name == plugin.name else name
    return None
