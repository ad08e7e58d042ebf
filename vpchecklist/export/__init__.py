"""Faithful copies of records: PDF (reportlab) and CSV. No Qt here; the UI and CLI call
``vpchecklist.export.commands``."""
