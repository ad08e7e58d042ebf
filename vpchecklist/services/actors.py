"""Who is acting: the authenticated user every service call carries, and whether they still may.

An ``Actor`` is made at sign-in and kept by an open session (the app window, a CLI command).
An administrator may disable or demote the user meanwhile, so every service call re-reads the
account (``refusal``) instead of trusting the role the session started with.
"""

from __future__ import annotations

from dataclasses import dataclass

from vpchecklist.errors import AuthError, PermissionDenied
from vpchecklist.store.models import database

_ACCOUNT = 'SELECT active, role FROM "user" WHERE id = ?'


@dataclass(frozen=True)
class Actor:
    id: int
    username: str
    full_name: str
    role: str
    must_change_password: bool = False


def refusal(actor: Actor) -> AuthError | PermissionDenied | None:
    """Why the actor's session may no longer act, or None while it may.

    One indexed read per service call (tens of microseconds, fixed SQL: it runs on every
    answer save).
    """
    row = database.execute_sql(_ACCOUNT, (actor.id,)).fetchone()
    if row is None or not row[0]:
        return AuthError(f"The account {actor.username} is disabled; ask an administrator.")
    if row[1] != actor.role:
        return PermissionDenied(
            f"The role of {actor.username} changed to {row[1]} since signing in; sign in again."
        )
    return None
