"""The applicant hears of the decision by a text message to the phone in their application,
sent once the decision is committed and never for one that rolled back."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.db import transaction

from gonghui.core.testing import Federation, new_id_number
from gonghui.enrolment.models import Application
from gonghui.enrolment.services import application_accept, application_refuse, application_submit

MOBILE = "13957312345"


class Boom(Exception):
    pass


@pytest.fixture(autouse=True)
def _fresh_limits() -> None:
    cache.clear()  # the public form's limits per phone should not carry over from other tests


@pytest.fixture
def application(fed: Federation) -> Application:
    return application_submit(
        union_code=fed.union_a1.code,
        name="王芳",
        id_number=new_id_number(sex="F"),
        mobile=MOBILE,
        employer_name=fed.employer_a1.name,
        consented=True,
        client_ip="10.0.0.1",
    )


def test_an_accepted_application_sends_one_text_to_the_applicant(
    fed: Federation, application: Application, sms_outbox: list, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        application_accept(scope=fed.scope(fed.union_a1_officer), application=application)
        assert sms_outbox == []  # not before the commit
    [message] = sms_outbox
    assert message.number == MOBILE
    assert "海宁皮革城工会" in message.text and "已通过" in message.text


def test_a_refused_application_sends_the_reason(
    fed: Federation, application: Application, sms_outbox: list, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        application_refuse(scope=fed.scope(fed.union_a1_officer), application=application, reason="不是本单位职工")
    [message] = sms_outbox
    assert message.number == MOBILE
    assert message.text == "王芳，您申请加入海宁皮革城工会的入会申请未通过，原因：不是本单位职工"


def test_an_acceptance_that_rolls_back_sends_nothing(
    fed: Federation, application: Application, sms_outbox: list, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(Boom), transaction.atomic():
        application_accept(scope=fed.scope(fed.union_a1_officer), application=application)
        raise Boom
    assert callbacks == [] and sms_outbox == []


def test_an_officer_outside_the_union_sends_nothing(
    fed: Federation, application: Application, sms_outbox: list, django_capture_on_commit_callbacks: Any
) -> None:
    from gonghui.core.errors import Forbidden

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Forbidden):
        application_accept(scope=fed.scope(fed.town_b_staff), application=application)
    assert sms_outbox == []
