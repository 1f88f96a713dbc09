from django.conf import settings
from django.test import Client
from django.urls import reverse

from gonghui.core.models import AuditEntry
from gonghui.testing import PASSWORD

LOGIN = reverse("accounts:login")


def attempt(client: Client, username: str, password: str = "wrong-password-123", ip: str = "10.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_repeated_failures_lock_the_account_even_from_another_address(client, fed):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "town_a", ip="10.0.0.1")
    locked = attempt(Client(), "town_a", password=PASSWORD, ip="10.9.9.9")
    assert locked.status_code == 429
    assert "已被暂时锁定" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_repeated_failures_lock_the_address_for_every_account(client, fed):
    for name in ["a1", "a2", "a3", "a4", "a5"][: settings.AXES_FAILURE_LIMIT]:
        attempt(client, name, ip="10.0.0.2")
    assert attempt(client, "member_a1", password=PASSWORD, ip="10.0.0.2").status_code == 429
    assert attempt(Client(), "member_a1", password=PASSWORD, ip="10.0.0.3").status_code == 302


def test_fewer_failures_than_the_limit_do_not_lock(client, fed):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt(client, "member_a1")
    assert attempt(client, "member_a1", password=PASSWORD).status_code == 302


def test_the_lock_lifts_after_the_cool_off(client, fed, settings):
    from datetime import timedelta

    from axes.models import AccessAttempt

    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "member_a1")
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=31))
    assert attempt(client, "member_a1", password=PASSWORD).status_code == 302


def test_failures_and_the_lock_out_are_logged(client, fed):
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        attempt(client, "town_a", ip="10.0.0.7")
    failed = AuditEntry.objects.filter(action=AuditEntry.Action.SIGN_IN_FAILED)
    assert failed.count() == settings.AXES_FAILURE_LIMIT + 1
    first = failed.order_by("pk").first()
    assert first is not None
    assert first.subject_label == "town_a" and first.subject_id == str(fed.town_a_staff.pk)
    assert first.ip_address == "10.0.0.7" and first.actor is None
    assert "wrong-password" not in str(first.detail)
    lockouts = AuditEntry.objects.filter(action=AuditEntry.Action.LOCKED_OUT)
    assert lockouts.count() >= 1 and lockouts.order_by("pk")[0].subject_label == "town_a"


def test_a_sign_in_is_logged_with_its_address(client, fed):
    attempt(client, "member_a1", password=PASSWORD, ip="10.0.0.8")
    entry = AuditEntry.objects.get(action=AuditEntry.Action.SIGN_IN)
    assert entry.actor == fed.member_user and entry.ip_address == "10.0.0.8"
    assert entry.detail == {"step": "password", "second_factor": False}
