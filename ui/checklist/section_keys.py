"""Ctrl+→ / Ctrl+← change section wherever the focus is on the page, text fields included;
Tab / Shift+Tab walk the items (``tab_walk``) instead of Qt's chain through the page chrome.

A text field claims Ctrl+arrows for itself (word by word) through a "shortcut override", so a
plain ``QShortcut`` never fires while the cursor is in one. Here each focused widget of the
page gets a small filter that declines that override for the two keys, and the shortcuts
(window context) then fire as anywhere else on the page.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication, QWidget

KEYS = {Qt.Key.Key_Right: "next", Qt.Key.Key_Left: "previous"}


class SectionKeys(QObject):
    def __init__(
        self,
        page: QWidget,
        next_section: Callable[[], None],
        previous: Callable[[], None],
        tab_walk: Callable[[bool], bool] | None = None,
    ) -> None:
        super().__init__(page)
        self.page = page
        self.tab_walk = tab_walk
        for keys, action in (("Ctrl+Right", next_section), ("Ctrl+Left", previous)):
            shortcut = QShortcut(QKeySequence(keys), page)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(action)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._focus_changed)

    def _focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        if new is not None and self.page.isAncestorOf(new):
            new.installEventFilter(self)  # installing twice keeps one filter

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        if (
            self.tab_walk is not None
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab)
            and not event.modifiers() & Qt.KeyboardModifier.ControlModifier
        ):
            forward = event.key() == Qt.Key.Key_Tab and not (
                event.modifiers() & Qt.KeyboardModifier.ShiftModifier
            )
            return self.tab_walk(forward)
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and event.key() in KEYS
            and event.modifiers() == Qt.KeyboardModifier.ControlModifier
        ):
            event.ignore()  # not the field's: let the section shortcut have it
            return True
        return False
