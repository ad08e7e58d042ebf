"""User administration: first administrator, add, list, disable, reset password (admin only)."""

from __future__ import annotations

import re
from typing import Any

from vpchecklist.clock import utc_now
from vpchecklist.errors import NotFound, ValidationError
from vpchecklist.rules.values import clean_text
from vpchecklist.services import audit
from vpchecklist.services.actors import Actor
from vpchecklist.services.auth import actor_of, check_password_policy, hash_password
from vpchecklist.services.roles import ROLES
from vpchecklist.services.verbs import performing
from vpchecklist.store import Store
from vpchecklist.store.models import User

_USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,31}$")


def _check_username(username: str) -> str:
    name = username.strip().lower() if isinstance(username, str) else ""
    if not _USERNAME_RE.match(name):
        raise ValidationError(
            "username", "a username has 2–32 lower-case letters, digits, '.', '_' or '-'"
        )
    return name


def has_users(store: Store) -> bool:
    with store.reading():
        return User.select().exists()


def create_first_admin(store: Store, username: str, full_name: str, password: str) -> Actor:
    """Only on an empty database: creates its first administrator."""
    name = _check_username(username)
    full = clean_text("full_name", full_name, "the full name", 200)
    check_password_policy(password)
    with store.transaction():
        if User.select().exists():
            raise ValidationError(
                None, "This database already has users; sign in as an administrator."
            )
        user = User(
            username=name,
            full_name=full,
            role="admin",
            password_hash=hash_password(password),
            created_at=utc_now(),
        )
        audit.record_user_change(
            name, "user_add", user, username_added=name, role="admin", first_admin=True
        )
        user.save(force_insert=True)
    return actor_of(user)


def add_user(
    store: Store,
    actor: Actor,
    username: str,
    role: str,
    full_name: str,
    password: str,
    must_change_password: bool = True,
) -> Actor:
    """A user created by an administrator must change the given password at first sign-in."""
    with performing(store, actor, "manage_users", action="user_add"):
        name = _check_username(username)
        if role not in ROLES:
            raise ValidationError("role", f"role must be one of {', '.join(ROLES)}, not {role!r}")
        full = clean_text("full_name", full_name, "the full name", 200)
        check_password_policy(password)
        with store.transaction():
            if User.get_or_none(User.username == name) is not None:
                raise ValidationError("username", f"the user {name} already exists")
            user = User(
                username=name,
                full_name=full,
                role=role,
                password_hash=hash_password(password),
                must_change_password=must_change_password,
                created_at=utc_now(),
            )
            audit.record_user_change(
                actor.username, "user_add", user, username_added=name, role=role
            )
            user.save(force_insert=True)
        return actor_of(user)


def list_users(store: Store, actor: Actor) -> list[dict[str, Any]]:
    audit.require(store, actor, "manage_users")
    with store.reading():
        return [
            {
                "username": u.username,
                "full_name": u.full_name,
                "role": u.role,
                "active": u.active,
                "must_change_password": u.must_change_password,
                "locked_until": u.locked_until,
                "created_at": u.created_at,
            }
            for u in User.select().order_by(User.username)
        ]


def _get(username: str) -> User:
    user = User.get_or_none(User.username == username.strip().lower())
    if user is None:
        raise NotFound(f"There is no user {username}.")
    return user


def disable_user(store: Store, actor: Actor, username: str) -> None:
    """Users are disabled, never deleted: their signatures name them."""
    with performing(store, actor, "manage_users", action="user_disable"), store.transaction():
        user = _get(username)
        if user.id == actor.id:
            raise ValidationError("username", "you cannot disable your own account")
        user.active = False
        audit.record_user_change(
            actor.username, "user_disable", user, username_disabled=user.username
        )
        User.update(active=False).where(User.id == user.id).execute()


def enable_user(store: Store, actor: Actor, username: str) -> None:
    """A disabled account may act again (its lock and failure count are cleared too)."""
    with performing(store, actor, "manage_users", action="user_enable"), store.transaction():
        user = _get(username)
        user.active = True
        audit.record_user_change(
            actor.username, "user_enable", user, username_enabled=user.username
        )
        User.update(active=True, failed_attempts=0, locked_until=None).where(
            User.id == user.id
        ).execute()


def unlock_user(store: Store, actor: Actor, username: str) -> None:
    """Lift a lockout before it expires (the user called the administrator), count reset."""
    with performing(store, actor, "manage_users", action="user_unlock"), store.transaction():
        user = _get(username)
        User.update(failed_attempts=0, locked_until=None).where(User.id == user.id).execute()
        audit.record(actor.username, "user_unlock", username_unlocked=user.username)


def reset_password(store: Store, actor: Actor, username: str, password: str) -> None:
    with performing(store, actor, "manage_users", action="password_reset"):
        check_password_policy(password)
        with store.transaction():
            user = _get(username)
            user.password_hash = hash_password(password)
            user.must_change_password = True
            audit.record_user_change(
                actor.username, "password_reset", user, username_reset=user.username
            )
            User.update(
                password_hash=user.password_hash,
                must_change_password=True,
                failed_attempts=0,
                locked_until=None,
            ).where(User.id == user.id).execute()
