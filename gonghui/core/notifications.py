"""Telling people that something happened: a message in their in-site inbox and, for
someone without an account (an applicant), a text message to a number given at the time.

    notify(
        users=[member_user, *officers],
        kind="transfer.completed",
        title=gettext_noop("组织关系转接已完成"),
        body=gettext_noop("%(name)s 已从%(from)s转入%(to)s。"),
        params={"name": "张伟", "from": "海宁皮革城工会", "to": "许村家纺工会"},
        link="/members/me/",
    )

Inbox rows are written in the caller's transaction, so they vanish with it if it rolls
back. Text messages go out only once it has committed (transaction.on_commit): a message
sent for a decision that was then rolled back could not be taken back.

Title and body are the Chinese source texts (mark them with gettext_noop so they reach the
catalogue); each reader sees them translated into their own language, with `params` filled
in. Each app says who is told what in its own notifications.py (members, enrolment); the
background job mechanism (core.jobs) calls notify to tell whoever started a job that it
has ended.

This module is infrastructure: it knows users, never unions or members.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext_noop

from gonghui.core.errors import NotFound
from gonghui.core.models import Notification, render_message
from gonghui.core.sms import send_sms


def notify(
    *,
    users: Iterable[User],
    kind: str,
    title: str,
    body: str,
    link: str = "",
    params: dict[str, Any] | None = None,
    sms_to: str | None = None,
) -> list[Notification]:
    """An inbox message for each of `users` (each once, inactive accounts left out) and,
    with `sms_to`, the body as a text message to that number after the commit."""
    _check_link(link)
    params = dict(params or {})
    # A placeholder without its value fails here, in the caller's tests, not in an inbox.
    render_message(title, params)
    render_message(body, params)
    rows = [
        Notification(recipient=user, kind=kind, title=title, body=body, params=params, link=link)
        for user in _distinct_active(users)
    ]
    Notification.objects.bulk_create(rows)
    if sms_to:
        text = sms_text(body, params)
        transaction.on_commit(lambda: send_sms(sms_to, text))
    return rows


def _check_link(link: str) -> None:
    # Links are followed from the inbox: only a path on this site, never another host or a
    # javascript: address.
    if link and (not link.startswith("/") or link.startswith("//")):
        raise ValueError(f"a notification link must be a path on this site, not {link!r}")


def _distinct_active(users: Iterable[User]) -> list[User]:
    seen: dict[Any, User] = {}
    for user in users:
        if user.is_active and user.pk not in seen:
            seen[user.pk] = user
    return list(seen.values())


def sms_text(body: str, params: dict[str, Any]) -> str:
    # An applicant has chosen no language on the site; texts go out in its own.
    with translation.override(settings.LANGUAGE_CODE):
        return render_message(body, params)


# --- the inbox -----------------------------------------------------------------------------


def notification_list(*, user: User) -> QuerySet[Notification]:
    """The user's own messages, unread first, newest first within each."""
    unread = ExpressionWrapper(Q(read_at__isnull=True), output_field=BooleanField())
    return Notification.objects.filter(recipient=user).order_by(unread.desc(), "-created_at", "-pk")


def notification_unread_count(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notification_get(*, user: User, pk: int) -> Notification:
    """One of the user's own messages; anyone else's answers as not found."""
    found = Notification.objects.filter(recipient=user, pk=pk).first()
    if found is None:
        raise NotFound(gettext_noop("没有找到该消息"))
    return found


def notification_mark_read(*, user: User, pk: int) -> Notification:
    notification = notification_get(user=user, pk=pk)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notifications_mark_all_read(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())
