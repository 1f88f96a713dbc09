"""The admin site: open only to superusers and city staff who gave their second factor, and
signed into through the same form (with its lock-out) as the rest of the site.

Town and union officers and members are refused the whole admin, even with is_staff and
permissions: its pages are built for the city, and the pages and the API serve everyone else.
Only a superuser's request may change anything here; what each model lets even a superuser
change is its ModelAdmin's business (gonghui.core.admin)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast
from urllib.parse import urlencode

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_noop

from gonghui.accounts.second_factor import account_role, safe_next, second_factor_missing, second_factor_url
from gonghui.core.access import Role
from gonghui.core.errors import Forbidden
from gonghui.core.pages import error_page

READ_METHODS = ("GET", "HEAD", "OPTIONS")
_View = TypeVar("_View", bound=Callable[..., Any])


def may_use_admin(user: Any) -> bool:
    return user.is_superuser or account_role(user) == Role.CITY


class VerifiedAdminSite(admin.AdminSite):
    def has_permission(self, request: HttpRequest) -> bool:
        return super().has_permission(request) and not second_factor_missing(request) and may_use_admin(request.user)

    def admin_view(self, view: _View, cacheable: bool = False) -> _View:
        """Every admin URL but signing out refuses a write from anyone but a superuser, so a
        view that forgets its own permission check (simple_history's revert did) writes nothing."""
        inner = super().admin_view(view, cacheable)

        @wraps(view)
        def read_only_below_superuser(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            writes = request.method not in READ_METHODS and view != self.logout
            if writes and self.has_permission(request) and not request.user.is_superuser:
                raise PermissionDenied
            return inner(request, *args, **kwargs)

        # Called as the view was, and `wraps` copied its attributes (csrf_exempt...), which
        # is all the URLconf reads of it.
        return cast(_View, read_only_below_superuser)

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        """No second password form: the site's own sign-in, then the code, then back here."""
        next_url = safe_next(request, default=reverse("admin:index", current_app=self.name))
        if not request.user.is_authenticated:
            return HttpResponseRedirect(f"{reverse('accounts:login')}?{urlencode({'next': next_url})}")
        if second_factor_missing(request):
            return HttpResponseRedirect(second_factor_url(request, next_url=next_url))
        if self.has_permission(request):
            return HttpResponseRedirect(next_url)
        return error_page(request, Forbidden(gettext_noop("该账号没有管理后台的权限")))
