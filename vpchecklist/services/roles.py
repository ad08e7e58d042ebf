"""The role table: which role may perform which verb. Enforced in services, not only in the UI."""

from __future__ import annotations

ROLES = ("nurse", "physician", "auditor", "admin")

_CLINICAL = frozenset({"nurse", "physician"})
_READERS = frozenset({"nurse", "physician", "auditor"})

PERMISSIONS: dict[str, frozenset[str]] = {
    "create": _CLINICAL,
    "answer": _CLINICAL,
    "acknowledge": _CLINICAL,
    "sign": _CLINICAL,
    "addendum": _CLINICAL,
    "read": _READERS,
    "export": _READERS,
    "audit_log": frozenset({"auditor", "admin"}),
    "metrics": frozenset({"auditor"}),
    "manage_users": frozenset({"admin"}),
    "backup": frozenset({"admin"}),
    "settings": frozenset({"admin"}),
}

VERB_WORDS = {
    "create": "create checklists",
    "answer": "answer checklist items",
    "acknowledge": "acknowledge warnings",
    "sign": "sign checklists",
    "addendum": "add addenda",
    "read": "read checklists",
    "export": "export checklists",
    "audit_log": "read the audit log",
    "metrics": "read completion metrics",
    "manage_users": "manage users",
    "backup": "manage backups",
    "settings": "change settings",
}


def allowed(role: str, verb: str) -> bool:
    return role in PERMISSIONS[verb]
