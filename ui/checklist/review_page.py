"""Review and sign: every answer, the warnings with their acknowledgements, what is still
missing (each a link to the item), hard stops, signatures and addenda, and the sign form."""

from __future__ import annotations

from html import escape
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ui.checklist.display import LEVELS_ID, STOP_MARK
from ui.checklist.findings import severity_label
from ui.checklist.session import ChecklistSession
from ui.checklist.sign_box import SignBox
from ui.checklist.style import STOP_BG, WARNING_BG, named, set_severity
from vpchecklist import presentation
from vpchecklist.presentation import (
    NOT_ANSWERED,
    acknowledgement_lines,
    answer_lines,
    local_time,
    signature_fields,
    times_note,
)
from vpchecklist.rules.evaluation import Evaluation

ANSWERS_CSS = f"""<style>
td {{ padding: 3px 6px; vertical-align: top; }}
span.who {{ color: #555; font-size: 9pt; }}
td.section {{ font-weight: bold; font-size: 13pt; padding-top: 10px; border-bottom: 1px solid #999; }}
tr.warn td {{ background: {WARNING_BG}; }}
tr.stop td {{ background: {STOP_BG}; }}
tr.missing td {{ color: #8c1d18; }}
</style>"""


class LinkButton(QPushButton):
    """A link-styled button whose text is elided to its width (full text in the tooltip), so a
    long item label never widens the review column."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.full_text = text
        self.setToolTip(text)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt API)
        width = max(40, event.size().width() - 16)
        elided = self.fontMetrics().elidedText(self.full_text, Qt.TextElideMode.ElideRight, width)
        self.setText(elided)
        super().resizeEvent(event)


def heading(text: str) -> QLabel:
    label = QLabel(text)
    label.setProperty("role", "heading")
    return label


class ReviewPage(QWidget):
    jump_requested = Signal(str)

    def __init__(self, session: ChecklistSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setObjectName("section.review")
        row = QHBoxLayout(self)
        row.setContentsMargins(16, 8, 16, 8)
        row.setSpacing(16)

        left = QVBoxLayout()
        title = QLabel("Review and sign")
        title.setProperty("role", "page-title")
        left.addWidget(title)
        self.times = QLabel()
        self.times.setObjectName("review.times")
        self.times.setProperty("role", "help")
        left.addWidget(self.times)
        self.answers = QTextBrowser()
        named(self.answers, "review.answers", "All answers")
        self.answers.setOpenLinks(False)
        self.answers.anchorClicked.connect(lambda url: self.jump_requested.emit(url.fragment()))
        left.addWidget(self.answers, 1)
        row.addLayout(left, 1)

        right = QVBoxLayout()
        # Hard stops first and outside the scrolling pane: they decide what can be signed.
        self.stops_box = QVBoxLayout()
        right.addLayout(self.stops_box)
        scroll = QScrollArea()
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        side = QWidget()
        self.side = QVBoxLayout(side)
        self.side.setContentsMargins(0, 0, 8, 0)
        self.status = QLabel()
        self.status.setObjectName("review.status")
        self.status.setWordWrap(True)
        self.side.addWidget(self.status)
        self.findings_box = QVBoxLayout()
        self.side.addLayout(self.findings_box)
        self.side.addStretch(1)
        scroll.setWidget(side)
        right.addWidget(scroll, 1)
        self.sign_box = SignBox(session)
        right.addWidget(self.sign_box)
        row.addLayout(right, 1)

    def tab_stops(self) -> list[QWidget]:
        """What Tab visits on review: the sign form first, then the links and the answers."""
        box = self.sign_box
        form = [box.reason, box.password, box.submit, box.ready, box.postponed]
        links = [w for w in self.findChildren(QPushButton) if w.property("link")]
        stops = [*form, *links, self.answers]
        return [w for w in stops if w.isVisible() and w.isEnabled()]

    # -- filling ---------------------------------------------------------------------------
    def refresh(self) -> None:
        ev = self.session.evaluation
        self.times.setText(times_note())
        self._fill_answers(ev)
        self._clear_findings()
        self._fill_status(ev)
        self._fill_stops(ev)
        self._fill_missing(ev)
        self._fill_warnings(ev)
        self._fill_signatures()
        self.sign_box.setVisible(not self.session.read_only)
        self.sign_box.reviewed = self.session.detail.get("content_sha256")  # what is shown
        self.sign_box.refresh(ev)

    def _fill_status(self, ev: Evaluation) -> None:
        if self.session.read_only:
            text, colour = "This checklist is closed and read-only.", "ok"
        elif ev.ready_to_sign:
            text, colour = "✓ Complete — ready to sign.", "ok"
        elif ev.stops:
            text, colour = "Blocked by a hard stop: sign as not ready (postponed).", "error"
        else:
            text, colour = "Not ready to sign yet.", "error"
        self.status.setText(text)
        set_severity(self.status, colour)

    def _fill_answers(self, ev: Evaluation) -> None:
        """One table: every item, its answer and who gave it; warnings amber, stops red."""
        answers = self.session.detail["answers"]
        planned = self.session.detail["header"]["planned_start"]
        warned = {f.item for f in ev.warnings}
        stopped = {f.item for f in ev.stops}
        rows = []
        for section in self.session.template.sections:
            rows.append(f'<tr><td colspan="2" class="section">{escape(section.title)}</td></tr>')
            for item in section.items:
                value = ev.answers.get(item.id)
                mark = f"{STOP_MARK} " if item.id in stopped else "⚠ " if item.id in warned else ""
                css = "stop" if item.id in stopped else "warn" if mark else ""
                if value is None:
                    # A closed record cannot be changed: no link that leads nowhere.
                    shown = (
                        NOT_ANSWERED
                        if self.session.read_only
                        else f'<a href="#{item.id}">{NOT_ANSWERED}</a>'
                    )
                    css = "missing"
                else:
                    shown = escape(mark) + "<br>".join(
                        escape(line) for line in answer_lines(item, value, planned)
                    )
                entry = answers.get(item.id) if value is not None else None
                how = presentation.provenance_text(entry)
                if how:
                    shown += f" ({escape(how)})"
                who = presentation.who(entry, "answered") if entry else ""
                by = f'<br><span class="who">{escape(who)}</span>' if who else ""
                rows.append(
                    f'<tr class="{css}"><td width="60%">{escape(item.label)}</td>'
                    f'<td width="40%"><b>{shown}</b>{by}</td></tr>'
                )
        self.answers.setHtml(ANSWERS_CSS + '<table width="100%">' + "".join(rows) + "</table>")

    def _clear_findings(self) -> None:
        for box in (self.stops_box, self.findings_box):
            self._empty(box)

    @staticmethod
    def _empty(box: QVBoxLayout) -> None:
        while box.count():
            entry = box.takeAt(0)
            widget = entry.widget() if entry is not None else None
            if widget is not None:
                # Hidden first: a shown widget taken out of its parent would come back as a
                # window of its own on the next event-loop turn (and take the focus with it).
                widget.hide()
                widget.setParent(None)
                widget.deleteLater()

    def _add(self, widget: QWidget, box: QVBoxLayout | None = None) -> None:
        """Add and show at once (a widget added to a visible page shows only on the next
        event-loop turn, and a jump link must be usable right away)."""
        (box or self.findings_box).addWidget(widget)
        widget.show()

    def _link(self, name: str, text: str, item_id: str) -> QPushButton:
        link = LinkButton(text)
        named(link, name, text)
        link.setProperty("link", True)
        link.setCursor(Qt.CursorShape.PointingHandCursor)
        link.clicked.connect(lambda _=False, i=item_id: self.jump_requested.emit(i))
        return link

    def _label_of(self, item_id: str) -> str:
        if item_id == LEVELS_ID:
            return "Levels"
        item = self.session.template.item(item_id)
        section = self.session.template.section_of(item_id)
        if item is None or section is None:
            return item_id
        return f"{section.title}: {item.label}"

    def _fill_missing(self, ev: Evaluation) -> None:
        missing = [m for m in ev.missing if self.session.template.item(m) is not None]
        if not missing:
            return
        if self.session.read_only:  # closed: nothing to go and answer, so no links
            self._add(heading(f"Not answered ({len(missing)})"))
            for item_id in missing:
                label = QLabel(self._label_of(item_id))
                label.setObjectName(f"review.not_answered.{item_id}")
                label.setWordWrap(True)
                self._add(label)
            return
        self._add(heading(f"Still missing ({len(missing)})"))
        for item_id in missing:
            text = "→ " + self._label_of(item_id)
            self._add(self._link(f"review.missing.{item_id}", text, item_id))

    def _fill_stops(self, ev: Evaluation) -> None:
        if not ev.stops:
            return
        self._add(heading("Hard stops"), self.stops_box)
        for finding in ev.stops:
            label = severity_label(f"review.stop_text.{finding.item}", "stop")
            label.setText(f"{STOP_MARK} {self._label_of(finding.item)} — {finding.message}")
            self._add(label, self.stops_box)
            if not self.session.read_only:
                link = self._link(
                    f"review.stop.{finding.item}", "→ Change the answer", finding.item
                )
                self._add(link, self.stops_box)

    def _fill_warnings(self, ev: Evaluation) -> None:
        if not ev.warnings:
            return
        self._add(heading("Warnings"))
        acks: dict[str, Any] = self.session.detail["acknowledgements"]
        for finding in ev.warnings:
            label = severity_label(f"review.warning_text.{finding.item}", "warning")
            text = f"⚠ {self._label_of(finding.item)} — {finding.message}"
            if finding.item in ev.acknowledged:
                ack = acks.get(finding.item)
                text += "\n✓ " + ("\n".join(acknowledgement_lines(ack)) if ack else "Acknowledged")
            label.setText(text)
            self._add(label)
            if finding.item not in ev.acknowledged and not self.session.read_only:
                name = f"review.warning.{finding.item}"
                self._add(self._link(name, "→ Acknowledge it", finding.item))

    def _fill_signatures(self) -> None:
        detail = self.session.detail
        if not detail["signatures"]:
            return
        self._add(heading("Signatures"))
        for signature in detail["signatures"]:
            if signature["meaning"] == "addendum":
                continue
            text = "\n".join(f"{key}: {words}" for key, words in signature_fields(signature))
            label = QLabel(text)
            label.setObjectName("review.signature")
            label.setWordWrap(True)
            self._add(label)
        for addendum in detail["addenda"]:
            sig = addendum["signature"]
            label = QLabel(
                f"Addendum by {sig['printed_name']}, {local_time(sig['signed_at'])}:\n"
                f"{addendum['text']}"
            )
            label.setObjectName("review.addendum")
            label.setWordWrap(True)
            self._add(label)
