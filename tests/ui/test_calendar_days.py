"""Calendar pop-ups show day numbers (issue 13 finding 3: every day read "…", the table
cell padding of the app's style sheet left no room for two digits)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QRect
from PySide6.QtWidgets import QTableView

from ui.app import application
from ui.date_filter import TodayCalendar


def test_two_digit_days_are_drawn_not_elided(qtbot: Any) -> None:
    application()  # the app's style sheet, as in the running app
    calendar = TodayCalendar()
    qtbot.addWidget(calendar)
    calendar.resize(calendar.sizeHint())
    calendar.show()
    qtbot.waitExposed(calendar)
    calendar.setCurrentPage(2026, 11)  # 24 and 25 November 2026: a Tuesday and a Wednesday
    view = calendar.findChild(QTableView)
    assert view is not None
    model = view.model()
    cells = {}
    for row in range(model.rowCount()):
        for column in range(model.columnCount()):
            index = model.index(row, column)
            if str(index.data()) in ("24", "25") and row > 2:
                cells[str(index.data())] = view.visualRect(index)
    image = view.viewport().grab().toImage()
    width = min(r.width() for r in cells.values())
    height = min(r.height() for r in cells.values())
    crops = [image.copy(QRect(r.x(), r.y(), width, height)) for r in cells.values()]
    # Elided, both cells draw the same "…"; with room, "24" and "25" differ.
    assert crops[0] != crops[1]
