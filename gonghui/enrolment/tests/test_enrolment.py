"""Membership applications: a worker applies without an account, the union's officers (and
only they, or those above them) accept or refuse, and floods from one address or one phone
are answered with 429 on the page and in the API."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from gonghui.core.crypto import blind_index
from gonghui.enrolment.models import Application, ApplicationStatus
from gonghui.members.models import Membership, MembershipStatus
from gonghui.testing import Federation, new_id_number, new_mobile, signed_in

API_URL = "/api/v1/public/applications"


@pytest.fixture(autouse=True)
def _fresh_limits() -> None:
    cache.clear()


def form_data(fed: Federation, **overrides: Any) -> dict[str, Any]:
    data = {
        "name": "王芳",
        "id_number": new_id_number(sex="F"),
        "mobile": new_mobile(),
        "employer_name": fed.employer_a1.name,
        "union": fed.union_a1.code,
        "consent": "on",
    }
    return {**data, **overrides}


def api_data(fed: Federation, **overrides: Any) -> dict[str, Any]:
    data = form_data(fed, consent=True)
    return {**data, **overrides}


def apply(client: Client, data: dict[str, Any], ip: str = "10.0.0.1") -> Any:
    return client.post(reverse("enrolment:apply"), data, REMOTE_ADDR=ip)


def test_worker_applies_without_an_account(client: Client, fed: Federation) -> None:
    assert client.get(reverse("enrolment:apply")).status_code == 200
    response = apply(client, form_data(fed))
    assert response.status_code == 302
    application = Application.objects.get()
    assert application.status == ApplicationStatus.PENDING
    assert application.union == fed.union_a1
    assert application.consent_version
    assert application.submitted_from == "10.0.0.1"


def test_the_union_code_may_be_typed_in_fullwidth(client: Client, fed: Federation) -> None:
    assert apply(client, form_data(fed, union="ｈｎ－ｘｆ－００１")).status_code == 302
    assert Application.objects.get().union == fed.union_a1


def test_application_needs_consent_and_valid_numbers(client: Client, fed: Federation) -> None:
    response = apply(client, form_data(fed, consent="", id_number="330481199001011234", mobile="123"))
    assert response.status_code == 400
    assert not Application.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "王\x1f芳", "姓名含有不可见的控制字符"),
        ("employer_name", "海宁\x01皮革城", "工作单位含有不可见的控制字符"),
    ],
)
def test_the_public_form_refuses_a_control_character_beside_the_field(
    client: Client, fed: Federation, field: str, value: str, message: str
) -> None:
    """U+001F once passed as a space (Python counts it as whitespace); now the same rule
    as the API's refuses it, before anything is stored."""
    response = apply(client, form_data(fed, **{field: value}))
    assert response.status_code == 400
    assert response.context["form"].errors[field] == [message]
    assert not Application.objects.exists()


