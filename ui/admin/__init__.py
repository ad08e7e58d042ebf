"""The administrator's workspace: users, backups, settings and the checklist template, one tab
module each; only services touch the database."""

from ui.admin.page import AdminPage

__all__ = ["AdminPage"]
