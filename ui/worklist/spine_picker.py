"""Level picker drawn as a spine: one checkable button per vertebra, grouped and coloured by
region, plus a text box where typing "T12, L1" (or "L2-L4") selects the same levels.

Which levels exist and their regions come from the template; the picker only reflects them.
"""

from __future__ import annotations

import re

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QApplication,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.widgets import line_edit, named
from vpchecklist.rules.levels import expand_level_token, normalised_level_text

_TOKEN = re.compile(r"[\s,;]+")
# Widths taper towards the sacrum so the column reads as a spine.
_WIDTH = {"thoracic": 96, "lumbar": 112, "sacral": 84}
_BUTTON_HEIGHT = 40


class SpinePicker(QWidget):
    """``levels()`` in cranial-to-caudal order; ``changed`` whenever the selection changes."""

    changed = Signal(list)

    def __init__(
        self, allowed: list[str], regions: dict[str, str], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        named(self, "new.levels", "Levels to treat")
        self._allowed = list(allowed)
        self._regions = dict(regions)
        self._syncing = False
        self.buttons: dict[str, QPushButton] = {}

        self.entry = line_edit(
            "new.levels.entry", "Levels, typed", "Type levels, e.g. T12, L1  or  L2-L4"
        )
        self.entry.setToolTip("Type levels separated by commas or spaces; a range like L2-L4 works")
        self.unknown = QLabel()
        self.unknown.setObjectName("new.levels.unknown")
        self.unknown.setProperty("role", "error")
        self.unknown.setWordWrap(True)
        self.unknown.hide()
        self.summary = QLabel("No level selected")
        self.summary.setObjectName("new.levels.summary")
        self.summary.setWordWrap(True)

        columns = QHBoxLayout()
        columns.setSpacing(16)
        for group in self._columns():
            columns.addLayout(self._column(group))
        columns.addStretch(1)

        typed = QVBoxLayout()
        typed.addWidget(self.entry)
        typed.addWidget(self.unknown)
        typed.addWidget(self.summary)
        typed.addStretch(1)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(20)
        layout.addLayout(typed, 1)
        layout.addLayout(columns)
        self.entry.textEdited.connect(self._typed)
        self.entry.editingFinished.connect(lambda: self._typed(self.entry.text(), final=True))
        self.setFocusProxy(self.entry)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Text typed at the picker itself goes to its entry (the focus proxy). Only keys the
        entry accepts: Return, which it passes back up to its parent, would loop."""
        editing = event.key() in (Qt.Key.Key_Backspace, Qt.Key.Key_Delete)
        if editing or (event.text() and event.text().isprintable()):
            QApplication.sendEvent(self.entry, event)
        else:
            super().keyPressEvent(event)

    def region_of(self, level: str) -> str:
        return self._regions.get(level[:1], "other")

    def _columns(self) -> list[list[str]]:
        """Thoracic in one column, lumbar and sacral below each other in the next: the spine
        fits a 800 px high screen with 40 px buttons."""
        thoracic = [lvl for lvl in self._allowed if self.region_of(lvl) == "thoracic"]
        rest = [lvl for lvl in self._allowed if lvl not in thoracic]
        return [group for group in (thoracic, rest) if group]

    def _column(self, levels: list[str]) -> QVBoxLayout:
        column = QVBoxLayout()
        column.setSpacing(0)
        grid = QGridLayout()
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(2)
        previous = None
        row = 0
        for level in levels:
            region = self.region_of(level)
            if region != previous:
                caption = QLabel(region.capitalize())
                caption.setProperty("region", region)
                caption.setObjectName(f"new.levels.region.{region}")
                grid.addWidget(caption, row, 0, 1, 1)
                row += 1
                previous = region
            button = named(QPushButton(level), f"new.levels.{level}", f"Level {level}, {region}")
            button.setCheckable(True)
            button.setProperty("region", region)
            button.setFixedSize(_WIDTH.get(region, 96), _BUTTON_HEIGHT)
            button.setAutoDefault(False)
            # Keyboard users type levels in the entry; 22 extra Tab stops would bury the form.
            button.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
            button.toggled.connect(self._clicked)
            self.buttons[level] = button
            grid.addWidget(button, row, 0, Qt.AlignmentFlag.AlignHCenter)
            row += 1
        column.addLayout(grid)
        column.addStretch(1)
        return column

    def levels(self) -> list[str]:
        return [lvl for lvl in self._allowed if self.buttons[lvl].isChecked()]

    def set_levels(self, levels: list[str]) -> None:
        self._apply(set(levels))
        self._write_entry()
        self._announce()  # the summary (and anyone listening) follows levels set from outside

    def _clicked(self, _checked: bool) -> None:
        if self._syncing:
            return
        self._write_entry()
        self._announce()

    def _typed(self, text: str, final: bool = False) -> None:
        wanted, unknown = self.parse(text)
        self._apply(wanted)
        if (
            unknown
            and not final
            and not _TOKEN.search(text[-1:])
            and text.upper().endswith(unknown[-1])
        ):
            unknown = unknown[:-1]  # still being typed
        if unknown:
            names = ", ".join(unknown)
            self.unknown.setText(f"Not a level: {names}. Levels are {self._range_text()}.")
        self.unknown.setVisible(bool(unknown))
        self._announce()

    def refuse_unknown(self) -> bool:
        """Whether the typed text names something that is not a level; if so, say so in the
        ``new.levels.unknown`` label (creating a checklist waits until it is corrected)."""
        _wanted, unknown = self.parse(self.entry.text())
        if unknown:
            self.unknown.setText(
                f"Not a level: {', '.join(unknown)}. Levels are {self._range_text()}. "
                "Correct or remove it before creating the checklist."
            )
        self.unknown.setVisible(bool(unknown))
        return bool(unknown)

    def parse(self, text: str) -> tuple[set[str], list[str]]:
        """Typed tokens → known levels, plus the tokens that name none (shown, not guessed)."""
        wanted: set[str] = set()
        unknown: list[str] = []
        normalised = normalised_level_text(text)
        for token in filter(None, _TOKEN.split(normalised)):
            expanded = expand_level_token(token, self._allowed)
            if expanded is None:
                unknown.append(token)
            else:
                wanted.update(expanded)
        return wanted, unknown

    def _apply(self, wanted: set[str]) -> None:
        self._syncing = True
        try:
            for level, button in self.buttons.items():
                button.setChecked(level in wanted)
        finally:
            self._syncing = False

    def _write_entry(self) -> None:
        self.entry.setText(", ".join(self.levels()))
        self.unknown.hide()

    def _announce(self) -> None:
        chosen = self.levels()
        if chosen:
            regions = []
            for level in chosen:
                region = self.region_of(level)
                if region not in regions:
                    regions.append(region)
            self.summary.setText(f"Selected: {', '.join(chosen)} — {' + '.join(regions)}")
        else:
            self.summary.setText("No level selected")
        self.changed.emit(chosen)

    def _range_text(self) -> str:
        parts = []
        for group in ("T", "L", "S"):
            members = [lvl for lvl in self._allowed if lvl.startswith(group)]
            if members:
                parts.append(f"{members[0]}–{members[-1]}")
        return ", ".join(parts)
