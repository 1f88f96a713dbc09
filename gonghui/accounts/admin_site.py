"""The admin site: open only to staff who gave their second factor, and signed into
through the same form (with its lock-out) as the rest of the site."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import admin
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_noop

from gonghui.accounts.second_factor import safe_next, second_factor_missing, second_factor_url
from gonghui.core.errors import Forbidden
from gonghui.core.pages import error_page


class VerifiedAdminSite(admin.AdminSite):
    def has_permission(self, request: HttpRequest) -> bool:
        return super().has_permission(request) and not second_factor_missing(request)

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
