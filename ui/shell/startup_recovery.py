"""Start-up recovery: the database cannot be opened (damaged, from a newer version, unreadable).

A plain dialog says what happened and offers to restore the newest good backup; the bad file is
moved aside first (the restore keeps it), never deleted, and no empty database is ever
created in its place. The shell re-opens the database when ``recover_from_open_failure`` returns
True and quits when it returns False.
"""

from __future__ import annotations

import logging
from datetime import datetime
from enum import Enum
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from ui.messages import TITLE, plain_message, window_title
from ui.operations import Operation, run_in_background
from ui.widgets import button, error_label, line_edit, show_inline
from vpchecklist.errors import StorageError
from vpchecklist.presentation import local_moment
from vpchecklist.services.backups import Restored, newest_good_backup, restore
from vpchecklist.store.backup import check_file

log = logging.getLogger(__name__)


class Problem(Enum):
    DAMAGED = "damaged"
    NEWER = "newer"
    UNREADABLE = "unreadable"


HEADLINES = {
    Problem.DAMAGED: "The database file is damaged.",
    Problem.NEWER: "The database was written by a newer version of VP Checklist.",
    Problem.UNREADABLE: "The database file cannot be read.",
}

EXPLANATIONS = {
    Problem.DAMAGED: (
        "VP Checklist found that its database file is damaged (for example after a power cut, "
        "a full disk or a failing drive), so it cannot be used safely."
    ),
    Problem.NEWER: (
        "This copy of VP Checklist is older than the one that last wrote the database. Install "
        "the newer version if this workstation should run it; restoring a backup goes back to "
        "an older copy of the data."
    ),
    Problem.UNREADABLE: (
        "The database file could not be opened. It may be locked by another program, its "
        "permissions may have changed, or it is not a VP Checklist database. An IT administrator "
        "may be able to fix this without restoring."
    ),
}


def classify(db_path: Path, error: StorageError) -> Problem:
    """Which of the three cases the dialog explains, from the error and a read-only look."""
    text = str(error).lower()
    if "newer version" in text:
        return Problem.NEWER
    if "damaged" in text:
        return Problem.DAMAGED
    if not db_path.is_file():
        return Problem.UNREADABLE
    problems = " ".join(check_file(db_path)).lower()
    if "newer version" in problems:
        return Problem.NEWER
    unusable = ("cannot be opened", "does not exist", "not a vp checklist database")
    if problems and not any(word in problems for word in unusable):
        return Problem.DAMAGED  # failed its integrity check, or not a database file at all
    return Problem.UNREADABLE


def _when(path: Path) -> str:
    moment = datetime.fromtimestamp(path.stat().st_mtime).astimezone()
    return f"{local_moment(moment)} {moment.tzname()}"


