"""The inbox (/notifications/): the signed-in user's own messages, unread first; marking
one or all of them read answers htmx with the changed part and the navigation's badge."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from gonghui.core.access import signed_in_user
from gonghui.core.notifications import (
    notification_list,
    notification_mark_read,
    notification_unread_count,
    notifications_mark_all_read,
)
from gonghui.core.pages import is_htmx, page

PAGE_SIZE = 30


def _page_number(request: HttpRequest) -> int:
    try:
        return max(int(request.GET.get("page", "1")), 1)
    except ValueError:
        return 1


def _inbox_context(request: HttpRequest) -> dict[str, object]:
    paginator = Paginator(notification_list(user=signed_in_user(request)), PAGE_SIZE)
    return {
        "page_obj": paginator.get_page(_page_number(request)),
        "unread_notifications": notification_unread_count(user=signed_in_user(request)),
    }


@page
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    return render(request, "core/notifications.html", _inbox_context(request))


@page
@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = notification_mark_read(user=signed_in_user(request), pk=pk)
    if not is_htmx(request):
        return redirect("notifications")
    context = {
        "n": notification,
        "unread_notifications": notification_unread_count(user=signed_in_user(request)),
        "oob": True,
    }
    return render(request, "core/_notification.html", context)


@page
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    notifications_mark_all_read(user=signed_in_user(request))
    if not is_htmx(request):
        return redirect("notifications")
    return render(request, "core/_notification_list.html", {**_inbox_context(request), "oob": True})
