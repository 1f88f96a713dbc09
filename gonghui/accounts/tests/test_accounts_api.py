"""The account API: the same rule as the pages. City and town staff manage the accounts below
them in their subtree; a union officer or a member is refused every operation (403); an
account outside the scope is not found (404); one at the caller's own level is refused."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from gonghui.accounts.models import Account, ApiToken
from gonghui.core.access import Role
from gonghui.testing import Federation, make_user, signed_in

BASE = "/api/v1/accounts"


@pytest.fixture(autouse=True)
def _fresh_limits() -> None:
    cache.clear()


def create_payload(fed: Federation, **overrides: Any) -> dict[str, Any]:
    data = {
        "username": "qianjun",
        "name": "钱军",
        "mobile": "13957310011",
        "role": "union",
        "organisation_id": fed.union_a2.pk,
    }
    return {**data, **overrides}


def operations(user_id: int) -> list[tuple[str, str, dict[str, Any] | None]]:
    return [
        ("get", f"{BASE}/{user_id}", None),
        ("post", f"{BASE}/{user_id}/disable", None),
        ("post", f"{BASE}/{user_id}/enable", None),
        ("post", f"{BASE}/{user_id}/second-factor/reset", None),
        ("post", f"{BASE}/{user_id}/activation-code", {"delivery": "slip"}),
    ]


def call(client: Client, method: str, url: str, body: dict[str, Any] | None) -> Any:
    if method == "get":
        return client.get(url)
    return client.post(url, body or {}, content_type="application/json")


def test_town_staff_create_list_and_open_an_account(fed: Federation) -> None:
    client = signed_in(fed.town_a_staff)
    response = client.post(BASE, create_payload(fed), content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["code"] and not body["sent_by_sms"] and body["expires_at"].endswith("+08:00")
    assert body["account"] | {"id": 0, "last_login": None} == {
        "id": 0,
        "username": "qianjun",
        "name": "钱军",
        "role": "union",
        "organisation": {"id": fed.union_a2.pk, "name": "硖石联合工会"},
        "mobile_masked": "139****0011",
        "status": "pending",
        "last_login": None,
    }
    listed = client.get(BASE, {"q": "qian"}).json()
    assert [item["username"] for item in listed["items"]] == ["qianjun"]
    detail = client.get(f"{BASE}/{body['account']['id']}").json()
    assert [event["action"] for event in detail["events"]] == ["activation_code_issued", "account_created"]
    assert "13957310011" not in response.content.decode().replace(body["code"], "")


def test_the_api_refuses_what_the_pages_refuse(fed: Federation) -> None:
    client = signed_in(fed.town_a_staff)
    too_high = client.post(
        BASE, create_payload(fed, role="town", organisation_id=fed.town_a.pk), content_type="application/json"
    )
    elsewhere = client.post(BASE, create_payload(fed, organisation_id=fed.union_b1.pk), content_type="application/json")
    assert (too_high.status_code, too_high.json()["field"]) == (403, "role")
    assert (elsewhere.status_code, elsewhere.json()["field"]) == (403, "organisation")
    assert not User.objects.filter(username="qianjun").exists()


@pytest.mark.parametrize("visitor", ["union_a1_officer", "member_user"])
def test_officers_and_members_are_refused_every_operation(fed: Federation, visitor: str) -> None:
    client = signed_in(getattr(fed, visitor))
    target = make_user("zhouqiang", role=Role.UNION, organisation=fed.union_a1)
    assert client.get(BASE).status_code == 403
    assert client.post(BASE, create_payload(fed), content_type="application/json").status_code == 403
    for method, url, body in operations(target.pk):
        assert call(client, method, url, body).status_code == 403, url
    assert User.objects.get(pk=target.pk).is_active and TOTPDevice.objects.filter(user=target).exists()


def test_another_towns_accounts_are_not_found_and_ones_own_level_refused(fed: Federation) -> None:
    client = signed_in(fed.town_a_staff)
    for outsider in (fed.town_b_staff, fed.city_staff):
        for method, url, body in operations(outsider.pk):
            assert call(client, method, url, body).status_code == 404, url
    colleague = make_user("town_a_2", role=Role.TOWN, organisation=fed.town_a)
    for method, url, body in operations(colleague.pk)[1:]:
        assert call(client, method, url, body).status_code == 403, url
    assert (
        User.objects.filter(pk__in=[fed.town_b_staff.pk, fed.city_staff.pk, colleague.pk], is_active=True).count() == 3
    )


def test_disabling_through_the_api_stops_the_accounts_tokens(fed: Federation) -> None:
    officer = fed.union_a1_officer
    _, key = ApiToken.issue(user=officer, name="同步")
    own = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert own.get("/api/v1/members").status_code == 200
    response = signed_in(fed.city_staff).post(f"{BASE}/{officer.pk}/disable")
    assert response.status_code == 200 and response.json()["status"] == "disabled"
    assert own.get("/api/v1/members").status_code == 401
    assert signed_in(fed.city_staff).post(f"{BASE}/{officer.pk}/disable").status_code == 409


def test_a_token_cannot_raise_anyone_either(fed: Federation) -> None:
    """A token is its own credential (no second factor) but carries its user's scope."""
    _, key = ApiToken.issue(user=fed.union_a1_officer, name="同步")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    response = client.post(BASE, create_payload(fed), content_type="application/json")
    assert response.status_code == 403
    assert not Account.objects.filter(user__username="qianjun").exists()
