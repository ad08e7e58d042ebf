"""Peewee models. Portable SQL only: SQLite specifics live in ``connection`` and ``schema``.

Timestamps are ISO-8601 UTC text (``2026-11-25T10:30:00.123456Z``) so that the canonical record
form, and therefore its hash, is identical on every database engine.
"""

from __future__ import annotations

from peewee import (
    AutoField,
    BooleanField,
    CharField,
    DatabaseProxy,
    FloatField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)

from vpchecklist.canonical import digest

database = DatabaseProxy()


class BaseModel(Model):
    """Foreign-key ``*_id`` attributes are declared on the models for the type checker."""

    class Meta:
        database = database
        legacy_table_names = False


class SchemaVersion(BaseModel):
    version = IntegerField()
    applied_at = CharField()


class Setting(BaseModel):
    key = CharField(primary_key=True)
    value = TextField()


class User(BaseModel):
    id = AutoField()
    username = CharField(unique=True)
    full_name = CharField()
    role = CharField()  # nurse | physician | auditor | admin
    password_hash = CharField()
    active = BooleanField(default=True)
    must_change_password = BooleanField(default=False)
    failed_attempts = IntegerField(default=0)
    locked_until = CharField(null=True)
    created_at = CharField()

    def audited_state(self) -> dict[str, object]:
        """What the audit trail records of an account at each change, and ``audit verify``
        compares with the row (the lockout counters are not part of it)."""
        return {
            "full_name": self.full_name,
            "role": self.role,
            "active": bool(self.active),
            "must_change_password": bool(self.must_change_password),
            "password": digest(self.password_hash),
        }


class TemplateRecord(BaseModel):
    """Every template version ever used, verbatim, so old records can always be re-evaluated."""

    content_hash = CharField(primary_key=True)
    template_id = CharField()
    version = CharField()
    source = TextField()
    loaded_at = CharField()
    active = BooleanField(default=False)


class Checklist(BaseModel):
    created_by_id: int
    id = AutoField()
    template_hash = CharField(index=True)
    template_id = CharField()
    template_version = CharField()
    patient_name = CharField()
    # name_search.name_key(patient_name): case- and accent-free, for the prefix search (v5).
    search_name = CharField(null=True, index=True)
    date_of_birth = CharField()
    mrn = CharField(index=True)
    levels = CharField()  # JSON list, cranial to caudal
    planned_start = CharField(index=True)  # local YYYY-MM-DDTHH:MM
    physician = CharField()
    timezone = CharField()  # workstation zone when created, e.g. "Europe/Warsaw (+01:00)"
    status = CharField(index=True, default="draft")  # draft | signed | postponed
    created_by = ForeignKeyField(User, backref="checklists")
    created_at = CharField(index=True)
    updated_at = CharField()
    # Denormalised from the record signature so that lists over 100k rows need no join.
    signed_by_name = CharField(null=True)
    signed_at = CharField(null=True, index=True)
    warning_count = IntegerField(default=0)
    progress = IntegerField(default=0)  # % of required items answered
    is_demo = BooleanField(default=False)


class Answer(BaseModel):
    id: int
    checklist_id: int
    answered_by_id: int
    checklist = ForeignKeyField(Checklist, backref="answers", on_delete="RESTRICT")
    item_id = CharField()
    value = TextField()  # canonical JSON
    value_utc = CharField(null=True)  # datetime answers: the same instant in UTC
    answered_by = ForeignKeyField(User)
    answered_at = CharField()
    # How a confirmation was made where that matters: "scanned" (the wristband's barcode) or
    # "by_hand"; NULL for every other answer (so older records hash exactly as before).
    provenance = CharField(null=True)

    class Meta:
        indexes = ((("checklist", "item_id"), True),)


class AnswerHistory(BaseModel):
    id: int
    checklist_id: int
    changed_by_id: int
    checklist = ForeignKeyField(Checklist, backref="history", on_delete="RESTRICT")
    item_id = CharField()
    old_value = TextField(null=True)
    new_value = TextField(null=True)
    changed_by = ForeignKeyField(User)
    changed_at = CharField()
    # The id the saving workstation gave this save before its first attempt (v6): a save
    # retried after a dropped connection finds it here and is not written twice. Not part of
    # any signed content.
    request_id = CharField(null=True, unique=True)


