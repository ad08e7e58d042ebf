"""The day's schedule from the hospital's systems: HL7 v2 messages read into appointments.

Pure reading (no store, no services): ``messages`` turns text into appointments or refusals;
``services.schedule`` stores them.
"""
