"""Sign-in, the second factor, sessions and disabling accounts: every write about who is
signed in goes through these functions, and each writes its audit entry."""

from __future__ import annotations

import time
from base64 import b32encode
from datetime import timedelta
from typing import Any, NoReturn

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_noop
from django_otp import login as otp_login
from django_otp import verify_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from gonghui.accounts.models import ApiToken, SignedInSession
from gonghui.accounts.second_factor import confirmed_device, forget_second_factor, needs_second_factor
from gonghui.core.access import signed_in_user
from gonghui.core.audit import audit_record
from gonghui.core.errors import Conflict, ValidationFailed
from gonghui.core.models import AuditEntry

# Session keys: when the password was accepted, and when the session was last seen (epoch
# seconds; a session's data must be JSON).
SIGNED_IN_AT = "gonghui_signed_in_at"
SEEN_AT = "gonghui_seen_at"
# Refreshing the idle deadline at most this often keeps reads from becoming session writes.
SEEN_TOUCH_SECONDS = 60
DEVICE_NAME = "动态验证码"


# --- sessions ------------------------------------------------------------------------------


def session_signed_in(*, request: HttpRequest, user: Any) -> None:
    """Called on every sign-in, whatever its path (the form, the admin, tests' force_login):
    stamp the session for the absolute limit, drop any earlier second factor, and remember
    the session so signing out can end it."""
    now = time.time()
    request.session[SIGNED_IN_AT] = now
    request.session[SEEN_AT] = now
    forget_second_factor(request)
    if request.session.session_key is None:
        request.session.save()  # login() flushed another user's session: a key is needed now
    session_key = request.session.session_key
    assert session_key is not None, "a saved session has a key"
    _remember_session(user=user, session_key=session_key)
    audit_record(
        actor=user,
        action=AuditEntry.Action.SIGN_IN,
        request=request,
        subject=user,
        detail={"step": "password", "second_factor": needs_second_factor(user)},
    )


def _remember_session(*, user: Any, session_key: str) -> None:
    dead_before = timezone.now() - timedelta(seconds=settings.SESSION_ABSOLUTE_SECONDS)
    SignedInSession.objects.filter(user=user, signed_in_at__lt=dead_before).delete()
    SignedInSession.objects.update_or_create(
        session_key=session_key, defaults={"user": user, "signed_in_at": timezone.now()}
    )


def session_limit_passed(session: SessionBase, *, now: float | None = None) -> str | None:
    """ "absolute" or "idle" when the session must end, else None. A signed-in session with
    no stamp predates these limits and is ended too."""
    now = time.time() if now is None else now
    signed_in_at = session.get(SIGNED_IN_AT)
    if not isinstance(signed_in_at, (int, float)) or now - signed_in_at > settings.SESSION_ABSOLUTE_SECONDS:
        return "absolute"
    seen_at = session.get(SEEN_AT, signed_in_at)
    if now - seen_at > settings.SESSION_COOKIE_AGE:
        return "idle"
    if now - seen_at >= SEEN_TOUCH_SECONDS:
        session[SEEN_AT] = now  # a changed session is saved, which pushes its expiry out again
    return None


def session_expire(*, request: HttpRequest, reason: str) -> None:
    """End this one session (the user's others live on their own clocks)."""
    user = request.user
    SignedInSession.objects.filter(session_key=request.session.session_key).delete()
    request.session.flush()
    audit_record(actor=user, action=AuditEntry.Action.SIGN_OUT, request=request, detail={"reason": reason})


def sessions_end(*, user: Any) -> int:
    """End every session of the user, on every browser; returns how many were ended."""
    from importlib import import_module

    store = import_module(settings.SESSION_ENGINE).SessionStore
    rows = list(SignedInSession.objects.filter(user=user))
    for row in rows:
        store(session_key=row.session_key).delete()
    SignedInSession.objects.filter(pk__in=[row.pk for row in rows]).delete()
    return len(rows)


def sign_out_recorded(*, request: HttpRequest | None, user: Any) -> None:
    """Signing out in one browser signs the user out everywhere: on a shared office computer
    or a lost phone, one click must be enough."""
    ended = sessions_end(user=user)
    audit_record(
        actor=user, action=AuditEntry.Action.SIGN_OUT, request=request, detail={"reason": "sign_out", "ended": ended}
    )


# --- failed sign-ins -----------------------------------------------------------------------