def test_the_public_api_refuses_a_control_character_naming_the_field(client: Client, fed: Federation) -> None:
    response = client.post(API_URL, api_data(fed, name="王\x1f芳"), content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": "name：含有不可见的控制字符", "field": "name", "code": "invalid"}
    assert not Application.objects.exists()


def test_public_union_picker_lists_open_unions(client: Client, fed: Federation) -> None:
    response = client.get(reverse("enrolment:union_options"), {"union": "皮革"})
    options = response.content.decode()
    assert '<option value="海宁皮革城工会">硖石街道总工会</option>' in options and fed.union_a1.code not in options


def test_officers_see_applications_within_their_scope(client: Client, fed: Federation) -> None:
    apply(client, form_data(fed, name="王芳"))
    application = Application.objects.get()
    for user in (fed.union_a1_officer, fed.town_a_staff, fed.city_staff):
        assert "王芳" in signed_in(user).get(reverse("enrolment:list")).content.decode()
    outsider = signed_in(fed.town_b_staff)
    assert "王芳" not in outsider.get(reverse("enrolment:list")).content.decode()
    assert outsider.get(reverse("enrolment:detail", args=[application.pk])).status_code == 404
    member = signed_in(fed.member_user)
    assert member.get(reverse("enrolment:list")).status_code == 403


def test_officer_accepts_application_into_membership(client: Client, fed: Federation) -> None:
    apply(client, form_data(fed))
    application = Application.objects.get()
    officer = signed_in(fed.union_a1_officer)
    response = officer.post(reverse("enrolment:accept", args=[application.pk]), {"joined_on": "2026-01-05"})
    assert response.status_code == 200
    assert "已接收入会申请" in response.content.decode()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.ACCEPTED
    membership = Membership.objects.get(person__id_number_hash=blind_index(application.id_number))
    assert membership.union == fed.union_a1 and membership.status == MembershipStatus.ACTIVE
    assert membership.employer == fed.employer_a1
    assert application.membership == membership and application.decided_by == fed.union_a1_officer


def test_officer_refuses_with_a_reason(client: Client, fed: Federation) -> None:
    apply(client, form_data(fed))
    application = Application.objects.get()
    officer = signed_in(fed.union_a1_officer)
    assert officer.post(reverse("enrolment:refuse", args=[application.pk]), {"reason": ""}).status_code == 400
    response = officer.post(reverse("enrolment:refuse", args=[application.pk]), {"reason": "不在本单位工作"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.REFUSED
    assert application.refusal_reason == "不在本单位工作"
    assert not Membership.objects.filter(person__id_number_hash=blind_index(application.id_number)).exists()


def test_other_towns_officer_cannot_decide(client: Client, fed: Federation) -> None:
    apply(client, form_data(fed))
    application = Application.objects.get()
    outsider = signed_in(fed.town_b_staff)
    assert (
        outsider.post(reverse("enrolment:accept", args=[application.pk]), {"joined_on": "2026-01-05"}).status_code
        == 404
    )
    assert outsider.post(reverse("enrolment:refuse", args=[application.pk]), {"reason": "x"}).status_code == 404
    application.refresh_from_db()
    assert application.status == ApplicationStatus.PENDING


def test_page_is_limited_per_address(client: Client, fed: Federation) -> None:
    for _ in range(5):
        assert apply(client, form_data(fed), ip="10.0.0.9").status_code == 302
    response = apply(client, form_data(fed), ip="10.0.0.9")
    assert response.status_code == 429
    assert "频繁" in response.content.decode()
    assert apply(client, form_data(fed), ip="10.0.0.10").status_code == 302


def test_page_is_limited_per_phone(client: Client, fed: Federation) -> None:
    mobile = new_mobile()
    for n in range(3):
        assert apply(client, form_data(fed, mobile=mobile), ip=f"10.1.0.{n}").status_code == 302
    assert apply(client, form_data(fed, mobile=mobile), ip="10.1.0.99").status_code == 429
    assert [a.mobile for a in Application.objects.all()] == [mobile] * 3


def test_api_accepts_an_application(client: Client, fed: Federation) -> None:
    response = client.post(API_URL, api_data(fed), content_type="application/json", REMOTE_ADDR="10.2.0.1")
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "pending"


def test_api_refuses_bad_input_with_error_json(client: Client, fed: Federation) -> None:
    response = client.post(API_URL, api_data(fed, union="NOPE"), content_type="application/json")
    assert response.status_code == 400
    assert response.json()["field"] == "union"


def test_api_is_limited_per_address_with_429_json(client: Client, fed: Federation) -> None:
    for _ in range(5):
        client.post(API_URL, api_data(fed), content_type="application/json", REMOTE_ADDR="10.3.0.1")
    response = client.post(API_URL, api_data(fed), content_type="application/json", REMOTE_ADDR="10.3.0.1")
    assert response.status_code == 429
    assert response.json()["code"] == "throttled"


def test_api_is_limited_per_phone_with_429_json(client: Client, fed: Federation) -> None:
    mobile = new_mobile()
    for n in range(3):
        data = api_data(fed, mobile=mobile)
        assert client.post(API_URL, data, content_type="application/json", REMOTE_ADDR=f"10.4.0.{n}").status_code == 201
    data = api_data(fed, mobile=mobile)
    response = client.post(API_URL, data, content_type="application/json", REMOTE_ADDR="10.4.0.50")
    assert response.status_code == 429
    assert response.json()["code"] == "throttled"


def test_public_form_reads_in_english(client: Client, fed: Federation) -> None:
    client.cookies["django_language"] = "en"
    page = client.get(reverse("enrolment:apply")).content.decode()
    assert "Membership application" in page and "Submit application" in page and "入会申请" not in page


def test_a_decided_application_cannot_be_decided_again(client: Client, fed: Federation) -> None:
    apply(client, form_data(fed))
    application = Application.objects.get()
    officer = signed_in(fed.union_a1_officer)
    officer.post(reverse("enrolment:accept", args=[application.pk]), {"joined_on": "2026-01-05"})
    response = officer.post(reverse("enrolment:refuse", args=[application.pk]), {"reason": "重复"})
    assert response.status_code == 400
    assert "该申请已处理" in response.content.decode()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.ACCEPTED and application.refusal_reason == ""


def test_accepting_someone_already_a_member_says_so(client: Client, fed: Federation) -> None:
    apply(client, form_data(fed, id_number=fed.member_b1.person.id_number))
    application = Application.objects.get()
    response = signed_in(fed.city_staff).post(
        reverse("enrolment:accept", args=[application.pk]), {"joined_on": "2026-01-05"}
    )
    assert response.status_code == 400
    assert "请办理转接" in response.content.decode()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.PENDING


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"consent": False}, "consent"),
        ({"id_number": "330481199001011234"}, "id_number"),
        ({"mobile": "123"}, "mobile"),
    ],
)
def test_api_names_the_field_it_refuses(client: Client, fed: Federation, overrides: dict[str, Any], field: str) -> None:
    response = client.post(API_URL, api_data(fed, **overrides), content_type="application/json")
    assert response.status_code == 400
    body = response.json()
    assert body["field"] == field and body["detail"]
    assert not Application.objects.exists()


def test_the_public_union_picker_is_limited_per_address(client: Client, fed: Federation, monkeypatch) -> None:
    from django.core.cache import cache

    from gonghui.core.ratelimit import Limit
    from gonghui.enrolment import selectors

    cache.clear()
    monkeypatch.setattr(selectors, "UNION_OPTIONS_PER_ADDRESS", Limit("enrol-union-options-test", 2, 60))
    url = reverse("enrolment:union_options")
    assert [client.get(url, {"union": "工会"}).status_code for _ in range(3)] == [200, 200, 429]


def test_the_public_union_picker_offers_only_open_unions(client: Client, fed: Federation) -> None:
    from gonghui.organisations.models import Organisation, OrganisationStatus

    Organisation.objects.filter(pk=fed.union_a2.pk).update(status=OrganisationStatus.DISSOLVED)
    options = client.get(reverse("enrolment:union_options"), {"union": "硖石"}).content.decode()
    assert "硖石联合工会" not in options and "HN-" not in options
