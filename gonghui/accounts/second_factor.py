"""Who needs a second factor, and whether this request has it.

Staff (city, town and union officers), superusers and anyone who may open the admin sign in
with a password and then a TOTP code; members sign in with a password alone. Until the code
is given, a staff session may open only the sign-in steps (SecondFactorMiddleware), and the
page decorator, the API's session auth and the admin site check again, so a view that slips
past the middleware's list is still refused."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_noop
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from gonghui.accounts.scopes import account_of
from gonghui.core.access import STAFF_ROLES
from gonghui.core.errors import ServiceError


class SecondFactorRequired(ServiceError):
    """A staff session signed in with a password only; the API answers 401 with this code."""

    status_code = 401
    code = "second_factor_required"


SECOND_FACTOR_MESSAGE = gettext_noop("请先输入动态验证码完成登录")


def account_role(user: Any) -> str | None:
    """The user's role, from the account the scope code loads and caches on the user, so
    asking here costs the request no extra query."""
    account = account_of(user)
    return account.role if account is not None else None


def needs_second_factor(user: Any) -> bool:
    if user is None or not user.is_authenticated:
        return False
    if user.is_staff or user.is_superuser:
        return True
    return account_role(user) in STAFF_ROLES


def is_verified(user: Any) -> bool:
    """OTPMiddleware sets otp_device from the session on every request; a user object that
    has not been through it (just signed in, in this request) is not verified."""
    return getattr(user, "otp_device", None) is not None


def second_factor_missing(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return needs_second_factor(user) and not is_verified(user)


def confirmed_device(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).order_by("pk").first()


def second_factor_url(request: HttpRequest, *, next_url: str | None = None) -> str:
    """The verify step (or enrolment, for staff with no device yet), keeping where they
    were going."""
    name = "accounts:second_factor" if confirmed_device(request.user) else "accounts:second_factor_enrol"
    target = next_url if next_url is not None else request.get_full_path()
    return f"{reverse(name)}?{urlencode({'next': target})}"


def redirect_to_second_factor(request: HttpRequest) -> HttpResponseRedirect:
    return HttpResponseRedirect(second_factor_url(request))


def forget_second_factor(request: HttpRequest) -> None:
    """A password sign-in always asks for a fresh code, even in a session that had one."""
    request.session.pop(DEVICE_ID_SESSION_KEY, None)


def safe_next(request: HttpRequest, *, default: str) -> str:
    """The `next` parameter if it points into this site, else `default`."""
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if target and allowed else default
