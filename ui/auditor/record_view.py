"""A read-only view of one record: header, every answer with who and when, warnings, signatures
and addenda, and the full audit trail of answer changes (who, when, old → new)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from vpchecklist.presentation import (
    NOT_ANSWERED,
    acknowledgement_lines,
    answer_text,
    local_time,
    mrn_words,
    provenance_text,
    signature_fields,
    times_note,
    wall_time,
    who,
)
from vpchecklist.templates import Template


def _table(
    name: str, headers: list[str], rows: list[list[str]], wrapped: tuple[int, ...]
) -> QTableWidget:
    """A read-only table as wide as the dialog: the ``wrapped`` columns share the width left by
    the others (sized to their values) and wrap their text, so nothing sits behind a
    horizontal scroll bar; rows grow to their wrapped text."""
    table = QTableWidget(len(rows), len(headers))
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setWordWrap(True)
    table.verticalHeader().setVisible(False)
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            item = QTableWidgetItem(text)
            item.setToolTip(text)
            table.setItem(r, c, item)
    header = table.horizontalHeader()
    for c in range(len(headers)):
        mode = (
            QHeaderView.ResizeMode.Stretch
            if c in wrapped
            else QHeaderView.ResizeMode.ResizeToContents
        )
        header.setSectionResizeMode(c, mode)
    table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    table.setTextElideMode(Qt.TextElideMode.ElideNone)
    # The style sheet's cell padding is not counted when Qt measures wrapped text, so a row
    # came out a line short (the last line cut to "…"): no padding here, Qt's own margin stays.
    table.setStyleSheet("QTableView::item { padding: 0; }")
    # A new width re-wraps the text: the rows follow it.
    header.sectionResized.connect(lambda *_: table.resizeRowsToContents())
    table.resizeRowsToContents()
    return table


def _label(template: Template, item_id: str) -> str:
    item = template.item(item_id)
    return item.label if item is not None else item_id


def _value(template: Template, item_id: str, value: Any, planned_start: str) -> str:
    """An old or new value in the audit trail: "(none)" before the first answer."""
    if value is None:
        return "(none)"
    return answer_text(template.item(item_id), value, planned_start=planned_start)


def _answer_words(
    template: Template, item_id: str, answer: dict[str, Any] | None, planned_start: str
) -> str:
    """The answer as the review page and the PDF word it, with how it was confirmed."""
    if answer is None:
        return NOT_ANSWERED
    how = provenance_text(answer)
    words = _value(template, item_id, answer["value"], planned_start)
    return f"{words} ({how})" if how else words


class RecordDialog(QDialog):
    """Read-only: nothing here writes. ``export_requested(id)`` asks the page for a PDF."""

    export_requested = Signal(int)

    def __init__(self, record: dict[str, Any], template: Template, parent: QWidget | None = None):
        super().__init__(parent)
        self.record = record
        header = record["header"]
        patient = header["patient"]
        self.setObjectName("auditor.record")
        self.setWindowTitle(f"Record #{record['id']} — {patient['name']} (read-only)")
        self.setAccessibleName(f"Checklist record {record['id']}, read-only")
        self.resize(1180, 720)  # fits a 1280x800 screen beside the window frame

        summary = QLabel(
            f"<b>{patient['name']}</b> · DOB {patient['date_of_birth']} · {mrn_words(patient['mrn'])}"
            f" · Levels {', '.join(header['levels'])} · Planned {wall_time(header['planned_start'])}"
            f"<br>Status: <b>{record['status']}</b> · Template {record['template']['id']} "
            f"v{record['template']['version']} · Record SHA-256: "
            f"<code>{record['record_hash'] or 'not signed'}</code>"
            f"<br>{times_note()}"
        )
        summary.setObjectName("auditor.record.summary")
        summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        summary.setWordWrap(True)

        planned = header["planned_start"]
        answers = []
        for item in template.items:
            answer = record["answers"].get(item.id)
            ack = record["acknowledgements"].get(item.id)
            answers.append(
                [
                    item.label,
                    _answer_words(template, item.id, answer, planned),
                    who(answer, "answered") if answer else "",
                    local_time(answer["answered_at"]) if answer else "",
                    "; ".join(acknowledgement_lines(ack)) if ack else "",
                ]
            )
        self.answers = _table(
            "auditor.record.answers",
            ["Item", "Answer", "Answered by", "When", "Note"],
            answers,
            wrapped=(0, 1, 4),
        )
        self.answers.setAccessibleName("Answers")

        trail = [
            [
                local_time(h["changed_at"], seconds=True),
                h["changed_by"],
                _label(template, h["item"]),
                _value(template, h["item"], h["old"], planned),
                _value(template, h["item"], h["new"], planned),
            ]
            for h in record["history"]
        ]
        self.history = _table(
            "auditor.record.history",
            ["When", "Who", "Item", "Old value", "New value"],
            trail,
            wrapped=(2, 3, 4),
        )
        self.history.setAccessibleName("Audit trail of answer changes")

        findings = [
            ["Warning", w["item"], w["message"], "acknowledged" if w["acknowledged"] else "open"]
            for w in record["evaluation"]["warnings"]
        ] + [["Hard stop", s["item"], s["message"], ""] for s in record["evaluation"]["stops"]]
        self.findings = _table(
            "auditor.record.findings",
            ["Kind", "Item", "Message", "State"],
            findings,
            wrapped=(1, 2),
        )
        self.findings.setAccessibleName("Warnings and stops")

        addenda = {a["signature"]["seq"]: a["text"] for a in record["addenda"]}
        signatures = []
        for s in record["signatures"]:
            words = dict(signature_fields(s))
            reason = s.get("reason") and words.get("Reason for postponement", words.get("Reason"))
            signatures.append(
                [
                    words["Printed name"],
                    words["Role"],
                    words["Meaning"],
                    reason or addenda.get(s["seq"], "") or "",
                    words["Signed"],
                    s["record_hash"],
                ]
            )
        self.signatures = _table(
            "auditor.record.signatures",
            ["Printed name", "Role", "Meaning", "Reason / addendum", "Signed", "SHA-256"],
            signatures,
            wrapped=(2, 3, 5),
        )
        self.signatures.setAccessibleName("Signatures and addenda")

        tabs = QTabWidget()
        tabs.setObjectName("auditor.record.tabs")
        tabs.addTab(self.answers, "&Answers")
        tabs.addTab(self.history, f"Audit &trail ({len(trail)})")
        tabs.addTab(self.findings, f"&Warnings and stops ({len(findings)})")
        tabs.addTab(self.signatures, f"&Signatures ({len(signatures)})")
        self.tabs = tabs

        self.export_button = QPushButton("&Export PDF…")
        self.export_button.setObjectName("auditor.record.export")
        self.export_button.setAccessibleName("Export this record as PDF")
        self.export_button.clicked.connect(lambda: self.export_requested.emit(record["id"]))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.export_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)

        self.completion = QLabel(record.get("completion_pattern", ""))
        self.completion.setObjectName("auditor.record.completion")
        self.completion.setAccessibleName("Completion pattern")
        self.completion.setWordWrap(True)
        if record.get("completion_rushed"):
            self.completion.setStyleSheet("font-weight: bold;")

        layout = QVBoxLayout(self)
        layout.addWidget(summary)
        layout.addWidget(self.completion)
        layout.addWidget(tabs, 1)
        layout.addWidget(buttons)
