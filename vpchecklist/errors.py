"""Domain errors: each carries one sentence a nurse understands.

The UI and the CLI show ``str(error)``; tracebacks go to the log file only.
"""

from __future__ import annotations


class VPError(Exception):
    """Base of every failure the user may see; ``str()`` is the plain sentence."""

    exit_code = 2


class ValidationError(VPError):
    """A value or input that cannot be accepted."""

    def __init__(self, item_id: str | None, message: str) -> None:
        self.item_id = item_id
        self.message = message
        super().__init__(f"{item_id}: {message}" if item_id else message)


class TemplateError(VPError):
    """A checklist template file that cannot be used."""


class AuthError(VPError):
    """Wrong credentials, locked or disabled account."""

    exit_code = 1


class PasswordChangeRequired(AuthError):
    """The user signed in with an administrator-set password and must choose a new one."""


class PermissionDenied(VPError):
    """The user's role does not allow the action."""

    exit_code = 1


class NotFound(VPError):
    """A record, user or file that does not exist."""


class SignatureError(VPError):
    """Sign-off refused: what blocks it is in ``blockers``."""

    exit_code = 1

    def __init__(self, message: str, blockers: list[str] | None = None) -> None:
        self.blockers = blockers or []
        super().__init__(message)


class ReviewOutdated(VPError):
    """The draft changed between the signer's review and the signature (another workstation
    saved an answer): nothing was signed; review the current content and sign again."""

    exit_code = 1


class RecordLocked(VPError):
    """A signed record cannot be changed; corrections are addenda."""

    exit_code = 1


class ConfigError(VPError):
    """This computer's configuration file (``vpchecklist.toml``) cannot be used; the sentence
    names the file and the line. Nothing is opened until it is fixed."""


class StorageError(VPError):
    """The database cannot be opened, read or written."""


class DatabasePasswordNeeded(StorageError):
    """The PostgreSQL server asks for a password that neither ``PGPASSWORD`` nor ``~/.pgpass``
    supplied: the CLI prompts for it, the app asks in a dialog, then ``open_store`` again."""


class ConnectionLost(StorageError):
    """The PostgreSQL server could not be reached (or dropped the connection) while working:
    nothing of the interrupted write was kept; the store reconnects on the next call."""
