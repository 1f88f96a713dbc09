"""An accepted application gives the member a sign-in: an account with an activation code,
sent in the decision's text message or shown once to the officer to pass on. The member
types it with their identity number or mobile, sets a password and signs in (members need
no second factor), and sees their own membership."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from gonghui.accounts.administration import member_sign_in_grant
from gonghui.accounts.models import Account, ActivationCode
from gonghui.core.access import Role
from gonghui.core.models import AuditEntry
from gonghui.enrolment.models import Application
from gonghui.enrolment.services import application_accept, application_submit
from gonghui.testing import Federation, new_id_number, signed_in

MOBILE = "13957312345"
PASSWORD = "plum blossom by the old bridge"


@pytest.fixture(autouse=True)
def _fresh_limits() -> None:
    cache.clear()


@pytest.fixture
def id_number() -> str:
    return new_id_number(sex="F")


@pytest.fixture
def application(fed: Federation, id_number: str) -> Application:
    return application_submit(
        union_code=fed.union_a1.code,
        name="王芳",
        id_number=id_number,
        mobile=MOBILE,
        employer_name=fed.employer_a1.name,
        consented=True,
        client_ip="10.0.0.1",
    )


def accept(fed: Federation, application: Application, delivery: str) -> Any:
    url = reverse("enrolment:accept", args=[application.pk])
    return signed_in(fed.union_a1_officer).post(url, {"joined_on": "2026-01-05", "code_delivery": delivery})


def activate(code: str, proof: str) -> Any:
    data = {"code": code, "proof": proof, "password": PASSWORD, "password_again": PASSWORD}
    return Client().post(reverse("accounts:activate"), data)


def test_the_officer_passes_the_code_on_and_the_member_signs_in(
    fed: Federation, application: Application, id_number: str, sms_outbox: list
) -> None:
    # Given an officer accepting an application, choosing to hand the code over
    response = accept(fed, application, "slip")
    # Then the answer shows the code once, with the member's new username
    assert response.status_code == 200
    issued = response.context["issued"]
    page = response.content.decode()
    assert issued.code in page and issued.username in page and "/accounts/activate/" in page
    account = Account.objects.select_related("user").get(user__username=issued.username)
    assert account.role == Role.MEMBER and account.person is not None and account.person.name == "王芳"
    assert not account.user.has_usable_password()
    assert all(issued.code not in message.text for message in sms_outbox)
    # When the member types it with their identity number and chooses a password
    activated = activate(issued.code, id_number.lower())
    assert activated.status_code == 200 and issued.username in activated.content.decode()
    # Then they sign in with that password alone and see their membership
    member = Client()
    response = member.post(reverse("accounts:login"), {"username": issued.username, "password": PASSWORD})
    assert response.status_code == 302
    own = member.get(reverse("members:my_membership"))
    assert own.status_code == 200 and "海宁皮革城工会" in own.content.decode()
    # And every step is in the log, as about this worker
    actions = AuditEntry.objects.filter(data_subject_id=account.person_id).values_list("action", flat=True)
    assert {"account_created", "activation_code_issued", "account_activated"} <= set(actions)


def test_by_default_the_code_goes_in_the_decisions_text_message(
    fed: Federation, application: Application, sms_outbox: list, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = accept(fed, application, "sms")
    issued = response.context["issued"]
    assert issued.code not in response.content.decode() and "139****2345" in response.content.decode()
    [message] = sms_outbox
    assert message.number == MOBILE and "已通过" in message.text
    assert issued.code in message.text and issued.username in message.text
    assert activate(issued.code, MOBILE).status_code == 200


def test_a_worker_who_already_signs_in_gets_no_new_code(fed: Federation) -> None:
    # A member rejoining keeps the account and password they have (the member persona's).
    person = fed.member_a1.person
    granted = member_sign_in_grant(actor=fed.town_a_staff, person_id=person.pk, name=person.name, proofs=[MOBILE])
    assert granted is None
    assert Account.objects.filter(person=person).count() == 1 and not ActivationCode.objects.exists()


def test_an_officer_outside_the_union_gives_no_account(fed: Federation, application: Application) -> None:
    from gonghui.core.errors import Forbidden

    with pytest.raises(Forbidden):
        application_accept(scope=fed.scope(fed.town_b_staff), application=application)
    assert not Account.objects.filter(role=Role.MEMBER).exclude(user=fed.member_user).exists()


def test_a_town_officer_can_give_a_member_a_new_code_later(
    fed: Federation, application: Application, id_number: str
) -> None:
    first = accept(fed, application, "slip").context["issued"]
    account = Account.objects.get(user__username=first.username)
    response = signed_in(fed.town_a_staff).post(reverse("accounts:account_code", args=[account.user_id]))
    assert response.status_code == 200
    second = response.context["issued"]
    assert activate(first.code, id_number).status_code == 400  # the old code died
    assert activate(second.code, id_number).status_code == 200
