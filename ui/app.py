"""Application start-up: arguments, logging, the database, the style sheet and the first window.

``main.py`` only calls ``run``; tests call it too (it reuses an existing ``QApplication``).
"""

from __future__ import annotations

import argparse
import logging
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtGui import QColor, QFont, QFontDatabase, QPalette
from PySide6.QtWidgets import QApplication, QMessageBox

from ui.display_failure import start_application
from ui.messages import TITLE
from ui.operations import run_in_background, wait_for_background
from ui.shell.main_window import MainWindow
from vpchecklist import __version__, machine_config
from vpchecklist.errors import ConfigError, StorageError, ValidationError
from vpchecklist.logs import setup_logging
from vpchecklist.resources import resources_dir
from vpchecklist.store import Store, open_store

log = logging.getLogger(__name__)

STYLE_SHEET = resources_dir() / "style.qss"
BACKUP_CHECK_MS = 60 * 60 * 1000  # a workstation left running still gets its daily backup
SMOKE_MARKER = "smoke-test: sign-in window shown"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="vpchecklist-app", description=TITLE)
    parser.add_argument(
        "--db",
        help="database file or postgresql://USER@HOST:PORT/DBNAME (default: VPCHECKLIST_DB, "
        "then the configuration file, then the data folder)",
    )
    parser.add_argument("--demo", action="store_true", help="open a temporary demo database")
    parser.add_argument("--seed", type=int, default=7, help=argparse.SUPPRESS)
    parser.add_argument(
        "--smoke-test", action="store_true", help="open the first window, close it and exit"
    )
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    return parser.parse_args(argv)


_FONT_FILES = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf")
_font_family: list[str] = []


def bundled_font_family() -> str:
    """The bundled DejaVu Sans, registered once: the UI's symbols (✖ ⚠ ✓ → …) are tested
    against it, so they render the same on a workstation without that font installed."""
    if not _font_family:
        for name in _FONT_FILES:
            font_id = QFontDatabase.addApplicationFont(str(resources_dir() / "fonts" / name))
            families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
            if families and not _font_family:
                _font_family.append(families[0])
        if not _font_family:
            log.warning("bundled fonts missing; using the platform font")
            _font_family.append("")
    return _font_family[0]


def application() -> QApplication:
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = start_application(lambda: QApplication(sys.argv[:1]))
    app.setApplicationName("VP Checklist")
    app.setApplicationDisplayName("VP Checklist")
    font = QFont(app.font())
    if bundled_font_family():  # every symbol the UI shows is checked against these fonts
        font.setFamily(bundled_font_family())
    font.setPixelSize(15)
    app.setFont(font)
    palette = app.palette()
    for role, colour in (
        (QPalette.ColorRole.Window, "#f3f5f8"),
        (QPalette.ColorRole.WindowText, "#1b1f24"),
        (QPalette.ColorRole.Text, "#1b1f24"),
        (QPalette.ColorRole.ButtonText, "#1b1f24"),
        (QPalette.ColorRole.Base, "#ffffff"),
        (QPalette.ColorRole.PlaceholderText, "#5c6673"),
    ):
        palette.setColor(role, QColor(colour))
    app.setPalette(palette)
    try:
        app.setStyleSheet(STYLE_SHEET.read_text(encoding="utf-8"))
    except OSError:
        log.warning("style sheet %s missing; using the platform style", STYLE_SHEET.name)
    return app


def database_target(args: argparse.Namespace) -> Path | str:
    """Which database to open (``--db``, ``VPCHECKLIST_DB``, this computer's configuration
    file, the data folder); the file's anchor path applies from here on. ``ConfigError`` or
    ``ValidationError`` (a malformed URL) with one sentence when it cannot be decided."""
    config = machine_config.active()
    machine_config.export_anchor_folder(config)
    return machine_config.database_location(args.db, config)


def open_database(
    args: argparse.Namespace, target: Path | str | None = None, password: str | None = None
) -> tuple[Store, Path | None]:
    """The store, and the temporary folder to delete afterwards for ``--demo``."""
    if args.demo:
        folder = Path(tempfile.mkdtemp(prefix="vpchecklist-demo-"))
        return open_store(folder / "demo.sqlite", demo=True), folder
    target = target if target is not None else database_target(args)
    return open_store(target, password=password), None


def _open_asking_password(args: argparse.Namespace, url: str) -> tuple[Store, Path | None] | None:
    """A server database: when it wants a password libpq could not find, the password dialog
    comes before the sign-in screen, and again with the server's refusal after a wrong one.
    None when the user closes it."""
    from ui.shell.database_password_dialog import ask_database_password
    from vpchecklist.database_password import open_asking
    from vpchecklist.store.location import PostgresTarget, describe

    account = PostgresTarget.parse(url).user
    return open_asking(
        lambda password: open_database(args, url, password),
        lambda problem: ask_database_password(describe(url), account, problem),
    )


def show_window(app: QApplication, window: MainWindow) -> None:
    """1280×800 where the screen allows, maximised on smaller screens."""
    screen = app.primaryScreen().availableGeometry()
    if screen.width() <= 1280 or screen.height() <= 800:
        window.setGeometry(screen)
        window.showMaximized()
    else:
        window.resize(1280, 800)
        window.show()


