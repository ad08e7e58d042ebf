"""Faithful copies of records, rendered: PDF (reportlab) and CSV, and a PDF's text read back.

Record in, bytes out: no store, no services, no audit (the verbs are in
``vpchecklist.services.exports``). No Qt here.
"""
