"""Who may see what. Every selector takes a Scope and filters by it, so pages, the API,
the admin and exports all obey the same rule, written once here."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, NoReturn, TypeAlias

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q, TextChoices
from django.utils.translation import gettext, gettext_noop

from gonghui.core.errors import Forbidden, NotFound
from gonghui.core.tree import subtree_q

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.http import HttpRequest


class Role(TextChoices):
    CITY = "city", "市总工会"
    TOWN = "town", "镇（街道）总工会"
    UNION = "union", "基层工会"
    MEMBER = "member", "会员"


STAFF_ROLES = {Role.CITY, Role.TOWN, Role.UNION}


@dataclass(frozen=True)
class _ScopeBase(ABC):
    user: Any

    @abstractmethod
    def covers_path(self, path: str) -> bool: ...

    @abstractmethod
    def require_staff(self) -> StaffScope: ...

    def require_covers(self, organisation: Any, *, field: str = "organisation", message: str | None = None) -> None:
        """Before a write into `organisation` (or its subtree): 403 unless it is in this scope.
        The message names a grassroots union as 工会 and anything else as 组织."""
        self.require_staff()
        if not self.covers_path(organisation.path):
            union = getattr(organisation, "is_grassroots", False)
            default = gettext_noop("该工会不在您的管辖范围内") if union else gettext_noop("该组织不在您的管辖范围内")
            raise Forbidden(message or default, field=field)

    def require_visible(self, organisation: Any, *, field: str = "organisation") -> None:
        """For reads handed an organisation already fetched: outside the scope it is not
        found (404), so its existence is not revealed."""
        if not self.covers_path(organisation.path):
            raise NotFound(gettext("没有找到该组织，或不在您的管辖范围内"), field=field)

    def has_perm(self, perm: str) -> bool:
        return bool(self.user.has_perm(perm))


@dataclass(frozen=True)
class StaffScope(_ScopeBase):
    """A union officer's view: the subtree under their organisation."""

    role: str
    organisation_id: int
    organisation_path: str

    def __post_init__(self) -> None:
        if self.role not in STAFF_ROLES:
            raise ValueError(f"{self.role!r} is not a staff role")

    @property
    def is_staff(self) -> Literal[True]:
        return True

    def covers_path(self, path: str) -> bool:
        return path.startswith(self.organisation_path)

    def organisation_q(self, prefix: str = "") -> Q:
        """Q matching rows whose organisation (reached through `prefix`) is in this subtree."""
        return subtree_q(self.organisation_path, via=prefix)

    def require_staff(self) -> StaffScope:
        return self


@dataclass(frozen=True)
class MemberScope(_ScopeBase):
    """A member's view: their own records only, no organisation's."""

    person_id: int

    @property
    def role(self) -> str:
        return Role.MEMBER

    @property
    def is_staff(self) -> Literal[False]:
        return False

    def covers_path(self, path: str) -> bool:
        return False

    def organisation_q(self, prefix: str = "") -> Q:
        return Q(pk__in=[])

    def require_staff(self) -> NoReturn:
        raise Forbidden(gettext("仅限工会工作人员操作"))


# Callers annotate with `Scope`; code that needs one side narrows with `isinstance` or
# `scope.require_staff()`, so a staff scope always has its subtree and a member scope its person.
Scope: TypeAlias = StaffScope | MemberScope


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


def signed_in_user(request: HttpRequest) -> User:
    """The request's user, for code behind a sign-in guard (a page, the API's auth); an
    anonymous request that slipped past one is refused rather than read as nobody's."""
    user = request.user
    if not user.is_authenticated:
        raise Forbidden(gettext("请先登录"))
    return user
