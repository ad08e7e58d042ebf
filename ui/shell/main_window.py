"""The one window: sign-in, the role's home page, new checklist, checklist pages, and the idle
lock that hides them all. Pages are swapped in a stack; only services touch the database."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QMainWindow,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ui.messages import show_error, window_title
from ui.shell.lock_screen import LockScreen
from ui.shell.login_page import LoginPage
from ui.shell.session_bar import SessionBar
from vpchecklist.errors import VPError
from vpchecklist.services import Actor
from vpchecklist.store import Store

if TYPE_CHECKING:
    from ui.admin import AdminPage
    from ui.auditor import AuditorPage
    from ui.checklist import ChecklistPage
    from ui.worklist.new_checklist_page import NewChecklistPage
    from ui.worklist.page import WorklistPage

    HomePage = WorklistPage | AuditorPage | AdminPage

# Pages after sign-in, the first-run dialog and the services behind them are imported when first
# needed: the sign-in window must be on screen within 0.8 s of launch (benchmarks/ui.py).

log = logging.getLogger(__name__)

DEFAULT_IDLE_LOCK_MS = 10 * 60 * 1000
_ACTIVITY = {
    QEvent.Type.KeyPress,
    QEvent.Type.MouseButtonPress,
    QEvent.Type.MouseMove,
    QEvent.Type.Wheel,
    QEvent.Type.TouchBegin,
    QEvent.Type.TouchUpdate,
}


class MainWindow(QMainWindow):
    """``idle_lock_ms`` fixes the idle time before the lock (tests pass a short one); by default
    it is the site setting, read at every sign-in."""

    page_changed = Signal(QWidget)

    def __init__(
        self,
        store: Store,
        *,
        idle_lock_ms: int | None = None,
        demo: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("main_window")
        self.store = store
        self.actor: Actor | None = None
        self.demo = demo
        self.home: HomePage | None = None
        self.new_page: NewChecklistPage | None = None
        self.checklist_page: ChecklistPage | None = None
        self._before_lock: QWidget | None = None
        self.setWindowTitle(window_title("DEMO DATA" if demo else ""))
        self.setMinimumSize(960, 640)

        self.session = SessionBar()
        self.session.demo.setVisible(demo)
        self.session.hide()
        self.stack = QStackedWidget()
        self.stack.setObjectName("pages")
        self.login = LoginPage(store)
        self.lock_screen = LockScreen(store)
        self.stack.addWidget(self.login)
        self.stack.addWidget(self.lock_screen)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.session)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self.idle_timer = QTimer(self)
        self.idle_timer.setSingleShot(True)
        self._fixed_idle_ms = idle_lock_ms
        self.idle_timer.setInterval(idle_lock_ms or DEFAULT_IDLE_LOCK_MS)
        self.idle_timer.timeout.connect(self._idle_timeout)

        self.login.signed_in.connect(self._signed_in)
        self.lock_screen.unlocked.connect(self._unlocked)
        self.lock_screen.switch_user.connect(self.sign_out)
        self.session.lock_requested.connect(self.lock)  # by hand
        self.session.sign_out_requested.connect(self.sign_out)
        _application().installEventFilter(self)

    @property
    def idle_lock_ms(self) -> int:
        return self.idle_timer.interval()

    @idle_lock_ms.setter
    def idle_lock_ms(self, value: int) -> None:
        self.idle_timer.setInterval(value)

    @property
    def locked(self) -> bool:
        return self.stack.currentWidget() is self.lock_screen

    # -- start-up ---------------------------------------------------------------------------
    def start(self) -> None:
        """Sign-in, preceded by the administrator dialog on an empty database (except for a
        demo database, whose users the demo generator creates)."""
        self._show(self.login)
        self.login.reset()
        if not self.demo:
            QTimer.singleShot(0, self._check_first_run)

    def _check_first_run(self) -> None:
        from vpchecklist.services import users

        try:
            empty = not users.has_users(self.store)
        except VPError as error:
            show_error(self, error)
            return
        if empty:
            self._first_run()

    def _first_run(self) -> None:
        from ui.shell.first_run_dialog import FirstRunDialog

        dialog = FirstRunDialog(self.store, self)
        self.first_run_dialog = dialog

        def done(result: int) -> None:
            if result and dialog.admin is not None:
                self.login.reset(dialog.admin.username)
            else:
                self.close()

        dialog.finished.connect(done)
        dialog.open()

    # -- session ----------------------------------------------------------------------------
    def _signed_in(self, actor: Actor) -> None:
        self._discard_pages()
        self.actor = actor
        self._apply_site_idle_lock()
        self.session.set_actor(actor)
        self._show_site_name()
        self.session.show()
        self.home = self._home_for(actor)
        self.stack.addWidget(self.home)
        self.show_home()
        self.idle_timer.start()

    def _home_for(self, actor: Actor) -> HomePage:
        if actor.role == "auditor":
            from ui.auditor import AuditorPage

            return AuditorPage(self.store, actor)
        if actor.role == "admin":
            from ui.admin import AdminPage

            admin = AdminPage(self.store, actor)
            admin.settings_changed.connect(self._settings_changed)
            return admin
        from ui.worklist.page import WorklistPage

        worklist = WorklistPage(self.store, actor)
        worklist.open_requested.connect(self.open_checklist)
        worklist.new_requested.connect(self.show_new_checklist)
        worklist.start_requested.connect(self.show_new_from_visit)
        return worklist

    def sign_out(self) -> None:
        """Also the lock screen's "another user": the next user starts from sign-in."""
        self.idle_timer.stop()
        self.actor = None
        self._before_lock = None
        self._discard_pages()
        self.session.hide()
        self._show(self.login)
        self.login.reset()

    def _pages(self) -> list[HomePage | NewChecklistPage | ChecklistPage]:
        return [p for p in (self.home, self.new_page, self.checklist_page) if p is not None]

    def _discard_pages(self) -> None:
        for page in self._pages():
            self.stack.removeWidget(page)
            page.deleteLater()
        self.home = self.new_page = self.checklist_page = None

    # -- idle lock --------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _ACTIVITY and self.idle_timer.isActive():
            self.idle_timer.start()
        return False

    def _apply_site_idle_lock(self, minutes: int | None = None) -> None:
        if self._fixed_idle_ms is not None:
            return
        from vpchecklist.services import settings

        try:
            minutes = minutes or settings.idle_lock_minutes(self.store)
        except (VPError, ValueError):
            log.warning("idle lock setting unreadable; keeping %s ms", self.idle_lock_ms)
            return
        self.idle_lock_ms = minutes * 60_000

    def _settings_changed(self, values: dict) -> None:
        """The administrator saved new settings: a new idle time and site name apply at once."""
        if "site_name" in values:
            self._show_site_name()  # an emptied name falls back to this computer's file
        try:
            minutes = int(values.get("idle_lock_minutes", 0))
        except (TypeError, ValueError):
            return
        if minutes > 0:
            self._apply_site_idle_lock(minutes)
            if self.idle_timer.isActive():
                self.idle_timer.start()

    def _idle_timeout(self) -> None:
        self.lock(idle=True)

    def lock(self, idle: bool = False) -> None:
        """Hide everything behind the lock screen; ``idle`` says the idle timer did it (the
        lock screen tells the user which)."""
        if self.actor is None or self.locked:
            return
        self.idle_timer.stop()
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QDialog) and widget.isVisible():
                widget.reject()  # a dialog over patient data would show through the lock
        self._before_lock = self.stack.currentWidget()
        self.session.hide()
        idle_minutes = max(1, round(self.idle_lock_ms / 60_000)) if idle else None
        self.lock_screen.lock_for(self.actor, idle_minutes)
        self._show(self.lock_screen)

    def _unlocked(self, actor: Actor) -> None:
        self.actor = actor
        for page in self._pages():
            page.set_actor(actor)
        self.session.show()
        target = self._before_lock if self._before_lock is not None else self.home
        self._before_lock = None
        if target is not None:
            self._show(target)
        self.idle_timer.start()

    # -- navigation -------------------------------------------------------------------------
    def _show(self, page: QWidget) -> None:
        self.stack.setCurrentWidget(page)
        page.setFocus()
        self.page_changed.emit(page)

    def _show_site_name(self) -> None:
        from vpchecklist.services import settings

        try:
            self.session.set_site(settings.site_name(self.store))
        except VPError:
            self.session.set_site("")  # the header can do without it; the page shows the error

    def show_home(self) -> None:
        if self.home is None:
            return
        self._show_site_name()  # an administrator may have just renamed the site
        from ui.worklist.page import WorklistPage

        if isinstance(self.home, WorklistPage):
            self.home.refresh()
        self._show(self.home)

    def show_new_checklist(self) -> None:
        if self.actor is None:
            return
        if self.new_page is None:
            from ui.worklist.new_checklist_page import NewChecklistPage

            self.new_page = NewChecklistPage(self.store, self.actor)
            self.new_page.created.connect(self.open_checklist)
            self.new_page.cancelled.connect(self.show_home)
            self.stack.addWidget(self.new_page)
        self.new_page.reset()
        self._show(self.new_page)
        self.new_page.patient_name.setFocus()

    def show_new_from_visit(self, visit: dict) -> None:
        """The new-checklist page filled from a scheduled visit (identity locked)."""
        self.show_new_checklist()
        if self.new_page is not None:
            self.new_page.fill_from_visit(visit)

    def open_checklist(self, checklist_id: int) -> None:
        if self.actor is None:
            return
        from ui.checklist import ChecklistPage

        try:
            page = ChecklistPage(self.store, self.actor, checklist_id)
        except VPError as error:
            show_error(self, error)
            return
        if self.checklist_page is not None:
            self.stack.removeWidget(self.checklist_page)
            self.checklist_page.deleteLater()
        self.checklist_page = page
        page.closed.connect(self.close_checklist)
        self.stack.addWidget(page)
        self._show(page)

    def close_checklist(self) -> None:
        page = self.checklist_page
        self.checklist_page = None
        self.show_home()
        if page is not None:
            self.stack.removeWidget(page)
            page.deleteLater()

    def closeEvent(self, event: QCloseEvent) -> None:
        _application().removeEventFilter(self)
        super().closeEvent(event)


def _application() -> QCoreApplication:
    """The running application; the window cannot exist without one."""
    app = QApplication.instance()
    if app is None:
        raise RuntimeError("MainWindow needs a running QApplication")
    return app
