"""UI fixtures: a main window over the test's fresh database, and helpers that drive it the way
a user would (typing and clicking real widgets)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import QAbstractListModel, QModelIndex, Qt
from PySide6.QtWidgets import QAbstractItemView, QLabel, QLineEdit, QWidget

from ui.admin import AdminPage
from ui.app import application
from ui.operations import wait_for_background
from ui.shell.main_window import MainWindow
from vpchecklist.store import Store

WindowFactory = Callable[..., MainWindow]


@pytest.fixture
def passwords(request: pytest.FixtureRequest) -> dict[str, str]:
    """``PASSWORDS`` of tests/conftest.py (conftest modules cannot be imported by name)."""
    for plugin in request.config.pluginmanager.get_plugins():
        found = getattr(plugin, "PASSWORDS", None)
        if isinstance(found, dict):
            return found
    raise LookupError("PASSWORDS not found in tests/conftest.py")


@pytest.fixture
def make_window(qtbot, store: Store) -> Iterator[WindowFactory]:  # type: ignore[no-untyped-def]
    """Builds a started, shown main window (style sheet applied as in the app)."""
    application()
    windows: list[MainWindow] = []

    def build(**kwargs: object) -> MainWindow:
        window = MainWindow(store, **kwargs)  # type: ignore[arg-type]
        qtbot.addWidget(window)
        window.resize(1280, 800)
        window.show()
        qtbot.waitExposed(window)
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow)
        window.start()
        windows.append(window)
        return window

    yield build
    wait_for_background()
    for window in windows:
        window.close()


@pytest.fixture
def admin_page(qtbot, store: Store, actors) -> Iterator[AdminPage]:  # type: ignore[no-untyped-def]
    """The administration page of the test's database, shown at 1280×800, for its admin."""
    page = AdminPage(store, actors["admin"])
    qtbot.addWidget(page)
    page.resize(1280, 800)
    page.show()
    qtbot.waitExposed(page)
    yield page
    wait_for_background()


class Driver:
    """Drives the shell like a user: typing into and clicking the real widgets."""

    def __init__(self, qtbot) -> None:  # type: ignore[no-untyped-def]
        self.qtbot = qtbot

    def sign_in(self, window: MainWindow, username: str, password: str) -> None:
        login = window.login
        login.username.clear()
        login.password.clear()
        self.qtbot.keyClicks(login.username, username)
        self.qtbot.keyClicks(login.password, password)
        self.qtbot.mouseClick(login.submit, Qt.MouseButton.LeftButton)

    def signed_in(self, window: MainWindow, username: str, password: str) -> None:
        """Sign in and wait until the role's home page is showing."""
        self.sign_in(window, username, password)
        self.qtbot.waitUntil(lambda: window.home is not None, timeout=5000)
        self.qtbot.waitUntil(lambda: window.stack.currentWidget() is window.home, timeout=5000)

    @staticmethod
    def visible_texts(root: QWidget) -> list[str]:
        """Every text a user can see: labels, fields and the cells of visible tables."""
        texts: list[str] = []
        for widget in root.findChildren(QWidget):
            if not widget.isVisible():
                continue
            if isinstance(widget, QLabel | QLineEdit):
                texts.append(widget.text())
            elif isinstance(widget, QAbstractItemView) and widget.model() is not None:
                model, top = widget.model(), QModelIndex()
                columns = 1 if isinstance(model, QAbstractListModel) else model.columnCount(top)
                for row in range(model.rowCount(top)):
                    for column in range(columns):
                        texts.append(str(model.index(row, column).data() or ""))
        return texts


@pytest.fixture
def drive(qtbot) -> Driver:  # type: ignore[no-untyped-def]
    return Driver(qtbot)
