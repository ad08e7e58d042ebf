"""Passwords (argon2id), sign-in, lockout after repeated failures, password changes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from vpchecklist.clock import parse_utc
from vpchecklist.errors import AuthError, PasswordChangeRequired, ValidationError
from vpchecklist.services import audit
from vpchecklist.services.actors import Actor
from vpchecklist.store import Store
from vpchecklist.store.models import User

MIN_PASSWORD_LENGTH = 10
MAX_FAILED_ATTEMPTS = 5
LOCKOUT = timedelta(minutes=15)

# argon2id at OWASP's recommended minimum (19 MiB, 2 passes): re-authentication at every
# signature must stay quick on an old workstation, and the hash still costs an attacker dearly.
_hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password_policy(password: str) -> None:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(
            "password", f"a password needs at least {MIN_PASSWORD_LENGTH} characters"
        )
    if len(password) > 256:
        raise ValidationError("password", "a password can have at most 256 characters")


# What an unknown user's password is checked against: a real argon2id hash with the same
# parameters as ``_hasher`` (of a random secret nobody knows), so that an unknown username costs
# the same time as a known one. A constant, not made at start-up: each CLI command is a new
# process, and hashing first would make an unknown user twice as slow.
_DUMMY_HASH = (
    "$argon2id$v=19$m=19456,t=2,p=1$koqUkZDXU+3NboxYbT4fqw$"
    "ax9BrazpkzjCS5uI8sNbRDRsNtx+GR/hE2Q6pHi5w0Q"
)
WRONG_CREDENTIALS = "Wrong username or password."


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def actor_of(user: User) -> Actor:
    return Actor(user.id, user.username, user.full_name, user.role, user.must_change_password)


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class _Attempt:
    """One sign-in attempt as reserved before the (slow) password check."""

    user: User | None
    password_hash: str  # the user's, or the dummy when the attempt may not be checked
    locked_until: datetime | None  # the account's lock, when one is in force
    locks: bool  # a failure of this attempt locks the account
    checked: bool = True  # False: no check left in this window, compared with the dummy


def _reserve(username: str) -> _Attempt:
    """Count the attempt before its password is checked, inside one ``BEGIN IMMEDIATE``
    transaction: parallel guessers queue on the database lock, so no more than
    ``MAX_FAILED_ATTEMPTS`` passwords are checked before the account locks, and no more than
    that again while it is locked (each process sees the others' counts).
    """
    user = User.get_or_none(User.username == username)
    if user is None:
        return _Attempt(None, _DUMMY_HASH, None, False)
    now = datetime.now(UTC)
    until = parse_utc(user.locked_until) if user.locked_until else None
    attempts = user.failed_attempts
    if until is not None and until <= now:  # an expired lock starts a fresh count
        until, attempts = None, 0
    if attempts >= MAX_FAILED_ATTEMPTS:  # no check left in this window: nothing to learn
        return _Attempt(user, _DUMMY_HASH, until, False, checked=False)
    attempts += 1
    User.update(failed_attempts=attempts, locked_until=_stamp(until) if until else None).where(
        User.id == user.id
    ).execute()
    return _Attempt(
        user, user.password_hash, until, until is None and attempts >= MAX_FAILED_ATTEMPTS
    )


def _record_failure(store: Store, username: str, attempt: _Attempt, action: str) -> None:
    """Audit a wrong password (or unknown user); lock the account when it was the last try."""
    with store.transaction():
        if attempt.user is None:
            audit.record(username, action, "refused", reason=WRONG_CREDENTIALS)
            return
        if not attempt.checked:
            audit.record(username, action, "refused", reason="too many attempts; not checked")
            return
        audit.record(username, action, "failed", reason="wrong password")
        if attempt.locks:
            locked = _stamp(datetime.now(UTC) + LOCKOUT)
            # The count starts again for the lock's own window (see _reserve).
            User.update(failed_attempts=0, locked_until=locked).where(
                User.id == attempt.user.id
            ).execute()
            audit.record(username, "lockout", "ok", until=locked)


def _refuse(store: Store, username: str, action: str, message: str) -> AuthError:
    error = AuthError(message)
    audit.record_refusal(store, username, action, None, error)
    return error


def check_credentials(store: Store, username: str, password: str, action: str = "login") -> Actor:
    """Verify a password, counting failures towards the lockout; audited either way.

    Used for sign-in and for re-authentication at signing, so both share one lockout counter.
    Unknown and known users cost the same (one argon2id check, two short transactions) and get
    the same sentence; a lock or a disabled account is named only to whoever gave its right
    password.
    """
    with store.transaction():
        attempt = _reserve(username)
    if not _verify(attempt.password_hash, password if isinstance(password, str) else ""):
        _record_failure(store, username, attempt, action)
        raise AuthError(WRONG_CREDENTIALS)
    user = attempt.user
    assert user is not None  # the dummy hash matches no password
    if attempt.locked_until is not None:
        minutes = max(1, int((attempt.locked_until - datetime.now(UTC)).total_seconds() // 60) + 1)
        raise _refuse(
            store,
            username,
            action,
            f"The account {username} is locked after {MAX_FAILED_ATTEMPTS} failed sign-ins; "
            f"try again in {minutes} minute{'s' if minutes != 1 else ''} or ask an administrator.",
        )
    if not user.active:
        raise _refuse(
            store, username, action, f"The account {username} is disabled; ask an administrator."
        )
    with store.transaction():
        User.update(failed_attempts=0, locked_until=None).where(User.id == user.id).execute()
        if action == "login" or user.failed_attempts:
            audit.record(username, action, "ok")
    return actor_of(user)


def authenticate(store: Store, username: str, password: str) -> Actor:
    """Sign in. A user whose password was set by an administrator must change it first."""
    actor = check_credentials(store, username, password, "login")
    if actor.must_change_password:
        raise PasswordChangeRequired(
            f"{username} must choose a new password before continuing "
            "(the current one was set by an administrator)."
        )
    return actor


def change_password(store: Store, username: str, current: str, new: str) -> Actor:
    """The user's own password change (also how an administrator-set password is replaced)."""
    actor = check_credentials(store, username, current, "password_change")
    check_password_policy(new)
    if new == current:
        raise ValidationError("password", "the new password must differ from the current one")
    with store.transaction():
        user = User.get_by_id(actor.id)
        user.password_hash = hash_password(new)
        user.must_change_password = False
        audit.record_user_change(username, "password_change", user)
        User.update(password_hash=user.password_hash, must_change_password=False).where(
            User.id == actor.id
        ).execute()
    return Actor(actor.id, actor.username, actor.full_name, actor.role, False)
