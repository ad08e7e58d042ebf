"""Persistence: peewee models, connection set-up and numbered migrations (Vorta's ``store/``)."""

from vpchecklist.store.connection import Store, open_store

__all__ = ["Store", "open_store"]
