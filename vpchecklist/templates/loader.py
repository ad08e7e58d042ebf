"""Load a template file with ``tomllib`` and validate it; refuse a broken one with a precise message."""

from __future__ import annotations

import hashlib
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any

import pydantic

from vpchecklist.errors import TemplateError
from vpchecklist.resources import templates_dir
from vpchecklist.templates.model import Template

DEFAULT_TEMPLATE_FILE = "vertebroplasty-v1.toml"


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


@lru_cache(maxsize=1)
def default_template() -> Template:
    """The bundled template new checklists use unless an administrator loaded another."""
    return load_template(templates_dir() / DEFAULT_TEMPLATE_FILE)
