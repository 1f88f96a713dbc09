"""Accepting an application on its page while the same identity number is joined through the
API: the loser gets the service's own message, never a server error (issue 11.2)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connections
from django.urls import reverse
from django.utils import timezone

from gonghui.enrolment.models import CONSENT_VERSION, Application
from gonghui.members.models import Membership, MembershipStatus, Person
from gonghui.testing import Federation, new_id_number, new_mobile, signed_in

MEMBERS_API = "/api/v1/members"


@pytest.fixture(autouse=True)
def _fresh_limits() -> None:
    cache.clear()


def application_for(fed: Federation, id_number: str, name: str = "王芳") -> Application:
    return Application.objects.create(
        name=name,
        id_number=id_number,
        mobile=new_mobile(),
        employer_name=fed.employer_a1.name,
        union=fed.union_a1,
        consent_version=CONSENT_VERSION,
        consented_at=timezone.now(),
    )


def test_a_person_registered_between_the_look_up_and_the_insert_gets_the_services_message(
    fed: Federation, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given an application whose identity number belongs to a member of union B1, and a
    # look-up that (as in a race) does not yet see them
    application = application_for(fed, fed.member_b1.person.id_number, name="李娜")
    real = Person.objects.select_for_update
    looked_up: list[bool] = []

    def not_yet(*args: Any, **kwargs: Any) -> Any:
        rows = real(*args, **kwargs)
        if not looked_up:
            looked_up.append(True)
            return rows.none()
        return rows

    monkeypatch.setattr(Person.objects, "select_for_update", not_yet)
    # When an officer accepts it on its page
    response = signed_in(fed.city_staff).post(
        reverse("enrolment:accept", args=[application.pk]), {"joined_on": "2026-01-05"}
    )
    # Then the page says the worker is already a member, and nothing is saved
    assert response.status_code == 400
    assert "该职工已是许村家纺工会的会员，请办理转接" in response.content.decode()
    assert Person.objects.count() == 2 and not Membership.objects.filter(union=fed.union_a1, person__name="李娜")


def _at_once(*requests: Callable[[], Any]) -> list[int]:
    """Send the requests from threads released together; their status codes (a request that
    raised, as a server error does in the test client, has none)."""
    statuses: list[int] = []
    barrier = threading.Barrier(len(requests))

    def run(send: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=30)
            statuses.append(send().status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(send,)) for send in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return statuses


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_accepting_on_the_page_while_the_api_joins_the_same_person_never_fails(fed: Federation) -> None:
    for n in range(10):
        # Given an application, and the same worker about to be joined through the API
        number, name = new_id_number(), f"王芳{n}"
        application = application_for(fed, number, name=name)
        page, api = signed_in(fed.union_a1_officer), signed_in(fed.town_a_staff)
        join = {"union_id": fed.union_a1.pk, "id_number": number, "name": name, "joined_on": "2026-01-05"}
        # When both are sent at once
        statuses = _at_once(
            partial(page.post, reverse("enrolment:accept", args=[application.pk]), {"joined_on": "2026-01-05"}),
            partial(api.post, MEMBERS_API, join, content_type="application/json"),
        )
        # Then both are answered without a server error, and the worker is a member once
        assert len(statuses) == 2 and all(status < 500 for status in statuses), statuses
        assert Membership.objects.filter(person__name=name, status=MembershipStatus.ACTIVE).count() == 1
