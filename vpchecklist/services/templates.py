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
from vpchecklist.templates import Item, Template, default_template, load_template_text
from vpchecklist.templates.loader import (
    BUNDLED_FILES,
    bundled_source,
    bundled_template,
    bundled_templates,
    pinned_version,
    unknown_version,
)
from vpchecklist.templates.model import EqualsCheck, OneOfCheck


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
        if _rule_checks(before) != _rule_checks(after):
            changes.append(f"{item_id}: thresholds or rules changed")
        changes += _clinical_changes(before, after)
    changes += [_new_item_words(new_items[i]) for i in new_items if i not in old_items]
    if old.derivations != new.derivations:
        changes.append("derivations (attire / pillow placement) changed")
    changes += _level_changes(old, new)
    if old.allergy_flags != new.allergy_flags:
        changes.append("allergy flags changed")
    return sorted(changes)


def _no_severity(item: Item) -> str | None:
    """What "no" to a confirm item leads to: ``stop``, ``warning`` or None (accepted)."""
    if item.on_no is not None:
        return item.on_no.severity
    for check in item.answer_checks:
        if "no" in (check.values if isinstance(check, OneOfCheck) else [check.value]):
            return check.severity
    if item.required and not item.states_meaning_of_answers():
        return "stop"  # the engine fails closed
    return None


def _rule_checks(item: Item) -> list[object]:
    """The item's checks other than the one saying what "no" means (compared on their own)."""
    return [
        c
        for c in item.checks
        if not (item.kind == "confirm" and isinstance(c, EqualsCheck) and c.value == "no")
    ]


_NO_WORDS = {"stop": "a hard stop", "warning": "a warning", None: "accepted"}


def _clinical_changes(before: Item, after: Item) -> list[str]:
    """What spec §6's data changes on one item: what "no" means, the hold table, the agents."""
    out = []
    if after.kind == "confirm" and before.kind == "confirm":
        was, now = _no_severity(before), _no_severity(after)
        if was != now or (before.on_no is None and after.on_no is not None):
            said = f" ({after.on_no.message})" if after.on_no is not None else ""
            out.append(f'{after.id}: "no" is {_NO_WORDS[now]}{said}')
    if before.drugs != after.drugs or before.hold_message != after.hold_message:
        holds = ", ".join(
            f"{d.label} {d.hold_hours:g} h" if d.hold_hours is not None else f"{d.label}: warning"
            for d in after.drugs
        )
        out.append(f"{after.id}: each drug checked against its hold before the start: {holds}")
    if before.agents != after.agents:
        agents = ", ".join(
            f"{a.label} ({a.consequence.severity if a.consequence else '?'})" for a in after.agents
        )
        out.append(f"{after.id}: coded agents, each with its reaction: {agents}")
    return out


def _new_item_words(item: Item) -> str:
    return f"item added: {item.id} — {item.label}"


def _level_changes(old: Template, new: Template) -> list[str]:
    before, after = old.levels, new.levels
    out = []
    if before.max_count != after.max_count:
        out.append(
            f"levels: more than {after.max_count} levels warn"
            if after.max_count
            else "levels: no count warning"
        )
    if before.gap_warning != after.gap_warning:
        out.append(
            "levels: levels that are not adjacent warn"
            if after.gap_warning
            else "levels: no gap warning"
        )
    rest = ("allowed", "regions", "upper_thoracic_warning_through", "upper_thoracic_warning")
    if any(getattr(before, f) != getattr(after, f) for f in rest):
        out.append("level rules changed")
    return out


def newer_bundled(current: Template) -> Template | None:
    """The newest bundled version of the active template when it is newer than the active
    one (a site that activated v1 is offered v2, with its changes, before it is used)."""
    newest = bundled_template(max(BUNDLED_FILES, key=int))
    if newest.id != current.id or not current.version.isdigit():
        return None
    return newest if int(newest.version) > int(current.version) else None


def bundled_path(template: Template) -> str:
    """The file of a bundled template, for ``activate_template``."""
    from vpchecklist.resources import templates_dir

    return str(templates_dir() / BUNDLED_FILES[template.version])


def continues_on(template: Template) -> str | None:
    """What a draft started on another version than the active one says when it is opened:
    it continues on its own version (its answers and rules never change under it)."""
    current = active_template()
    if template.content_hash == current.content_hash:
        return None
    return (
        f"Started on template version {template.version}: this checklist continues on "
        f"version {template.version}. New checklists use version {current.version}."
    )


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
            audit.record_change(
                actor.username,
                "template_activate",
                "template",
                version=template.version,
                hash=template.content_hash,
                changes=len(changes),
            )
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
        return changes
