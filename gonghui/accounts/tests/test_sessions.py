import time

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from gonghui.accounts.models import SignedInSession
from gonghui.accounts.services import SEEN_AT, SIGNED_IN_AT, account_disable
from gonghui.core.models import AuditEntry
from gonghui.testing import PASSWORD, signed_in

WORKBENCH = reverse("organisations:workbench")


def shift(client: Client, key: str, seconds: float) -> None:
    session = client.session
    session[key] = session[key] - seconds
    session.save()


def test_signing_in_gives_a_new_session_key(client, fed):
    before = client.session.session_key  # an anonymous session, as an attacker might plant
    client.post(reverse("accounts:login"), {"username": "member_a1", "password": PASSWORD})
    after = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert after != before
    assert not Session.objects.filter(session_key=before).exists()


def test_a_session_idle_too_long_is_over(fed):
    client = signed_in(fed.town_a_staff)
    shift(client, SEEN_AT, settings.SESSION_COOKIE_AGE + 1)
    response = client.get(WORKBENCH)
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
    assert AuditEntry.objects.filter(action=AuditEntry.Action.SIGN_OUT, detail__reason="idle").exists()


def test_using_a_session_keeps_it_alive(fed):
    client = signed_in(fed.town_a_staff)
    shift(client, SEEN_AT, settings.SESSION_COOKIE_AGE - 5)
    assert client.get(WORKBENCH).status_code == 200
    assert time.time() - client.session[SEEN_AT] < 5
    stored = Session.objects.get(session_key=client.session.session_key)
    assert stored.expire_date.timestamp() > time.time() + settings.SESSION_COOKIE_AGE - 10


def test_a_session_ends_at_its_absolute_limit_however_busy(fed):
    client = signed_in(fed.town_a_staff)
    shift(client, SIGNED_IN_AT, settings.SESSION_ABSOLUTE_SECONDS + 1)
    assert client.get(WORKBENCH).status_code == 302
    assert client.get("/api/v1/organisations").status_code == 401


def test_signing_out_ends_every_session_of_the_user(fed):
    office, phone = signed_in(fed.town_a_staff), signed_in(fed.town_a_staff)
    colleague = signed_in(fed.town_b_staff)
    office.post(reverse("accounts:logout"))
    assert phone.get(WORKBENCH).status_code == 302
    assert office.get(WORKBENCH).status_code == 302
    assert colleague.get(WORKBENCH).status_code == 200
    assert not SignedInSession.objects.filter(user=fed.town_a_staff).exists()
    assert AuditEntry.objects.filter(action=AuditEntry.Action.SIGN_OUT, actor=fed.town_a_staff).exists()


def test_disabling_an_account_ends_its_sessions(fed):
    office, phone = signed_in(fed.town_a_staff), signed_in(fed.town_a_staff)
    account_disable(actor=fed.city_staff, user=fed.town_a_staff)
    assert office.get(WORKBENCH).status_code == 302 and phone.get(WORKBENCH).status_code == 302
    assert Session.objects.count() == 0
    entry = AuditEntry.objects.get(action="account_disabled")
    assert entry.actor == fed.city_staff and entry.subject_id == str(fed.town_a_staff.pk)
    refused = Client().post(reverse("accounts:login"), {"username": "town_a", "password": PASSWORD})
    assert refused.status_code == 200


def test_the_admin_disables_accounts_through_the_service(fed):
    admin_user = fed.city_staff
    admin_user.is_superuser = admin_user.is_staff = True
    admin_user.save()
    target = signed_in(fed.town_b_staff)
    admin = signed_in(admin_user)
    response = admin.post(
        "/admin/auth/user/", {"action": "disable_accounts", "_selected_action": [fed.town_b_staff.pk]}
    )
    assert response.status_code == 302
    assert target.get(WORKBENCH).status_code == 302
    fed.town_b_staff.refresh_from_db()
    assert not fed.town_b_staff.is_active


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("short-pass1", "password_too_short"),
        ("password1234", "password_too_common"),
        ("qwerty123456", "password_too_common"),
    ],
)
def test_short_or_common_passwords_are_refused(password, reason):
    with pytest.raises(ValidationError) as refused:
        validate_password(password)
    assert reason in {error.code for error in refused.value.error_list}


def test_a_long_passphrase_is_enough_without_symbols_or_digits():
    validate_password("river lantern autumn tea")
