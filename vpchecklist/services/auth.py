"""Passwords (argon2id), sign-in, lockout after repeated failures, password changes."""

from __future__ import annotations

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


def _verify(user: User, password: str) -> bool:
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def actor_of(user: User) -> Actor:
    return Actor(user.id, user.username, user.full_name, user.role, user.must_change_password)


def _locked_until(user: User) -> datetime | None:
    if not user.locked_until:
        return None
    until = parse_utc(user.locked_until)
    return until if until > datetime.now(UTC) else None


def check_credentials(store: Store, username: str, password: str, action: str = "login") -> Actor:
    """Verify a password, counting failures towards the lockout; audited either way.

    Used for sign-in and for re-authentication at signing, so both share one lockout counter.
    """
    with store.reading():
        user = User.get_or_none(User.username == username)
    if user is None:
        error: AuthError = AuthError("Wrong username or password.")
        audit.record_refusal(store, username, action, None, error)
        raise error
    until = _locked_until(user)
    if until is not None:
        minutes = max(1, int((until - datetime.now(UTC)).total_seconds() // 60) + 1)
        error = AuthError(
            f"The account {username} is locked after {MAX_FAILED_ATTEMPTS} failed sign-ins; "
            f"try again in {minutes} minute{'s' if minutes != 1 else ''} or ask an administrator."
        )
        audit.record_refusal(store, username, action, None, error)
        raise error
    if not user.active:
        error = AuthError(f"The account {username} is disabled; ask an administrator.")
        audit.record_refusal(store, username, action, None, error)
        raise error
    if not _verify(user, password if isinstance(password, str) else ""):
        _count_failure(store, user, action)
        raise AuthError("Wrong username or password.")
    if user.failed_attempts:
        with store.transaction():
            User.update(failed_attempts=0, locked_until=None).where(User.id == user.id).execute()
            audit.record(username, action, "ok")
    elif action == "login":
        with store.transaction():
            audit.record(username, action, "ok")
    return actor_of(user)


def _count_failure(store: Store, user: User, action: str) -> None:
    with store.transaction():
        fresh = User.get_by_id(user.id)
        attempts = fresh.failed_attempts + 1
        locked = None
        if attempts >= MAX_FAILED_ATTEMPTS:
            locked = (datetime.now(UTC) + LOCKOUT).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
            attempts = 0
        User.update(failed_attempts=attempts, locked_until=locked).where(
            User.id == user.id
        ).execute()
        audit.record(user.username, action, "failed", reason="wrong password")
        if locked:
            audit.record(user.username, "lockout", "ok", until=locked)


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
        User.update(password_hash=hash_password(new), must_change_password=False).where(
            User.id == actor.id
        ).execute()
        audit.record(username, "password_change", "ok")
    return Actor(actor.id, actor.username, actor.full_name, actor.role, False)
