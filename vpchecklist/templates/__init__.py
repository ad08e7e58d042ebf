"""Checklist templates: clinical content as validated data."""

from vpchecklist.templates.loader import default_template, load_template, load_template_text
from vpchecklist.templates.model import Item, Section, Template

__all__ = ["Item", "Section", "Template", "default_template", "load_template", "load_template_text"]
