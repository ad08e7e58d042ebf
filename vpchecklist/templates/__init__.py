"""Checklist templates: clinical content as validated data."""

from vpchecklist.templates.loader import (
    bundled_for_document,
    bundled_template,
    default_template,
    load_template,
    load_template_text,
    pinned_version,
)
from vpchecklist.templates.model import Item, Section, Template

__all__ = [
    "Item",
    "Section",
    "Template",
    "bundled_for_document",
    "bundled_template",
    "default_template",
    "load_template",
    "load_template_text",
    "pinned_version",
]
