"""VP Checklist core: template, rules, storage, services, export and CLI (no Qt)."""

__version__ = "0.1.0"
