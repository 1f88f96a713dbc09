"""/api/v1/notifications: the asking user's own inbox. Another user's message answers 404,
the same as one that does not exist."""

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from gonghui.core.access import signed_in_user
from gonghui.core.api_support import ERRORS, CappedPagination
from gonghui.core.models import Notification
from gonghui.core.notifications import notification_list, notification_mark_read, notifications_mark_all_read

router = Router(tags=["站内消息"])


class NotificationQuery(Schema):
    unread: bool = Field(False, description="只列出未读消息")


class NotificationOut(Schema):
    id: int
    kind: str = Field(description="类别，如 transfer.completed")
    title: str = Field(alias="title_text", description="标题（按请求的语言）")
    body: str = Field(alias="body_text", description="内容（按请求的语言）")
    link: str = Field(description="站内链接（路径），可为空")
    created_at: datetime
    read_at: datetime | None


class MarkedOut(Schema):
    marked: int = Field(description="标为已读的条数")


@router.get("", response={200: list[NotificationOut], **ERRORS}, summary="我的站内消息（未读在前）")
@paginate(CappedPagination)
def notifications(request: HttpRequest, query: Query[NotificationQuery]) -> object:
    rows = notification_list(user=signed_in_user(request))
    return rows.filter(read_at__isnull=True) if query.unread else rows


@router.post("/read", response={200: MarkedOut, **ERRORS}, summary="全部标为已读")
def notifications_read_all(request: HttpRequest) -> MarkedOut:
    return MarkedOut(marked=notifications_mark_all_read(user=signed_in_user(request)))


@router.post("/{int:notification_id}/read", response={200: NotificationOut, **ERRORS}, summary="标为已读")
def notification_read(request: HttpRequest, notification_id: int) -> Notification:
    return notification_mark_read(user=signed_in_user(request), pk=notification_id)
