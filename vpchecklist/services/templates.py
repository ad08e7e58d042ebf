"""Which template a checklist uses: stored verbatim in the database, keyed by content hash."""

from __future__ import annotations

from functools import lru_cache

from vpchecklist.clock import utc_now
from vpchecklist.errors import TemplateError
from vpchecklist.services import audit
from vpchecklist.services.actors import Actor
from vpchecklist.services.verbs import performing
from vpchecklist.store import Store
from vpchecklist.store.models import TemplateRecord
from vpchecklist.templates import Template, default_template, load_template_text
from vpchecklist.templates.loader import (
    BUNDLED_FILES,
    bundled_source,
    bundled_template,
    bundled_templates,
    pinned_version,
    unknown_version,
)


def active_template() -> Template:
    """The template new checklists use: the administrator's active one, else the bundled one."""
    row = TemplateRecord.get_or_none(TemplateRecord.active == True)  # noqa: E712
    if row is not None:
        return _parse(row.source, row.content_hash)
    return default_template()


def ensure_stored(template: Template) -> None:
    """Keep the exact template text so a record can be re-evaluated and verified forever."""
    if TemplateRecord.get_or_none(TemplateRecord.content_hash == template.content_hash) is None:
        source = bundled_source(template.content_hash)
        if source is None:
            raise ValueError("only a bundled template can be stored without its source")
        TemplateRecord.create(
            content_hash=template.content_hash,
            template_id=template.id,
            version=template.version,
            source=source,
            loaded_at=utc_now(),
        )


def template_for_document(doc: object) -> Template:
    """The template a checklist file asks for: its ``"template_version"``, else the active one.

    A pinned version is looked up as the active template, then as a template stored earlier
    (an administrator's), then as a bundled one; any other number is refused.
    """
    version = pinned_version(doc)
    current = active_template()
    if version is None or version == current.version:
        return current
    row = (
        TemplateRecord.select()
        .where((TemplateRecord.template_id == current.id) & (TemplateRecord.version == version))
        .order_by(TemplateRecord.loaded_at.desc())
        .first()
    )
    if row is not None:
        return _parse(row.source, row.content_hash)
    if version in BUNDLED_FILES:
        return bundled_template(version)
    stored = {r.version for r in TemplateRecord.select(TemplateRecord.version)}
    known = sorted(stored | set(BUNDLED_FILES), key=lambda v: (len(v), v))
    raise unknown_version(version, known)


def template_by_hash(content_hash: str) -> Template:
    for bundled in bundled_templates():
        if bundled.content_hash == content_hash:
            return bundled
    row = TemplateRecord.get_by_id(content_hash)
    return _parse(row.source, row.content_hash)


@lru_cache(maxsize=16)
def _parse(source: str, content_hash: str) -> Template:
    return load_template_text(source, f"stored template {content_hash[:12]}")


def describe_changes(old: Template, new: Template) -> list[str]:
    """What a new template version changes, in plain words, for the administrator to review."""
    changes: list[str] = []
    if (old.id, old.version) == (new.id, new.version) and old.content_hash != new.content_hash:
        changes.append(f"content changed but the version is still {new.version}")
    old_items = {i.id: i for i in old.items}
    new_items = {i.id: i for i in new.items}
    changes += [f"item added: {i}" for i in new_items if i not in old_items]
    changes += [f"item removed: {i}" for i in old_items if i not in new_items]
    for item_id in old_items.keys() & new_items.keys():
        before, after = old_items[item_id], new_items[item_id]
        for field in ("label", "kind", "required", "na_allowed", "min", "max", "unit"):
            if getattr(before, field) != getattr(after, field):
                changes.append(
                    f"{item_id}: {field} {getattr(before, field)!r} → {getattr(after, field)!r}"
                )
        if before.option_ids != after.option_ids:
            changes.append(f"{item_id}: options {before.option_ids} → {after.option_ids}")
        if before.checks != after.checks:
            changes.append(f"{item_id}: thresholds or rules changed")
    if old.derivations != new.derivations:
        changes.append("derivations (attire / pillow placement) changed")
    if old.levels != new.levels:
        changes.append("level rules changed")
    if old.allergy_flags != new.allergy_flags:
        changes.append("allergy flags changed")
    return sorted(changes)


def preview_template(path: str) -> tuple[Template, str]:
    """Validate a template file before it is activated; raises TemplateError naming the problem."""
    from pathlib import Path

    from vpchecklist.templates import load_template

    template = load_template(Path(path))
    return template, Path(path).read_text(encoding="utf-8")


def activate_template(store: Store, actor: Actor, path: str) -> list[str]:
    """Make a validated template the one new checklists use; existing records keep theirs."""
    with performing(store, actor, "settings", action="template_activate"):
        template, source = preview_template(path)
        current = active_template()
        if template.id != current.id:
            raise TemplateError(f"Template {path} is '{template.id}', not '{current.id}'.")
        changes = describe_changes(current, template)
        with store.transaction():
            TemplateRecord.update(active=False).execute()
            row = TemplateRecord.get_or_none(TemplateRecord.content_hash == template.content_hash)
            if row is None:
                TemplateRecord.create(
                    content_hash=template.content_hash,
                    template_id=template.id,
                    version=template.version,
                    source=source,
                    loaded_at=utc_now(),
                    active=True,
                )
            else:
                TemplateRecord.update(active=True).where(
                    TemplateRecord.content_hash == template.content_hash
                ).execute()
            audit.record(
                actor.username,
                "template_activate",
                version=template.version,
                hash=template.content_hash,
                changes=len(changes),
            )
        return changes
