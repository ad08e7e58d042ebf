"""Look and feel of the checklist page: sizes and colours used from code.

The rules themselves are in resources/style.qss (object-name and property selectors), applied
once by the app: a page-level ``setStyleSheet`` re-styles every widget of the page and cost
~100 ms per opened checklist. Keep the colours below in step with that file.
"""

from __future__ import annotations

import contextlib

from PySide6.QtWidgets import QApplication, QWidget

from vpchecklist.resources import resources_dir

#: Minimum height of anything a gloved finger has to hit (issue 7: touch targets >= 40 px).
TOUCH = 44

#: Row colours of the review table (rich text cannot use the style sheet's selectors).
WARNING_BG = "#fff4e0"
STOP_BG = "#fdecea"


def ensure_app_style(widget: QWidget) -> None:
    """The page's look lives in the app's style sheet (resources/style.qss), set once on the
    ``QApplication``. A page shown under a bare application (an embedding test, a tool) gets
    that sheet on itself instead, so touch sizes and severity colours hold there too."""
    app = QApplication.instance()
    if isinstance(app, QApplication) and app.styleSheet():
        return
    with contextlib.suppress(OSError):  # no sheet installed: the platform style still works
        widget.setStyleSheet((resources_dir() / "style.qss").read_text(encoding="utf-8"))


def named(widget: QWidget, object_name: str, accessible_name: str) -> QWidget:
    """Give a widget the fixed test-contract object name and a name a screen reader says."""
    widget.setObjectName(object_name)
    widget.setAccessibleName(accessible_name)
    return widget


def set_severity(widget: QWidget, severity: str) -> None:
    """Switch a label's severity colours (dynamic property needs a re-polish to show)."""
    widget.setProperty("severity", severity)
    widget.style().unpolish(widget)
    widget.style().polish(widget)
