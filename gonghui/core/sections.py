"""Sections of the member detail page. The page is the one view of a worker across the
federation, so each programme (mutual aid claims, grants, contests, classes, honours) adds
its own section here instead of the members app knowing about every programme.

A programme registers its sections in its own contributions.py (core/registry.py):

    sections.registry.register(sections.MemberSection(
        key="mutual_aid",
        label=gettext_lazy("医疗互助"),
        template="mutual_aid/_member_section.html",
        context=lambda scope, person: {"claims": claim_list(scope=scope, person=person)},
        order=20,
    ))

The context function is called with the viewer's scope, so the section shows only what that
viewer may see; if it raises Forbidden or NotFound the section is left out for that viewer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Model
from django.utils.functional import Promise

from gonghui.core.access import Scope
from gonghui.core.errors import Forbidden, NotFound
from gonghui.core.registry import Registry

# Called with the viewer's scope and the worker (a members.Person) the page is about.
SectionContext = Callable[[Scope, Any], dict[str, Any]]


@dataclass(frozen=True)
class MemberSection:
    key: str
    label: str | Promise  # gettext_lazy: shown in the reader's language
    template: str
    context: SectionContext
    order: int = 100


@dataclass(frozen=True)
class RenderedSection:
    section: MemberSection
    context: dict[str, Any]


registry: Registry[MemberSection] = Registry("member sections")


def register_member_section(
    key: str, label: str | Promise, template: str, context: SectionContext, order: int = 100
) -> MemberSection:
    """Add a section to the member detail page; registering the same key twice is a bug."""
    return registry.register(MemberSection(key=key, label=label, template=template, context=context, order=order))


def unregister_member_section(key: str) -> None:
    registry.unregister(key)


def member_sections() -> list[MemberSection]:
    return registry.all()


def member_sections_for(*, scope: Scope, person: Model) -> list[RenderedSection]:
    """Every registered section with its context for this viewer, skipping those the
    viewer may not see."""
    rendered = []
    for section in member_sections():
        try:
            context = section.context(scope, person)
        except (Forbidden, NotFound):
            continue
        rendered.append(RenderedSection(section=section, context=context))
    return rendered
