"""The auditor workspace: every record, filters, a read-only record view with its audit trail,
and background export to a folder."""

from ui.auditor.page import AuditorPage

__all__ = ["AuditorPage"]
