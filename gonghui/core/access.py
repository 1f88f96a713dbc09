"""Who may see what. Every selector takes a Scope and filters by it, so pages, the API,
the admin and exports all obey the same rule, written once here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q, TextChoices

from gonghui.core.errors import Forbidden, NotFound
from gonghui.core.tree import subtree_q


class Role(TextChoices):
    CITY = "city", "市总工会"
    TOWN = "town", "镇（街道）总工会"
    UNION = "union", "基层工会"
    MEMBER = "member", "会员"


STAFF_ROLES = {Role.CITY, Role.TOWN, Role.UNION}


@dataclass(frozen=True)
class Scope:
    user: Any
    role: str
    organisation_id: int | None = None
    organisation_path: str | None = None
    person_id: int | None = None

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    def covers_path(self, path: str) -> bool:
        return self.is_staff and self.organisation_path is not None and path.startswith(self.organisation_path)

    def organisation_q(self, prefix: str = "") -> Q:
        """Q matching rows whose organisation (reached through `prefix`) is in this subtree."""
        if not self.is_staff or self.organisation_path is None:
            return Q(pk__in=[])
        return subtree_q(self.organisation_path, via=prefix)

    def require_staff(self) -> None:
        if not self.is_staff:
            raise Forbidden("仅限工会工作人员操作")

    def require_covers(self, organisation: Any, *, field: str = "organisation", message: str | None = None) -> None:
        """Before a write into `organisation` (or its subtree): 403 unless it is in this scope.
        The message names a grassroots union as 工会 and anything else as 组织."""
        self.require_staff()
        if not self.covers_path(organisation.path):
            union = getattr(organisation, "is_grassroots", False)
            default = "该工会不在您的管辖范围内" if union else "该组织不在您的管辖范围内"
            raise Forbidden(message or default, field=field)

    def require_visible(self, organisation: Any, *, field: str = "organisation") -> None:
        """For reads handed an organisation already fetched: outside the scope it is not
        found (404), so its existence is not revealed."""
        if not self.covers_path(organisation.path):
            raise NotFound("没有找到该组织，或不在您的管辖范围内", field=field)

    def has_perm(self, perm: str) -> bool:
        return bool(self.user.has_perm(perm))


ScopeResolver = Callable[[Any], Scope]
_resolver: list[ScopeResolver] = []


def provide_scope_resolver(resolver: ScopeResolver) -> None:
    """Set how a signed-in user's scope is found. The accounts app, which holds the user's
    role and organisation, provides it (accounts/contributions.py); core only caches it."""
    _resolver[:] = [resolver]


def request_scope(request: Any) -> Scope:
    """Scope of the request's user, computed once per request."""
    cached = getattr(request, "_gonghui_scope", None)
    if cached is None:
        if not _resolver:
            raise ImproperlyConfigured("no scope resolver: is gonghui.accounts installed?")
        cached = _resolver[0](request.user)
        request._gonghui_scope = cached
    return cached
