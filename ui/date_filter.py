"""A date field for filters: "Any" until a date is picked, and a calendar that opens on this
month with every day number showing (the auditor's records and the nurse's record search)."""

from __future__ import annotations

from PySide6.QtCore import QDate
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QCalendarWidget, QDateEdit

#: Stored in the field for "no limit" and shown as "Any" (QDateEdit needs some date).
ANY_DATE = QDate(2000, 1, 1)


class TodayCalendar(QCalendarWidget):
    """Opens on this month while the field says "Any" (not on January 2000), large enough for
    every day number to show rather than "…"."""

    def __init__(self) -> None:
        super().__init__()
        self.setMinimumSize(340, 260)
        self.setGridVisible(True)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        if self.selectedDate() <= ANY_DATE:
            today = QDate.currentDate()
            self.setCurrentPage(today.year(), today.month())


def any_date_edit(name: str, accessible: str) -> QDateEdit:
    edit = QDateEdit()
    edit.setCalendarPopup(True)
    edit.setCalendarWidget(TodayCalendar())
    edit.setDisplayFormat("yyyy-MM-dd")
    edit.setMinimumDate(ANY_DATE)
    edit.setSpecialValueText("Any")  # shown at the minimum date: no limit
    edit.setDate(ANY_DATE)
    edit.setObjectName(name)
    edit.setAccessibleName(accessible)
    return edit


def iso_or_none(edit: QDateEdit) -> str | None:
    """The picked day as YYYY-MM-DD, or None while the field says "Any"."""
    day = edit.date()
    return None if day <= ANY_DATE else day.toString("yyyy-MM-dd")