class RecoveryDialog(QDialog):
    """Offers the newest good backup in ``backup_folder`` (default: ``backups`` beside the
    database). ``restored`` and ``kept`` tell what happened once it is accepted."""

    def __init__(
        self,
        db_path: Path,
        error: StorageError,
        backup_folder: Path | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("recovery.dialog")
        self.setWindowTitle(window_title("The database cannot be opened"))
        self.db_path = Path(db_path)
        self.error = error
        self.backup_folder = backup_folder or self.db_path.parent / "backups"
        self.problem = classify(self.db_path, error)
        self.backup: Path | None = newest_good_backup(self.backup_folder)
        self.restored = False
        self.kept: Path | None = None
        self.operation: Operation | None = None

        headline = QLabel(HEADLINES[self.problem])
        headline.setObjectName("recovery.headline")
        headline.setStyleSheet("font-size: 20px; font-weight: 700;")
        headline.setWordWrap(True)
        explanation = QLabel(EXPLANATIONS[self.problem])
        explanation.setObjectName("recovery.explanation")
        explanation.setWordWrap(True)
        details = QLabel(f"Details: {error}")
        details.setObjectName("recovery.details")
        details.setProperty("role", "detail")
        details.setWordWrap(True)
        details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.offer = QLabel()
        self.offer.setObjectName("recovery.offer")
        self.offer.setWordWrap(True)
        self.message = error_label("recovery.message")
        # Restoring replaces the database: an administrator of the backup confirms it.
        self.admin_hint = QLabel("An administrator confirms the restore with their password:")
        self.admin_hint.setObjectName("recovery.admin_hint")
        self.username = line_edit("recovery.username", "Administrator user name", "user name")
        self.password = line_edit("recovery.password", "Administrator password", "password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        credentials = QHBoxLayout()
        credentials.addWidget(self.username)
        credentials.addWidget(self.password)

        self.choose = button(
            "Choose another backup…", "recovery.choose", "Choose another backup file"
        )
        self.quit_button = button("Quit", "recovery.quit", "Quit without changing anything")
        self.restore_button = button("Restore backup", "recovery.restore", "Restore the backup")
        buttons = QHBoxLayout()
        buttons.addWidget(self.choose)
        buttons.addStretch(1)
        buttons.addWidget(self.quit_button)
        buttons.addWidget(self.restore_button)

        layout = QVBoxLayout(self)
        layout.setSpacing(12)
        layout.addWidget(headline)
        layout.addWidget(explanation)
        layout.addWidget(details)
        layout.addWidget(self.offer)
        layout.addWidget(self.admin_hint)
        layout.addLayout(credentials)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.setMinimumWidth(680)

        self.choose.clicked.connect(self._choose_backup)
        self.quit_button.clicked.connect(self.reject)
        self.restore_button.clicked.connect(self.restore)
        self._show_offer()

    def _show_offer(self) -> None:
        if self.backup is None:
            self.offer.setText(
                f"No good backup was found in {self.backup_folder}. Choose a backup file if you "
                "have one elsewhere, or quit and ask your IT administrator. VP Checklist will not "
                "start with a new, empty database in place of this one."
            )
            self.restore_button.setEnabled(False)
            self.quit_button.setDefault(True)
            self._fit()
            return
        self.offer.setText(
            f"The newest good backup is from {_when(self.backup)} ({self.backup.name}). Restoring "
            "it first moves the current file aside (it is kept, not deleted) and then puts the "
            "backup in its place. Checklists saved after the backup was made are not in it and "
            "must be entered again from the paper record."
        )
        self.restore_button.setEnabled(True)
        # Going back to older data is not the obvious choice when only the program is too old.
        (self.quit_button if self.problem is Problem.NEWER else self.restore_button).setDefault(
            True
        )
        self._fit()

    def _fit(self) -> None:
        """Word-wrapped labels: size the dialog from their height at its width, not their
        one-line width (which clips the last lines)."""
        layout = self.layout()
        if layout is None:
            return
        width = max(self.width(), self.minimumWidth())
        self.resize(width, layout.totalHeightForWidth(width))

    def _choose_backup(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self,
            "Choose a backup to restore",
            str(self.backup_folder),
            "VP Checklist backups (*.sqlite);;All files (*)",
        )
        if path:
            self.use_backup(Path(path))

    def use_backup(self, path: Path) -> bool:
        """Offer ``path`` instead of the newest backup, if it passes its check."""
        problems = check_file(path)
        if problems:
            show_inline(self.message, f"That file cannot be restored: {problems[0]}.")
            self._fit()
            return False
        show_inline(self.message, "")
        self.backup = path
        self._show_offer()
        return True

    def restore(self) -> None:
        if self.backup is None or self.operation is not None:
            return
        username, password = self.username.text().strip(), self.password.text()
        if not username or not password:
            show_inline(
                self.message, "An administrator's user name and password are needed to restore."
            )
            self._fit()
            return
        backup, database = self.backup, self.db_path
        for push in (self.restore_button, self.quit_button, self.choose):
            push.setEnabled(False)
        self.restore_button.setText("Restoring…")
        show_inline(self.message, "")
        self.operation = run_in_background(
            lambda: restore(database, backup, username, password),
            self._restored,
            parent=self,
            on_failure=self._failed,
        )

    def _restored(self, result: Restored) -> None:
        self.operation = None
        self.restored = True
        self.kept = result.kept
        self.password.clear()
        log.info("database restored from backup %s", self.backup.name if self.backup else "?")
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.operation = None
        self.restore_button.setText("Restore backup")
        self.quit_button.setEnabled(True)
        self.choose.setEnabled(True)
        self.restore_button.setEnabled(self.backup is not None)
        self.password.clear()
        show_inline(self.message, f"The backup was not restored. {plain_message(error)}")
        self._fit()

    def reject(self) -> None:
        if self.operation is None:  # a restore in progress finishes before the dialog closes
            super().reject()

    def done_message(self) -> str:
        kept = f" The file that could not be opened was kept as {self.kept}." if self.kept else ""
        return f"The database was restored from {self.backup.name if self.backup else 'a backup'}.{kept}"


def recover_from_open_failure(
    db_path: Path, error: StorageError, parent: QWidget | None = None
) -> bool:
    """Show the recovery dialog (modal); True when a backup was restored and the shell should
    open the database again, False when the user quit."""
    log.error("database cannot be opened: %s", error)
    dialog = RecoveryDialog(db_path, error, parent=parent)
    accepted = dialog.exec() == QDialog.DialogCode.Accepted and dialog.restored
    if accepted:
        QMessageBox.information(parent, TITLE, dialog.done_message())
    dialog.deleteLater()
    return accepted
