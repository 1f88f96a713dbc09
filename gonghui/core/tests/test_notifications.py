"""The notification mechanism: inbox rows in the caller's transaction, text messages only
after the commit, an inbox that shows each user their own messages and nobody else's, and
SMS backends that never show a whole number."""

from __future__ import annotations

import io
import json
import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_noop

from gonghui.core import sms
from gonghui.core.models import Notification
from gonghui.core.notifications import notification_list, notify
from gonghui.testing import Federation, signed_in

TITLE = gettext_noop("组织关系转接已完成")
BODY = gettext_noop("%(name)s 的会籍已从%(from)s转入%(to)s，转接日期 %(on)s。")
PARAMS = {"name": "张伟", "from": "海宁皮革城工会", "to": "许村家纺工会", "on": "2025-06-03"}
MOBILE = "13912345678"


class Boom(Exception):
    pass


def tell(user: Any, **overrides: Any) -> Notification:
    fields = {"kind": "transfer.completed", "title": TITLE, "body": BODY, "params": PARAMS, "link": "/members/me/"}
    return notify(users=[user], **{**fields, **overrides})[0]


# --- notify --------------------------------------------------------------------------------


def test_notify_writes_one_row_per_user_and_renders_the_text(fed: Federation) -> None:
    rows = notify(
        users=[fed.member_user, fed.union_a1_officer, fed.member_user],
        kind="transfer.completed",
        title=TITLE,
        body=BODY,
        params=PARAMS,
    )
    assert [row.recipient for row in rows] == [fed.member_user, fed.union_a1_officer]
    stored = Notification.objects.get(recipient=fed.member_user)
    with translation.override("zh-hans"):  # an earlier test's request may have left English active
        title, body = stored.title_text, stored.body_text
    assert title == "组织关系转接已完成"
    assert body == "张伟 的会籍已从海宁皮革城工会转入许村家纺工会，转接日期 2025-06-03。"


def test_an_inactive_account_is_not_told(fed: Federation) -> None:
    fed.member_user.is_active = False
    fed.member_user.save()
    assert notify(users=[fed.member_user], kind="x", title=TITLE, body="") == []
    assert not Notification.objects.exists()


@pytest.mark.parametrize("link", ["https://example.org/", "//example.org/x", "javascript:alert(1)"])
def test_a_link_off_the_site_is_refused(fed: Federation, link: str) -> None:
    with pytest.raises(ValueError, match="path on this site"):
        tell(fed.member_user, link=link)
    assert not Notification.objects.exists()


def test_a_placeholder_without_its_value_fails_at_once(fed: Federation) -> None:
    with pytest.raises(KeyError):
        tell(fed.member_user, params={"name": "张伟"})


