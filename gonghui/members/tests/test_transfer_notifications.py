"""Who is told when a transfer is decided: the member and both unions' own officers, each in
their inbox, never the one who decided, and nobody if the decision rolls back."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import transaction
from django.urls import reverse
from django.utils import translation

from gonghui.core.access import Role
from gonghui.core.models import Notification
from gonghui.core.testing import Federation, make_user
from gonghui.members import services
from gonghui.members.models import Transfer


class Boom(Exception):
    pass


@pytest.fixture
def union_b1_officer(fed: Federation) -> User:
    return make_user("union_b1", role=Role.UNION, organisation=fed.union_b1)


@pytest.fixture
def started(fed: Federation) -> Transfer:
    # Given the sending town starts a transfer of 张伟 from 海宁皮革城工会 to 许村家纺工会
    return services.transfer_start(
        scope=fed.scope(fed.town_a_staff), membership=fed.member_a1, to_union=fed.union_b1, on=date(2025, 6, 1)
    )


def told(kind: str) -> dict[str, tuple[str, str]]:
    """Who was told, what they read (in Chinese) and where it links."""
    with translation.override("zh-hans"):
        return {n.recipient.username: (n.body_text, n.link) for n in Notification.objects.filter(kind=kind)}


def test_a_confirmed_transfer_tells_the_member_and_both_unions_officers(
    fed: Federation, started: Transfer, union_b1_officer: User
) -> None:
    # When the receiving town confirms
    services.transfer_confirm(scope=fed.scope(fed.town_b_staff), transfer=started, on=date(2025, 6, 3))
    # Then the member and the officers of both unions have a message; the town that
    # confirmed and those above the unions have none
    messages = told("transfer.completed")
    assert set(messages) == {"member_a1", "union_a1", "union_b1"}
    assert messages["member_a1"] == (
        "您的会籍已从海宁皮革城工会转入许村家纺工会，转接日期 2025-06-03。",
        reverse("members:my_membership"),
    )
    person = fed.member_a1.person_id
    assert messages["union_b1"] == (
        "张伟 的会籍已从海宁皮革城工会转入许村家纺工会，转接日期 2025-06-03。",
        reverse("members:detail", args=[person]),
    )
    assert messages["union_a1"][1] == ""  # the record is no longer the sending union's to open


def test_a_confirmation_that_rolls_back_tells_nobody(
    fed: Federation, started: Transfer, union_b1_officer: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(Boom), transaction.atomic():
        services.transfer_confirm(scope=fed.scope(fed.town_b_staff), transfer=started)
        assert Notification.objects.count() == 3
        raise Boom  # something later in the same request fails
    assert callbacks == []
    assert not Notification.objects.exists()


def test_the_first_of_two_confirmations_tells_nobody_yet(fed: Federation, union_b1_officer: User) -> None:
    transfer = services.transfer_request_by_member(scope=fed.scope(fed.member_user), to_union=fed.union_b1)
    services.transfer_confirm(scope=fed.scope(fed.town_b_staff), transfer=transfer)
    assert not Notification.objects.exists()


def test_a_refusal_tells_the_reason_but_not_the_officer_who_refused(
    fed: Federation, started: Transfer, union_b1_officer: User
) -> None:
    services.transfer_refuse(scope=fed.scope(union_b1_officer), transfer=started, reason="不在本单位工作")
    messages = told("transfer.refused")
    assert set(messages) == {"member_a1", "union_a1"}
    assert messages["member_a1"][0] == "您从海宁皮革城工会转入许村家纺工会的转接被拒绝，原因：不在本单位工作"
    assert messages["union_a1"][1] == reverse("members:detail", args=[fed.member_a1.person_id])


def test_a_member_who_withdraws_their_request_is_not_told_of_it(fed: Federation, union_b1_officer: User) -> None:
    transfer = services.transfer_request_by_member(scope=fed.scope(fed.member_user), to_union=fed.union_b1)
    services.transfer_cancel(scope=fed.scope(fed.member_user), transfer=transfer)
    messages = told("transfer.cancelled")
    assert set(messages) == {"union_a1", "union_b1"}
    assert messages["union_b1"][0] == "张伟 从海宁皮革城工会转入许村家纺工会的转接已撤回。"
