"""Look and feel of the checklist page: sizes, colours and the page's own style sheet.

Kept in one place so touch-target sizes and severity colours stay consistent across widgets;
the app shell may add a global style sheet, this one only styles widgets inside the page.
"""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

#: Minimum height of anything a gloved finger has to hit (issue 7: touch targets >= 40 px).
TOUCH = 44

WARNING_BG = "#fff4e0"
WARNING_BORDER = "#b26a00"
WARNING_TEXT = "#6b3f00"
STOP_BG = "#fdecea"
STOP_BORDER = "#b3261e"
STOP_TEXT = "#8c1d18"
OK_TEXT = "#1e6b30"
ACCENT = "#1565c0"
MUTED = "#555555"

STYLE_SHEET = f"""
QWidget#checklistPage {{ font-size: 11pt; }}
QPushButton {{ min-height: {TOUCH}px; padding: 0 14px; }}
QLineEdit, QPlainTextEdit {{ min-height: {TOUCH - 4}px; padding: 0 6px; }}
QPushButton[answer="true"]:checked {{
    background: {ACCENT}; color: white; border: 1px solid #0d47a1; border-radius: 4px;
    font-weight: bold;
}}
QPushButton[answer="true"] {{
    border: 1px solid #8a8a8a; border-radius: 4px; background: #fafafa; min-width: 72px;
}}
QPushButton[answer="true"]:disabled {{ color: #777; }}
QPushButton[answer="true"]:checked:disabled {{ background: #5c7fa8; color: white; }}
QPushButton[link="true"] {{
    border: none; background: transparent; color: {ACCENT}; text-decoration: underline;
    text-align: left; padding: 0 4px;
}}
QFrame[card="true"] {{ border-bottom: 1px solid #dddddd; }}
QLabel[severity="warning"] {{
    background: {WARNING_BG}; border-left: 6px solid {WARNING_BORDER}; color: {WARNING_TEXT};
    padding: 6px 8px;
}}
QLabel[severity="stop"] {{
    background: {STOP_BG}; border-left: 6px solid {STOP_BORDER}; color: {STOP_TEXT};
    padding: 6px 8px; font-weight: bold;
}}
QLabel[severity="error"] {{ color: {STOP_TEXT}; }}
QLabel[severity="ok"] {{ color: {OK_TEXT}; }}
QLabel[role="help"] {{ color: {MUTED}; }}
QLabel[role="derived"] {{
    color: #0d3c78; background: #e8f0fb; padding: 6px 8px; font-weight: bold;
}}
QLabel#checklist\\.allergy_banner {{
    background: {STOP_BORDER}; color: white; font-weight: bold; padding: 6px 12px;
    font-size: 12pt;
}}
QLabel#checklist\\.levels {{ font-size: 26pt; font-weight: bold; color: #0d3c78; }}
QListWidget#checklist\\.sections {{ font-size: 12pt; border: none; background: #f7f7f7; }}
QFrame#checklist\\.header {{ background: #f3f6fa; border-bottom: 1px solid #d0d7e2; }}
QFrame#checklist\\.header QLabel {{ border: none; }}
QLabel#checklist\\.patient {{ font-size: 15pt; font-weight: bold; }}
QLabel#checklist\\.status {{ color: {MUTED}; }}
QLabel#checklist\\.levels_caption {{ color: {MUTED}; font-size: 9pt; font-weight: bold; }}
QLabel#checklist\\.region {{ color: #0d3c78; font-weight: bold; }}
QWidget#checklist\\.footer {{ background: #f3f6fa; }}
QLabel[role="item-title"] {{ font-weight: bold; }}
QLabel[role="page-title"] {{ font-size: 17pt; font-weight: bold; }}
QLabel[role="heading"] {{ font-size: 13pt; font-weight: bold; margin-top: 10px; }}
QLabel#review\\.status {{ font-size: 13pt; font-weight: bold; }}
QLabel#review\\.addendum {{ background: #f3f6fa; padding: 6px; }}
QFrame#sign\\.box {{ border: 2px solid {ACCENT}; border-radius: 6px; background: white; }}
QFrame#sign\\.box QLabel {{ border: none; }}
"""


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
