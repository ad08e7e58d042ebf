"""The strip at the top of every signed-in page: who is signed in, Lock and Sign out."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QWidget

from ui.widgets import button
from vpchecklist.services import Actor

ROLE_WORDS = {
    "nurse": "Nurse",
    "physician": "Physician",
    "auditor": "Auditor",
    "admin": "Administrator",
}


class SessionBar(QFrame):
    lock_requested = Signal()
    sign_out_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("session")
        product = QLabel("VP Checklist")
        product.setObjectName("session.product")
        # The site the database belongs to (Administration → settings), beside the product.
        self.site = QLabel()
        self.site.setObjectName("session.site")
        self.site.hide()
        self.demo = QLabel("DEMO DATA")
        self.demo.setObjectName("session.demo")
        self.demo.hide()
        self.user = QLabel()
        self.user.setObjectName("session.user")
        self.lock = button("Lock", "session.lock", "Lock the screen")
        self.sign_out = button("Sign out", "session.sign_out")
        for push in (self.lock, self.sign_out):
            push.setProperty("kind", "bar")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(16, 6, 16, 6)
        layout.addWidget(product)
        layout.addWidget(self.site, 0, Qt.AlignmentFlag.AlignVCenter)
        layout.addWidget(self.demo, 0, Qt.AlignmentFlag.AlignVCenter)
        layout.addStretch(1)
        layout.addWidget(self.user)
        layout.addWidget(self.lock)
        layout.addWidget(self.sign_out)
        self.lock.clicked.connect(self.lock_requested)
        self.sign_out.clicked.connect(self.sign_out_requested)

    def set_actor(self, actor: Actor) -> None:
        self.user.setText(f"{actor.full_name} · {ROLE_WORDS.get(actor.role, actor.role)}")

    def set_site(self, name: str) -> None:
        """Show the site's name (hidden while none is set)."""
        name = " ".join(name.split())
        self.site.setText(f"· {name}")
        self.site.setAccessibleName(f"Site: {name}")
        self.site.setVisible(bool(name))