def start_demo(window: MainWindow, store: Store, seed: int, cancel: threading.Event) -> None:
    from ui.shell.demo_session import DEMO_COUNT, seed_demo
    from vpchecklist import demo

    window.login.show_demo_users(demo.DEMO_USERS, demo.DEMO_PASSWORD)
    window.login.set_preparing(f"Preparing {DEMO_COUNT} demo checklists…")

    def ready(count: int) -> None:
        window.login.set_preparing("")
        if not window.login.username.text():
            window.login.reset("demo.nurse")
        log.info("demo database ready with %s checklists", count)

    def failed(error: BaseException) -> None:
        window.login.set_preparing("")
        from ui.messages import show_error

        show_error(window, error)

    run_in_background(
        lambda: seed_demo(store, DEMO_COUNT, seed, cancel),
        ready,
        parent=window,
        on_failure=failed,
        store=store,
    )


def check_anchor_at_start(window: MainWindow, store: Store) -> None:
    """Compare the database with its external anchor and, when it agrees, anchor the current
    head; a database behind its anchor (an older copy put in its place, a lost WAL tail) is
    told to whoever starts the app and logged, and not anchored over."""
    from vpchecklist.services import integrity

    try:
        problems = integrity.check_anchor_at_start(store)
    except StorageError as error:
        log.warning("anchor check at start-up failed: %s", error)
        return
    if problems:
        log.error("database disagrees with its anchor: %s", problems[0])
        QTimer.singleShot(
            0,
            window,
            lambda: QMessageBox.warning(
                window,
                TITLE,
                "This database does not match its external anchor: "
                + problems[0]
                + ". Tell your administrator before signing anything; they can check it with "
                "'vpchecklist audit verify'.",
            ),
        )


def schedule_daily_backups(window: MainWindow, store: Store) -> None:
    """The automatic backup: at start-up when one is due, then checked every hour, always in
    the background; each is verified and the newest 14 kept (services.backups)."""
    from vpchecklist.services import backups

    def attempt() -> None:
        run_in_background(
            lambda: backups.run_daily_if_due(store),
            lambda path: log.info("automatic backup: %s", path.name if path else "not due"),
            parent=window,
            on_failure=lambda error: log.warning("automatic backup failed: %s", error),
            store=store,
        )

    timer = QTimer(window)
    timer.setObjectName("backup.timer")
    timer.timeout.connect(attempt)
    timer.start(BACKUP_CHECK_MS)
    QTimer.singleShot(5_000, window, attempt)  # after the first screen is up and idle


def open_or_recover(args: argparse.Namespace) -> tuple[Store, Path | None] | None:
    """Open the database; when it cannot be opened, say why in plain words and offer the
    recovery dialog (restore a backup), then try again. None when the user gives up."""
    try:
        target = None if args.demo else database_target(args)
    except (ConfigError, ValidationError) as error:
        log.error("no database to open: %s", error)
        _tell(args, error)  # a broken configuration file: nothing to recover, IT fixes it
        return None
    while True:
        try:
            if isinstance(target, str) and not args.smoke_test:
                return _open_asking_password(args, target)
            return open_database(args, target)
        except StorageError as error:
            log.error("database cannot be opened: %s", error)
            if args.smoke_test or args.demo:
                _tell(args, error)
                return None
            if not isinstance(target, Path):  # a server: there is no file to restore here
                if not _retry_server(error):
                    return None
            elif not _recover(target, error):
                return None


def _tell(args: argparse.Namespace, error: Exception) -> None:
    """One sentence on stderr, and in a dialog unless this is the smoke test."""
    print(str(error), file=sys.stderr)
    if not args.smoke_test:
        QMessageBox.critical(None, TITLE, str(error))


def _retry_server(error: StorageError) -> bool:
    """The server could not be used: say why, and let the user try again (IT may be
    restarting it) or close."""
    box = QMessageBox(QMessageBox.Icon.Critical, TITLE, str(error))
    box.setObjectName("databaseUnavailable")
    box.setStandardButtons(QMessageBox.StandardButton.Retry | QMessageBox.StandardButton.Close)
    return box.exec() == QMessageBox.StandardButton.Retry


def _recover(path: Path, error: StorageError) -> bool:
    try:
        from ui.shell.startup_recovery import recover_from_open_failure
    except ModuleNotFoundError:
        QMessageBox.critical(None, TITLE, str(error))
        return False
    return recover_from_open_failure(path, error)


def run(argv: list[str] | None = None) -> int:
    started = time.perf_counter()
    args = parse_args(argv)
    if args.version:
        print(f"VP Checklist {__version__}")
        return 0
    setup_logging()
    app = application()
    opened = open_or_recover(args)
    if opened is None:
        return 1
    store, demo_folder = opened
    cancel = threading.Event()
    window = MainWindow(store, demo=args.demo or store.is_demo)
    show_window(app, window)
    if not args.demo:
        check_anchor_at_start(window, store)
        if store.is_demo:  # a database made by 'vpchecklist demo'
            from vpchecklist import demo

            window.login.show_demo_users(demo.DEMO_USERS, demo.DEMO_PASSWORD)
    if args.smoke_test:

        def finish() -> None:
            print(f"{SMOKE_MARKER} after {time.perf_counter() - started:.3f} s", flush=True)
            window.close()
            app.quit()

        QTimer.singleShot(0, finish)  # queued before start()'s own work: the window is up
    window.start()
    if args.demo and not args.smoke_test:
        start_demo(window, store, args.seed, cancel)
    elif not args.smoke_test:
        schedule_daily_backups(window, store)
    try:
        return app.exec()
    finally:
        cancel.set()
        wait_for_background(60_000)
        window.deleteLater()
        store.close()
        if demo_folder is not None:
            shutil.rmtree(demo_folder, ignore_errors=True)