def test_the_text_message_goes_only_after_the_commit(
    fed: Federation, sms_outbox: list, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notify(users=[], kind="x", title=TITLE, body=BODY, params=PARAMS, sms_to=MOBILE)
        assert sms_outbox == []  # not yet: the transaction may still roll back
    assert len(callbacks) == 1
    assert sms_outbox == [sms.SmsMessage(number=MOBILE, text=BODY % PARAMS)]


def test_a_rolled_back_transaction_sends_nothing_and_keeps_no_row(
    fed: Federation, sms_outbox: list, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(Boom), transaction.atomic():
        tell(fed.member_user, sms_to=MOBILE)
        raise Boom
    assert callbacks == []
    assert sms_outbox == []
    assert not Notification.objects.exists()


def test_the_text_message_is_in_the_sites_language_whoever_decided(
    fed: Federation, sms_outbox: list, django_capture_on_commit_callbacks: Any
) -> None:
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        notify(users=[], kind="x", title=TITLE, body=BODY, params=PARAMS, sms_to=MOBILE)
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert sms_outbox[0].text.startswith("张伟 的会籍")


# --- the inbox page ------------------------------------------------------------------------


def test_the_inbox_shows_only_the_users_own_messages_unread_first(fed: Federation) -> None:
    read = tell(fed.member_user, params={**PARAMS, "name": "已读的"})
    Notification.objects.filter(pk=read.pk).update(read_at=timezone.now())
    tell(fed.member_user)
    tell(fed.union_a1_officer, params={**PARAMS, "name": "别人的"})
    page = signed_in(fed.member_user).get(reverse("notifications"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "别人的" not in text
    assert text.index("张伟 的会籍") < text.index("已读的 的会籍")
    assert [n.read_at is None for n in notification_list(user=fed.member_user)] == [True, False]


def test_the_navigation_shows_the_unread_count(fed: Federation) -> None:
    tell(fed.town_a_staff)
    tell(fed.town_a_staff)
    page = signed_in(fed.town_a_staff).get(reverse("members:list")).content.decode()
    assert 'id="unread-badge"' in page and 'title="未读消息">2</span>' in page


def test_mark_read_with_htmx_answers_the_item_and_the_badge(fed: Federation) -> None:
    first, _second = tell(fed.member_user), tell(fed.member_user)
    client = signed_in(fed.member_user)
    response = client.post(reverse("notification_read", args=[first.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    text = response.content.decode()
    assert f'id="notification-{first.pk}"' in text and "标为已读" not in text
    assert 'hx-swap-oob="true"' in text and 'title="未读消息">1</span>' in text
    first.refresh_from_db()
    assert first.read_at is not None


def test_mark_read_without_htmx_returns_to_the_inbox(fed: Federation) -> None:
    note = tell(fed.member_user)
    response = signed_in(fed.member_user).post(reverse("notification_read", args=[note.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("notifications")


def test_nobody_can_mark_anothers_message_read(fed: Federation) -> None:
    note = tell(fed.member_user)
    response = signed_in(fed.union_a1_officer).post(reverse("notification_read", args=[note.pk]))
    assert response.status_code == 404
    note.refresh_from_db()
    assert note.read_at is None


def test_mark_all_read_touches_only_the_users_own(fed: Federation) -> None:
    tell(fed.member_user), tell(fed.member_user)
    others = tell(fed.union_a1_officer)
    response = signed_in(fed.member_user).post(reverse("notifications_read_all"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "全部标为已读" not in response.content.decode()
    assert not Notification.objects.filter(recipient=fed.member_user, read_at__isnull=True).exists()
    others.refresh_from_db()
    assert others.read_at is None


def test_the_inbox_needs_a_sign_in(client: Client, fed: Federation) -> None:
    response = client.get(reverse("notifications"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_the_inbox_reads_in_english(fed: Federation) -> None:
    tell(fed.member_user, body=gettext_noop("您的会籍已从%(from)s转入%(to)s，转接日期 %(on)s。"))
    client = signed_in(fed.member_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    text = client.get(reverse("notifications")).content.decode()
    assert "Transfer completed" in text and "from 海宁皮革城工会 to 许村家纺工会" in text


# --- the API -------------------------------------------------------------------------------


def test_the_api_lists_the_users_own_messages(fed: Federation) -> None:
    tell(fed.member_user)
    tell(fed.union_a1_officer)
    response = signed_in(fed.member_user).get("/api/v1/notifications")
    assert response.status_code == 200
    items = response.json()["items"]
    assert [(i["kind"], i["title"], i["link"], i["read_at"]) for i in items] == [
        ("transfer.completed", "组织关系转接已完成", "/members/me/", None)
    ]


def test_the_api_marks_a_message_read(fed: Federation) -> None:
    note = tell(fed.member_user)
    client = signed_in(fed.member_user)
    response = client.post(f"/api/v1/notifications/{note.pk}/read")
    assert response.status_code == 200 and response.json()["read_at"]
    assert client.get("/api/v1/notifications?unread=true").json()["items"] == []


def test_the_api_refuses_anothers_message_as_not_found(fed: Federation) -> None:
    note = tell(fed.member_user)
    response = signed_in(fed.union_a1_officer).post(f"/api/v1/notifications/{note.pk}/read")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    note.refresh_from_db()
    assert note.read_at is None


def test_the_api_needs_a_sign_in(client: Client, fed: Federation) -> None:
    assert client.get("/api/v1/notifications").status_code == 401


# --- SMS backends --------------------------------------------------------------------------


def test_the_console_backend_prints_the_number_masked() -> None:
    stream = io.StringIO()
    sms.ConsoleBackend(stream=stream).send(MOBILE, "您的入会申请已通过")
    printed = stream.getvalue()
    assert "139****5678" in printed and "您的入会申请已通过" in printed
    assert MOBILE not in printed


def test_send_sms_uses_the_configured_backend(settings: Any, capsys: Any) -> None:
    settings.GONGHUI_SMS_BACKEND = "gonghui.core.sms.ConsoleBackend"
    assert sms.send_sms(MOBILE, "测试短信")
    assert "139****5678：测试短信" in capsys.readouterr().out


class FakeGateway(BaseHTTPRequestHandler):
    received: list[dict[str, Any]] = []
    status = 200

    def do_POST(self) -> None:  # noqa: N802 - the name http.server calls
        length = int(self.headers["Content-Length"])
        self.received.append({"headers": dict(self.headers), "body": json.loads(self.rfile.read(length))})
        self.send_response(self.status)
        self.end_headers()

    def log_message(self, *args: Any) -> None:  # keep the test output quiet
        pass


@pytest.fixture
def gateway() -> Iterator[str]:
    FakeGateway.received, FakeGateway.status = [], 200
    server = HTTPServer(("127.0.0.1", 0), FakeGateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/send"
    finally:
        server.shutdown()
        server.server_close()


def test_the_http_backend_posts_the_message_with_its_token(gateway: str, monkeypatch: Any) -> None:
    monkeypatch.setenv("GONGHUI_SMS_HTTP_URL", gateway)
    monkeypatch.setenv("GONGHUI_SMS_HTTP_TOKEN", "secret-token")
    monkeypatch.setenv("GONGHUI_SMS_SIGN", "海宁市总工会")
    sms.HttpBackend().send(MOBILE, "您的入会申请已通过")
    [request] = FakeGateway.received
    assert request["body"] == {"to": MOBILE, "text": "您的入会申请已通过", "sign": "海宁市总工会"}
    assert request["headers"]["Authorization"] == "Bearer secret-token"


def test_a_gateway_refusal_is_logged_masked_and_not_raised(
    gateway: str, monkeypatch: Any, settings: Any, caplog: Any
) -> None:
    FakeGateway.status = 503
    monkeypatch.setenv("GONGHUI_SMS_HTTP_URL", gateway)
    settings.GONGHUI_SMS_BACKEND = "gonghui.core.sms.HttpBackend"
    with caplog.at_level(logging.INFO, logger="gonghui.core.sms"):
        assert sms.send_sms(MOBILE, "您的入会申请已通过") is False
    assert "139****5678" in caplog.text and MOBILE not in caplog.text
    assert len(FakeGateway.received) == 1


def test_the_http_backend_needs_its_address(monkeypatch: Any) -> None:
    monkeypatch.delenv("GONGHUI_SMS_HTTP_URL", raising=False)
    with pytest.raises(sms.SmsError, match="GONGHUI_SMS_HTTP_URL"):
        sms.HttpBackend()