class Acknowledgement(BaseModel):
    id: int
    checklist_id: int
    acknowledged_by_id: int
    checklist = ForeignKeyField(Checklist, backref="acknowledgements", on_delete="RESTRICT")
    item_id = CharField()
    warning = TextField()  # the warning text as shown when acknowledged
    reason = TextField()
    physician_informed = CharField()
    acknowledged_by = ForeignKeyField(User)
    acknowledged_at = CharField()

    class Meta:
        indexes = ((("checklist", "item_id"), True),)


class Addendum(BaseModel):
    id: int
    checklist_id: int
    author_id: int
    checklist = ForeignKeyField(Checklist, backref="addenda", on_delete="RESTRICT")
    text = TextField()
    author = ForeignKeyField(User)
    created_at = CharField()


class Signature(BaseModel):
    """One link of the global hash chain: a record sign-off or an addendum sign-off."""

    id: int
    checklist_id: int
    addendum_id: int | None
    signer_id: int

    seq = IntegerField(unique=True)
    checklist = ForeignKeyField(Checklist, backref="signatures", on_delete="RESTRICT")
    addendum = ForeignKeyField(Addendum, null=True, on_delete="RESTRICT")
    signer = ForeignKeyField(User)
    printed_name = CharField()
    role = CharField()
    meaning = CharField()  # ready | postponed | addendum
    reason = TextField(null=True)
    signed_at = CharField()
    content = TextField()  # canonical JSON of what was signed
    prev_hash = CharField()
    record_hash = CharField()  # sha256(prev_hash + content)
    # The signing workstation's id for this signature (v6): a signature retried after a
    # dropped connection returns this one instead of signing twice. Outside ``content``, so
    # not signed itself and never part of a hash.
    request_id = CharField(null=True, unique=True)


class DatabaseInfo(BaseModel):
    """Facts fixed when the database was created (its id, whether it is a demo database);
    written once, never changed (triggers)."""

    key = CharField(primary_key=True)
    value = TextField()


class AuditEvent(BaseModel):
    """One link of the event chain: every event is hashed with the one before it."""

    id: int
    seq = IntegerField(null=True, unique=True)
    at = CharField(index=True)
    username = CharField(null=True)
    action = CharField()
    outcome = CharField()  # ok | refused | failed
    checklist_id = IntegerField(null=True, index=True)
    detail = TextField(default="")
    # What a user, settings or template change concerns ("user:alice", "settings", "template"):
    # the triggers on those tables let a change through only right after its audit event.
    subject = CharField(null=True)
    prev_hash = CharField(null=True)
    event_hash = CharField(null=True)


class Appointment(BaseModel):
    """A visit from the hospital's schedule (HL7 SIU/ORM), until a checklist is started from it.

    ``key`` names the visit across messages (``appointment:<SCH-1>`` / ``order:<ORC-2>``).
    """

    id = AutoField()
    key = CharField(unique=True)
    mrn = CharField(index=True)
    patient_name = CharField()
    date_of_birth = CharField()
    planned_start = CharField(index=True)  # local YYYY-MM-DDTHH:MM, like Checklist
    physician = CharField(default="")
    levels = CharField(default="[]")  # JSON list; empty when the nurse picks them
    status = CharField(default="scheduled")  # scheduled | started | cancelled
    checklist_id = IntegerField(null=True, index=True)
    message_control_id = CharField()  # the last message that changed it
    created_at = CharField()
    updated_at = CharField()


class CompletionSummary(BaseModel):
    """How a closed record was completed (issue 15), written with its record signature.

    Derived from the answer times in ``answer_history`` and never changed (signed records do
    not change), so a period of thousands of records is summed from one compact row each
    instead of every answer time. ``method`` names the arithmetic that made it: a summary of
    an older method is recomputed from the answer times when read.
    """

    checklist_id: int
    checklist = ForeignKeyField(
        Checklist, primary_key=True, backref="completion", on_delete="RESTRICT"
    )
    method = IntegerField()
    answered = IntegerField()
    timed_items = IntegerField()
    imported_answers = IntegerField()
    total_seconds = FloatField(null=True)
    fast_answers = IntegerField()
    changed_answers = IntegerField()
    timeout_timing = CharField()  # ok | early | late | missing
    rushed = BooleanField()
    rushed_because = TextField(default="")
    stops = TextField(default="[]")  # JSON list of the hard stops' item ids at signing


ALL_MODELS: list[type[BaseModel]] = [
    SchemaVersion,
    Setting,
    User,
    TemplateRecord,
    Checklist,
    Answer,
    AnswerHistory,
    Acknowledgement,
    Addendum,
    Signature,
    AuditEvent,
    Appointment,
    CompletionSummary,
    DatabaseInfo,
]
