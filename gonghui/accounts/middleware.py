"""Session limits and the second factor, checked on every request before any view runs."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import Resolver404, resolve
from django.utils.translation import gettext

from gonghui.accounts.second_factor import (
    SECOND_FACTOR_MESSAGE,
    SecondFactorRequired,
    redirect_to_second_factor,
    second_factor_missing,
)
from gonghui.accounts.services import session_expire, session_limit_passed

# What a staff session that has given only its password may open: the sign-in steps, the
# language switch, the health probe and the API's description (which holds no data).
OPEN_BEFORE_SECOND_FACTOR = {
    "accounts:login",
    "accounts:logout",
    "accounts:second_factor",
    "accounts:second_factor_enrol",
    "set_language",
    "healthz",
    "api:openapi-json",
    "api:openapi-view",
}
API_PREFIX = "/api/"


class SessionLimitsMiddleware:
    """Ends a signed-in session that has been idle too long or has passed its absolute limit
    since the password was given; the request then goes on as an anonymous one."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            reason = session_limit_passed(request.session)
            if reason is not None:
                session_expire(request=request, reason=reason)
                request.user = AnonymousUser()
        return self.get_response(request)


class SecondFactorMiddleware:
    """Staff signed in with a password only are sent to the code step (pages) or refused
    with 401 (API). A request carrying a bearer token is left to the API's token auth,
    which decides on the token alone: a token is its own credential, issued to a client
    and revocable, not a browser sign-in."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._refused(request):
            if request.path_info.startswith(API_PREFIX):
                return second_factor_json()
            return redirect_to_second_factor(request)
        return self.get_response(request)

    def _refused(self, request: HttpRequest) -> bool:
        if not second_factor_missing(request):
            return False
        if request.path_info.startswith(API_PREFIX) and has_bearer(request):
            return False
        return view_name(request) not in OPEN_BEFORE_SECOND_FACTOR


def has_bearer(request: HttpRequest) -> bool:
    return request.headers.get("Authorization", "").lower().startswith("bearer ")


def view_name(request: HttpRequest) -> str | None:
    try:
        return resolve(request.path_info).view_name
    except Resolver404:
        return None


def second_factor_json() -> JsonResponse:
    err = SecondFactorRequired(SECOND_FACTOR_MESSAGE)
    body = {"detail": gettext(err.message), "field": None, "code": err.code}
    return JsonResponse(body, status=err.status_code, json_dumps_params={"ensure_ascii": False})
