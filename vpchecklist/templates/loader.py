"""Load a template file with ``tomllib`` and validate it; refuse a broken one with a precise message."""

from __future__ import annotations

import hashlib
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any

import pydantic

from vpchecklist.errors import TemplateError, ValidationError
from vpchecklist.resources import templates_dir
from vpchecklist.templates.model import Template

#: Every bundled template version and its file. v1 stays loadable for the drafts and records
#: started on it; the active version is the one new checklists use (spec §6).
BUNDLED_FILES = {"1": "vertebroplasty-v1.toml", "2": "vertebroplasty-v2.toml"}
ACTIVE_VERSION = "2"
DEFAULT_TEMPLATE_FILE = BUNDLED_FILES[ACTIVE_VERSION]


def _where(data: Any, loc: tuple[int | str, ...]) -> str:
    """Turn a pydantic error location into words, naming the item id when there is one."""
    node = data
    item_id = None
    section_id = None
    for part in loc:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(node, dict):
            if "kind" in node and isinstance(node.get("id"), str):
                item_id = node["id"]
            elif "items" in node and isinstance(node.get("id"), str):
                section_id = node["id"]
    field = ".".join(str(p) for p in loc if isinstance(p, str) and p not in ("sections", "items"))
    if item_id:
        return f"item {item_id}" + (f", field '{field.split('.')[-1]}'" if field else "")
    if section_id:
        return f"section {section_id}"
    return f"field '{field}'" if field else "the template"


def load_template_text(text: str, source: str) -> Template:
    """Parse and validate template TOML; ``source`` names the file in messages."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TemplateError(f"Template {source} is not valid TOML: {exc}.") from exc
    try:
        template = Template.model_validate(data)
    except pydantic.ValidationError as exc:
        first = exc.errors()[0]
        where = _where(data, tuple(first["loc"]))
        problem = first["msg"].removeprefix("Value error, ")
        if problem.startswith(("item ", "derivation ")) or where == "the template":
            raise TemplateError(f"Template {source} is broken: {problem}.") from exc
        raise TemplateError(f"Template {source} is broken at {where}: {problem}.") from exc
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return template.model_copy(update={"content_hash": digest})


def load_template(path: Path) -> Template:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise TemplateError(f"Template {path} cannot be read: {exc.strerror}.") from exc
    except UnicodeDecodeError as exc:
        raise TemplateError(f"Template {path} is not UTF-8 text.") from exc
    return load_template_text(text, str(path))


@lru_cache(maxsize=len(BUNDLED_FILES))
def bundled_template(version: str) -> Template:
    """A bundled template by version; ``KeyError`` for a version that is not bundled."""
    return load_template(templates_dir() / BUNDLED_FILES[version])


def bundled_templates() -> list[Template]:
    return [bundled_template(version) for version in BUNDLED_FILES]


def bundled_source(content_hash: str) -> str | None:
    """The text of the bundled template with this hash, for storing it beside the records."""
    for version, name in BUNDLED_FILES.items():
        if bundled_template(version).content_hash == content_hash:
            return (templates_dir() / name).read_text(encoding="utf-8")
    return None


def default_template() -> Template:
    """The bundled template new checklists use unless an administrator loaded another."""
    return bundled_template(ACTIVE_VERSION)


def pinned_version(doc: object) -> str | None:
    """The ``"template_version": N`` a checklist file pins, as the template's version text.

    None when the file pins nothing (the active version applies); a value that is not a
    whole number is refused here, an unknown number by whoever looks the version up.
    """
    if not isinstance(doc, dict) or "template_version" not in doc:
        return None
    raw = doc["template_version"]
    if isinstance(raw, bool) or not isinstance(raw, int | str) or not str(raw).strip().isdigit():
        shown = raw if isinstance(raw, int | float) else repr(raw)[:40]
        raise ValidationError(
            "template_version", f"{shown} is not a template version number such as 2"
        )
    return str(int(str(raw).strip()))


def unknown_version(version: str, known: list[str]) -> ValidationError:
    return ValidationError(
        "template_version",
        f"{version} is not a known template version (known: {', '.join(known)})",
    )


def bundled_for_document(doc: object) -> Template:
    """The bundled template a checklist file pins, else the active bundled one."""
    version = pinned_version(doc)
    if version is None:
        return default_template()
    if version not in BUNDLED_FILES:
        raise unknown_version(version, list(BUNDLED_FILES))
    return bundled_template(version)
