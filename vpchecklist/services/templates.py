"""Which template a checklist uses: stored verbatim in the database, keyed by content hash."""

from __future__ import annotations

from functools import lru_cache

from vpchecklist.clock import utc_now
from vpchecklist.store.models import TemplateRecord
from vpchecklist.templates import Template, default_template, load_template_text


def active_template() -> Template:
    """The template new checklists use: the administrator's active one, else the bundled one."""
    row = TemplateRecord.get_or_none(TemplateRecord.active == True)  # noqa: E712
    if row is not None:
        return _parse(row.source, row.content_hash)
    return default_template()


def ensure_stored(template: Template) -> None:
    """Keep the exact template text so a record can be re-evaluated and verified forever."""
    if TemplateRecord.get_or_none(TemplateRecord.content_hash == template.content_hash) is None:
        from vpchecklist.resources import templates_dir
        from vpchecklist.templates.loader import DEFAULT_TEMPLATE_FILE

        source = (templates_dir() / DEFAULT_TEMPLATE_FILE).read_text(encoding="utf-8")
        if load_template_text(source, DEFAULT_TEMPLATE_FILE).content_hash != template.content_hash:
            raise ValueError("only the bundled template can be stored without its source")
        TemplateRecord.create(
            content_hash=template.content_hash,
            template_id=template.id,
            version=template.version,
            source=source,
            loaded_at=utc_now(),
        )


def template_by_hash(content_hash: str) -> Template:
    bundled = default_template()
    if bundled.content_hash == content_hash:
        return bundled
    row = TemplateRecord.get_by_id(content_hash)
    return _parse(row.source, row.content_hash)


@lru_cache(maxsize=16)
def _parse(source: str, content_hash: str) -> Template:
    return load_template_text(source, f"stored template {content_hash[:12]}")
