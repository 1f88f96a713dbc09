"""Who is asking the API: a browser session or a bearer token. Both compute the user's scope
as they sign the request in, so a user with no role is refused at the door (403)."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.models import User
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer, SessionAuth
from ninja.utils import check_csrf

from gonghui.accounts.models import ApiToken
from gonghui.accounts.second_factor import SECOND_FACTOR_MESSAGE, SecondFactorRequired, second_factor_missing
from gonghui.core.access import request_scope
from gonghui.core.errors import Forbidden

# Writing last_used_at on every call would turn each read into a write; a minute is enough
# to tell a live token from a forgotten one.
TOKEN_TOUCH_INTERVAL = timedelta(minutes=1)


def api_token_user(*, key: str) -> User | None:
    """The active user behind a bearer key, or None for an unknown or revoked key."""
    token = (
        ApiToken.objects.select_related("user__account__organisation")
        .filter(key_hash=ApiToken.hash_key(key), revoked=False, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= TOKEN_TOUCH_INTERVAL:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


class BearerTokenAuth(HttpBearer):
    """`Authorization: Bearer <key>` for API clients; no cookie, so no CSRF check. A key that
    is sent but unknown or revoked is refused outright rather than falling back to a session
    the same browser may hold, so a client learns at once that its key is dead."""

    def authenticate(self, request: HttpRequest, token: str) -> User:
        user = api_token_user(key=token.strip()) if token.strip() else None
        if user is None:
            raise AuthenticationError()
        request.user = user
        request_scope(request)  # a user with no role is refused here, with 403
        return user


class BrowserSessionAuth(SessionAuth):
    """Django's session, with CSRF checked on unsafe methods. The check is skipped only when
    the session carries no user, since then there is no authority for a forged request to
    borrow, and a token client's POST must not fail on a CSRF cookie it never had."""

    def _get_key(self, request: HttpRequest) -> str | None:
        if not request.user.is_authenticated:
            return None
        if self.csrf and not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise Forbidden(_("CSRF 校验失败，请刷新页面后重试"), code="csrf_failed")
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        if not request.user.is_authenticated:
            return None
        if second_factor_missing(request):  # staff signed in with a password only
            raise SecondFactorRequired(_(SECOND_FACTOR_MESSAGE))
        request_scope(request)
        return request.user


# Bearer first: a bearer header that is present decides; only without one does the session count.
API_AUTH = [BearerTokenAuth(), BrowserSessionAuth()]