def _user_named(username: str) -> Any:
    User = get_user_model()
    return User.objects.filter(**{User.USERNAME_FIELD: username}).first() if username else None


def sign_in_failed_recorded(*, request: HttpRequest | None, username: str, locked: bool) -> None:
    detail = {"username": username[:150], "step": "password"}
    if locked:
        detail["refused"] = "locked_out"
    audit_record(
        actor=None,
        action=AuditEntry.Action.SIGN_IN_FAILED,
        result=AuditEntry.Result.DENIED if locked else AuditEntry.Result.FAILED,
        subject=_user_named(username),
        subject_label=username[:150],
        request=request,
        detail=detail,
    )


def lockout_recorded(*, request: HttpRequest | None, username: str) -> None:
    audit_record(
        actor=None,
        action=AuditEntry.Action.LOCKED_OUT,
        result=AuditEntry.Result.DENIED,
        subject=_user_named(username),
        subject_label=username[:150],
        request=request,
        detail={"username": username[:150], "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)},
    )


# --- the second factor ---------------------------------------------------------------------


WRONG_CODE = gettext_noop("验证码不正确，请核对手机上的时间后重试")


def second_factor_verify(*, request: HttpRequest, token: str) -> None:
    """Check a code against the user's confirmed device; on success the session is verified
    and gets a new key, so a key seen before the code was given is worth nothing after.
    django-otp slows down repeated wrong codes on the device itself."""
    user = signed_in_user(request)
    device = confirmed_device(user)
    if device is None or verify_token(user, device.persistent_id, token.strip()) is None:
        _wrong_code(request=request, step="second_factor")
    _complete_second_factor(request=request, device=device)


def _wrong_code(*, request: HttpRequest, step: str) -> NoReturn:
    audit_record(
        actor=request.user,
        action=AuditEntry.Action.SIGN_IN_FAILED,
        result=AuditEntry.Result.FAILED,
        subject=signed_in_user(request),
        request=request,
        detail={"step": step},
    )
    raise ValidationFailed(WRONG_CODE, field="token")


def _complete_second_factor(*, request: HttpRequest, device: TOTPDevice) -> None:
    old_key = request.session.session_key
    request.session.cycle_key()
    SignedInSession.objects.filter(session_key=old_key).update(session_key=request.session.session_key)
    otp_login(request, device)
    audit_record(
        actor=request.user,
        action=AuditEntry.Action.SIGN_IN,
        subject=signed_in_user(request),
        request=request,
        detail={"step": "second_factor"},
    )


def enrolment_device(*, user: Any) -> TOTPDevice:
    """The device being set up: the same secret on every visit until it is confirmed, so a
    reload does not invalidate what the officer already scanned."""
    if confirmed_device(user) is not None:
        raise Conflict(gettext_noop("该账号已设置动态验证码"))
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def device_provision(*, user: Any) -> TOTPDevice:
    """A confirmed device made without the officer, for the demo and for set-ups where an
    administrator hands out the secret: show them `device_secret(device)` or
    `device.config_url` once. Keeps the user's existing confirmed device if there is one."""
    device = confirmed_device(user)
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=True)


def device_secret(device: TOTPDevice) -> str:
    """The secret as an authenticator app wants it typed: base32, in groups of four."""
    raw = b32encode(device.bin_key).decode()
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def second_factor_enrol_confirm(*, request: HttpRequest, token: str) -> None:
    """Confirm the new device with a first code from the app; this also verifies the
    session. A wrong code counts against the device's throttle like any other."""
    user = request.user
    device = enrolment_device(user=user)
    if not device.verify_token(token.strip()):
        _wrong_code(request=request, step="enrol")
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    _complete_second_factor(request=request, device=device)


# --- accounts ------------------------------------------------------------------------------


def account_disable(*, actor: Any, user: Any, request: HttpRequest | None = None) -> None:
    """Disable a sign-in: no new session, every open session ended now, and its API tokens
    revoked for good, so enabling the account again does not revive a key that may have
    leaked meanwhile (the scoped version for staff pages is accounts.administration)."""
    User = get_user_model()
    User.objects.filter(pk=user.pk).update(is_active=False)
    user.is_active = False
    ended = sessions_end(user=user)
    revoked = ApiToken.objects.filter(user=user, revoked=False).update(revoked=True)
    audit_record(
        actor=actor,
        action=AuditEntry.Action.ACCOUNT_DISABLED,
        subject=user,
        request=request,
        detail={"sessions_ended": ended, "tokens_revoked": revoked},
    )
