"""Two rules of a transfer: the receiving union says where the worker now works (one of its
own employers), and a transfer waiting for confirmation blocks a second one, in the service
and on the pages."""

import json
from datetime import date

import pytest
from django.urls import reverse

from gonghui.core.errors import Conflict, ValidationFailed
from gonghui.members import services
from gonghui.members.models import Membership, MembershipStatus, Transfer, TransferStatus
from gonghui.testing import make_employer

ON = date(2024, 6, 3)


def start(fed, **extra) -> Transfer:
    return services.transfer_start(
        scope=fed.scope(fed.town_a_staff), membership=fed.member_a1, to_union=fed.union_b1, on=ON, **extra
    )


def now_at(fed) -> Membership:
    return Membership.objects.get(person=fed.member_a1.person, status=MembershipStatus.ACTIVE)


@pytest.fixture
def second_works(fed):
    """许村家纺工会 covers a second employer, so the receiving side has to choose."""
    return make_employer(town=fed.town_b, union=fed.union_b1, name="许村布艺有限公司")


# --- the employer at the receiving union --------------------------------------------------------


def test_the_receiving_union_chooses_the_new_employer(fed, second_works):
    transfer = start(fed)
    services.transfer_confirm(scope=fed.scope(fed.town_b_staff), transfer=transfer, to_employer=second_works)
    assert (now_at(fed).union, now_at(fed).employer) == (fed.union_b1, second_works)


def test_the_employer_the_sender_proposed_is_the_default(fed, second_works):
    transfer = start(fed, to_employer=second_works)
    services.transfer_confirm(scope=fed.scope(fed.town_b_staff), transfer=transfer)
    assert now_at(fed).employer == second_works


def test_a_receiving_union_with_one_employer_takes_the_worker_in_there(fed):
    services.transfer_confirm(scope=fed.scope(fed.town_b_staff), transfer=start(fed))
    assert now_at(fed).employer == fed.employer_b1


def test_with_several_employers_and_none_chosen_the_receiving_side_is_asked(fed, second_works):
    transfer = start(fed)
    with pytest.raises(ValidationFailed, match="请选择该会员在许村家纺工会的工作单位") as err:
        services.transfer_confirm(scope=fed.scope(fed.town_b_staff), transfer=transfer)
    assert err.value.field == "to_employer"
    assert Transfer.objects.get(pk=transfer.pk).receiving_confirmed_at is None


def test_an_employer_the_receiving_union_does_not_cover_is_refused(fed):
    transfer = start(fed)
    with pytest.raises(ValidationFailed, match="海宁中国皮革城股份有限公司不由许村家纺工会覆盖") as err:
        services.transfer_confirm(scope=fed.scope(fed.town_b_staff), transfer=transfer, to_employer=fed.employer_a1)
    assert err.value.field == "to_employer"
    unchanged = Transfer.objects.get(pk=transfer.pk)
    assert (unchanged.status, unchanged.receiving_confirmed_at) == (TransferStatus.PENDING, None)
    assert now_at(fed).union == fed.union_a1


def test_an_uncovered_employer_cannot_be_proposed_either(fed):
    with pytest.raises(ValidationFailed, match="不由许村家纺工会覆盖"):
        start(fed, to_employer=fed.employer_a1)
    assert not Transfer.objects.exists()


def test_the_sending_side_does_not_choose_the_employer(fed):
    transfer = services.transfer_request_by_member(scope=fed.scope(fed.member_user), to_union=fed.union_b1)
    with pytest.raises(ValidationFailed, match="工作单位由转入工会确认接收时选择"):
        services.transfer_confirm(scope=fed.scope(fed.town_a_staff), transfer=transfer, to_employer=fed.employer_b1)


def test_in_a_member_request_the_receiving_choice_holds_until_the_sender_confirms(fed, second_works):
    transfer = services.transfer_request_by_member(scope=fed.scope(fed.member_user), to_union=fed.union_b1)
    services.transfer_confirm(scope=fed.scope(fed.town_b_staff), transfer=transfer, to_employer=second_works)
    services.transfer_confirm(scope=fed.scope(fed.town_a_staff), transfer=transfer)
    assert now_at(fed).employer == second_works


def test_the_inbox_offers_the_receiving_unions_employers(client, fed, second_works):
    transfer = start(fed, to_employer=second_works)
    client.force_login(fed.town_b_staff)
    page = client.get(reverse("members:transfers")).content.decode()
    assert f'name="to_employer" id="to-employer-{transfer.pk}"' in page
    assert f'<option value="{second_works.pk}" selected>许村布艺有限公司</option>' in page
    assert f'<option value="{fed.employer_b1.pk}">许村家纺有限公司</option>' in page
    assert "海宁中国皮革城股份有限公司" not in page  # not an employer of the receiving union


