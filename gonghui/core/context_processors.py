from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from gonghui.core.access import request_scope, signed_in_user
from gonghui.core.errors import Forbidden
from gonghui.core.notifications import notification_unread_count
from gonghui.core.pages import blocking_guard


def scope(request: HttpRequest) -> dict[str, Any]:
    try:
        return {"scope": request_scope(request)}
    except Forbidden:
        return {"scope": None}


def notifications(request: HttpRequest) -> dict[str, Any]:
    """The signed-in user's unread count for the navigation's badge, counted only on pages
    that show it (the admin's do not)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notifications": 0}
    return {"unread_notifications": SimpleLazyObject(lambda: _unread(request))}


def _unread(request: HttpRequest) -> int:
    # Before the second factor a staff session is shown nothing of its account, not even this.
    if blocking_guard(request) is not None:
        return 0
    return notification_unread_count(user=signed_in_user(request))
