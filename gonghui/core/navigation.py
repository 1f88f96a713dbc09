"""The site's navigation bar. Each app adds its own entries in its contributions.py
(core/registry.py); base.html shows those the viewer may see, in order, and marks the one
for the page being shown.

    navigation.registry.register(navigation.NavEntry(
        key="mutual_aid",
        label=gettext_lazy("医疗互助"),
        url_name="mutual_aid:claims",
        order=60,
        roles=navigation.STAFF,                    # who sees it (default: staff)
        permission="mutual_aid.view_claim",        # and, if given, only holders of it
        current=navigation.in_namespace("mutual_aid"),
    ))

An entry whose URL does not resolve (its app's URLs are not mounted) is left out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import NoReverseMatch, ResolverMatch, reverse
from django_stubs_ext import StrOrPromise

from gonghui.core.access import STAFF_ROLES, Role, Scope
from gonghui.core.registry import Registry

# Is this entry the page being shown? Given the request's resolver match (None on a 404).
CurrentRule = Callable[[ResolverMatch | None], bool]

STAFF = frozenset(str(role) for role in STAFF_ROLES)
MEMBERS = frozenset({str(Role.MEMBER)})


def in_namespace(namespace: str, *, except_names: tuple[str, ...] = ()) -> CurrentRule:
    """Current on every page of the app's URL namespace, but for the named ones."""

    def rule(match: ResolverMatch | None) -> bool:
        return match is not None and match.namespace == namespace and match.url_name not in except_names

    return rule


def at_url_names(*url_names: str) -> CurrentRule:
    """Current on the pages of these URL names (without namespace)."""

    def rule(match: ResolverMatch | None) -> bool:
        return match is not None and match.url_name in url_names

    return rule


def always(match: ResolverMatch | None) -> bool:
    """The only entry a viewer has: always the current one."""
    return True


def never(match: ResolverMatch | None) -> bool:
    return False


@dataclass(frozen=True)
class NavEntry:
    key: str
    label: StrOrPromise
    url_name: str
    order: int = 100
    roles: frozenset[str] = STAFF
    permission: str = ""
    current: CurrentRule = never

    def visible_to(self, scope: Scope) -> bool:
        return scope.role in self.roles and (not self.permission or scope.has_perm(self.permission))


@dataclass(frozen=True)
class ShownEntry:
    label: str
    url: str
    is_current: bool


registry: Registry[NavEntry] = Registry("navigation entries")


def nav_entries_for(*, scope: Scope, match: ResolverMatch | None) -> list[ShownEntry]:
    """The entries this viewer sees, in order, with the current page marked."""
    shown = []
    for entry in registry.all():
        if not entry.visible_to(scope):
            continue
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:
            continue
        shown.append(ShownEntry(label=str(entry.label), url=url, is_current=entry.current(match)))
    return shown
