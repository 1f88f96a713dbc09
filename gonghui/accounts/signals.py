"""Sign-in events from Django and django-axes, handed to the accounts services. Signals,
because every way in (our form, the admin, a test's force_login) sends them, and a
failed or locked-out attempt is only ever reported this way."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.http import HttpRequest

from gonghui.accounts import services


def on_signed_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        services.session_signed_in(request=request, user=user)


def on_signed_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if user is not None:
        services.sign_out_recorded(request=request, user=user)


def on_sign_in_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    username = str(credentials.get("username") or "")
    locked = bool(getattr(request, "axes_locked_out", False))
    services.sign_in_failed_recorded(request=request, username=username, locked=locked)


def on_locked_out(sender: Any, request: HttpRequest | None, username: str | None, **kwargs: Any) -> None:
    services.lockout_recorded(request=request, username=username or "")


def connect() -> None:
    user_logged_in.connect(on_signed_in, dispatch_uid="gonghui_signed_in")
    user_logged_out.connect(on_signed_out, dispatch_uid="gonghui_signed_out")
    user_login_failed.connect(on_sign_in_failed, dispatch_uid="gonghui_sign_in_failed")
    user_locked_out.connect(on_locked_out, dispatch_uid="gonghui_locked_out")