def test_confirming_on_the_page_sets_the_chosen_employer(client, fed, second_works):
    transfer = start(fed)
    client.force_login(fed.town_b_staff)
    response = client.post(reverse("members:transfer_confirm", args=[transfer.pk]), {"to_employer": second_works.pk})
    assert response.status_code == 302
    assert now_at(fed).employer == second_works


def test_a_page_confirmation_with_another_unions_employer_is_refused(client, fed):
    transfer = start(fed)
    client.force_login(fed.town_b_staff)
    response = client.post(reverse("members:transfer_confirm", args=[transfer.pk]), {"to_employer": fed.employer_a1.pk})
    assert response.status_code == 400
    assert "不由许村家纺工会覆盖" in response.content.decode()
    assert Transfer.objects.get(pk=transfer.pk).status == TransferStatus.PENDING


def test_the_api_confirmation_takes_the_employer(client, fed, second_works):
    transfer = start(fed)
    client.force_login(fed.town_b_staff)
    url = f"/api/v1/members/transfers/{transfer.pk}/confirm"
    refused = client.post(url, {"to_employer_id": fed.employer_a1.pk}, content_type="application/json")
    assert refused.status_code == 400 and json.loads(refused.content)["field"] == "to_employer"
    done = client.post(url, {"to_employer_id": second_works.pk}, content_type="application/json")
    assert done.status_code == 200, done.content
    assert json.loads(done.content)["to_employer"]["id"] == second_works.pk
    assert now_at(fed).employer == second_works


# --- one pending transfer at a time -----------------------------------------------------------


PENDING_MESSAGE = "该会员已有一笔待确认的转接（转往许村家纺工会，2024-06-03发起），请先处理"


def test_a_second_transfer_is_refused_naming_the_pending_one(fed):
    start(fed)
    with pytest.raises(Conflict) as err:
        services.transfer_start(
            scope=fed.scope(fed.town_a_staff), membership=fed.member_a1, to_union=fed.union_a2, on=ON
        )
    assert err.value.message == PENDING_MESSAGE and err.value.code == "transfer_pending"
    assert Transfer.objects.count() == 1


def test_a_member_cannot_ask_for_a_second_transfer_while_one_is_pending(fed):
    start(fed)
    with pytest.raises(Conflict, match="该会员已有一笔待确认的转接（转往许村家纺工会"):
        services.transfer_request_by_member(scope=fed.scope(fed.member_user), to_union=fed.union_a2)
    assert Transfer.objects.count() == 1


def test_after_a_refusal_a_new_transfer_may_start(fed):
    services.transfer_refuse(scope=fed.scope(fed.town_b_staff), transfer=start(fed), reason="查无此人")
    again = services.transfer_start(
        scope=fed.scope(fed.town_a_staff), membership=fed.member_a1, to_union=fed.union_a2, on=ON
    )
    assert again.status == TransferStatus.PENDING


def test_the_start_page_shows_the_pending_transfer_instead_of_the_form(client, fed):
    start(fed)
    client.force_login(fed.town_a_staff)
    url = reverse("members:transfer_start", args=[fed.member_a1.person_id])
    page = client.get(url).content.decode()
    assert "该会员已有一笔待确认的转接（转往许村家纺工会，2024-06-03发起）" in page
    assert 'name="to_union"' not in page
    posted = client.post(url, {"to_union": fed.union_a2.code, "on": "2024-06-03"})
    assert posted.status_code == 409 and Transfer.objects.count() == 1


def test_the_detail_page_offers_no_new_transfer_while_one_is_pending(client, fed):
    client.force_login(fed.town_a_staff)
    url = reverse("members:detail", args=[fed.member_a1.person_id])
    start_url = reverse("members:transfer_start", args=[fed.member_a1.person_id])
    assert start_url in client.get(url).content.decode()
    start(fed)
    page = client.get(url).content.decode()
    assert start_url not in page and "转接待确认" in page


def test_the_api_refuses_a_second_transfer_with_the_message(client, fed):
    start(fed)
    client.force_login(fed.town_a_staff)
    response = client.post(
        f"/api/v1/members/{fed.member_a1.person_id}/transfer",
        {"to_union_id": fed.union_a2.pk, "on": "2024-06-03"},
        content_type="application/json",
    )
    assert response.status_code == 409
    assert json.loads(response.content)["detail"] == PENDING_MESSAGE
