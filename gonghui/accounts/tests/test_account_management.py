"""City and town staff manage the accounts below them: create one with an activation code,
disable, enable, reset the second factor, issue a new code, list and open accounts with who
signed in when. Union officers and members are refused every page; nobody manages an
account of their own level or higher, nor one outside their subtree; every step is audited."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from gonghui.accounts import administration
from gonghui.accounts.models import Account, AccountStatus, ApiToken
from gonghui.core.access import Role
from gonghui.core.audit import audit_record
from gonghui.core.errors import Conflict, Forbidden, ValidationFailed
from gonghui.core.models import AuditEntry
from gonghui.testing import PASSWORD, Federation, make_user, signed_in

NEW_PASSWORD = "lotus pond under spring rain"


@pytest.fixture(autouse=True)
def _fresh_limits() -> None:
    cache.clear()


def new_officer_data(fed: Federation, **overrides: Any) -> dict[str, Any]:
    data = {
        "name": "王芳",
        "username": "wangfang",
        "mobile": "139 5731 0001",
        "role": "union",
        "organisation": fed.union_a1.pk,
        "delivery": "slip",
    }
    return {**data, **overrides}


def activate(client: Client, code: str, proof: str, password: str = NEW_PASSWORD) -> Any:
    data = {"code": code, "proof": proof, "password": password, "password_again": password}
    return client.post(reverse("accounts:activate"), data)


def sign_in_with_password(client: Client, username: str, password: str) -> Any:
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def audited(action: str, user: User) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action, subject_type="auth.user", subject_id=str(user.pk)))


# --- creating --------------------------------------------------------------------------------


def test_town_staff_create_a_union_officer_who_activates_and_then_enrols_a_second_factor(fed: Federation) -> None:
    # Given town A's staff on the new-account page
    town = signed_in(fed.town_a_staff)
    assert town.get(reverse("accounts:account_new")).status_code == 200
    # When they create an account for an officer of one of their unions
    response = town.post(reverse("accounts:account_new"), new_officer_data(fed))
    # Then the page shows the activation code once, and the account waits for it
    assert response.status_code == 201, response.content.decode()
    code = response.context["issued"].code
    assert code in response.content.decode() and "wangfang" in response.content.decode()
    account = Account.objects.select_related("user").get(user__username="wangfang")
    assert (account.role, account.organisation, account.mobile) == (Role.UNION, fed.union_a1, "13957310001")
    assert account.user.first_name == "王芳" and account.status == AccountStatus.PENDING
    assert not account.user.has_usable_password()
    assert [e.actor for e in audited(AuditEntry.Action.ACCOUNT_CREATED, account.user)] == [fed.town_a_staff]
    assert [e.actor for e in audited(AuditEntry.Action.ACTIVATION_CODE_ISSUED, account.user)] == [fed.town_a_staff]
    # And the officer, with the code and their mobile, sets a password
    officer = Client()
    activated = activate(officer, code.lower().replace("-", " "), "+86 13957310001")
    assert activated.status_code == 200 and "账号已激活" in activated.content.decode()
    # And their first sign-in asks them to set up the authenticator app
    response = sign_in_with_password(officer, "wangfang", NEW_PASSWORD)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:second_factor_enrol"))
    assert officer.get(reverse("members:list")).status_code == 302  # nothing before the second factor


def test_the_code_can_go_by_text_message_instead(
    fed: Federation, sms_outbox: list, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(fed.town_a_staff).post(
            reverse("accounts:account_new"), new_officer_data(fed, delivery="sms")
        )
    assert response.status_code == 201
    issued = response.context["issued"]
    assert issued.code not in response.content.decode()  # sent, not shown
    assert "139****0001" in response.content.decode()
    [message] = sms_outbox
    assert message.number == "13957310001" and issued.code in message.text and "wangfang" in message.text


def test_the_form_offers_only_roles_below_and_organisations_in_the_subtree_by_name(fed: Federation) -> None:
    town_form = signed_in(fed.town_a_staff).get(reverse("accounts:account_new")).context["form"]
    assert [value for value, _ in town_form.fields["role"].choices] == ["union"]
    town_options = str(town_form["organisation"])
    assert "海宁皮革城工会" in town_options and "硖石联合工会" in town_options
    assert "许村家纺工会" not in town_options and fed.union_a1.code not in town_options
    city_form = signed_in(fed.city_staff).get(reverse("accounts:account_new")).context["form"]
    assert [value for value, _ in city_form.fields["role"].choices] == ["town", "union"]
    city_options = str(city_form["organisation"])
    assert '<optgroup label="许村镇总工会">' in city_options and "许村家纺工会" in city_options


def test_every_problem_is_named_beside_its_field(fed: Federation) -> None:
    make_user("wangfang", role=Role.UNION, organisation=fed.union_a2)
    town = signed_in(fed.town_a_staff)
    response = town.post(reverse("accounts:account_new"), new_officer_data(fed, username="WangFang"))
    assert response.status_code == 409
    assert response.context["form"].errors["username"] == ["该用户名已被使用"]
    response = town.post(reverse("accounts:account_new"), new_officer_data(fed, username="new", mobile="12345"))
    assert response.status_code == 400
    assert response.context["form"].errors["mobile"] == ["手机号码应为11位，以13-19开头"]
    response = town.post(reverse("accounts:account_new"), new_officer_data(fed, organisation=fed.union_b1.pk))
    assert response.status_code == 400 and "organisation" in response.context["form"].errors
    assert not User.objects.filter(username="new").exists()


@pytest.mark.parametrize(
    ("actor", "role", "organisation", "error"),
    [
        ("town_a_staff", Role.UNION, "union_b1", Forbidden),  # another town's union
        ("town_a_staff", Role.TOWN, "town_a", Forbidden),  # their own level
        ("city_staff", Role.CITY, "city", Forbidden),  # above nobody's
        ("union_a1_officer", Role.UNION, "union_a1", Forbidden),  # officers manage no accounts
        ("member_user", Role.UNION, "union_a1", Forbidden),
        ("city_staff", Role.TOWN, "union_a1", ValidationFailed),  # a town account in a union
        ("city_staff", Role.UNION, "town_a", ValidationFailed),
    ],
)
def test_nobody_creates_an_account_at_or_above_their_level_or_outside_their_subtree(
    fed: Federation, actor: str, role: str, organisation: str, error: type[Exception]
) -> None:
    with pytest.raises(error):
        administration.account_create(
            scope=fed.scope(getattr(fed, actor)),
            username="intruder",
            name="李强",
            mobile="13957310002",
            role=role,
            organisation=getattr(fed, organisation),
        )
    assert not User.objects.filter(username="intruder").exists()
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.ACCOUNT_CREATED).exists()


# --- who may open the pages ------------------------------------------------------------------


def account_urls(user: User) -> list[tuple[str, str]]:
    detail = [
        ("get", reverse("accounts:account_detail", args=[user.pk])),
        ("post", reverse("accounts:account_disable", args=[user.pk])),
        ("post", reverse("accounts:account_enable", args=[user.pk])),
        ("post", reverse("accounts:account_reset_second_factor", args=[user.pk])),
        ("post", reverse("accounts:account_code", args=[user.pk])),
    ]
    return [("get", reverse("accounts:account_list")), ("get", reverse("accounts:account_new")), *detail]


@pytest.mark.parametrize("visitor", ["union_a1_officer", "member_user"])
def test_union_officers_and_members_cannot_reach_the_account_pages(fed: Federation, visitor: str) -> None:
    client = signed_in(getattr(fed, visitor))
    target = make_user("zhaolei", role=Role.UNION, organisation=fed.union_a1)
    for method, url in account_urls(target):
        assert getattr(client, method)(url).status_code == 403, url
    assert client.post(reverse("accounts:account_new"), new_officer_data(fed)).status_code == 403
    assert User.objects.get(pk=target.pk).is_active and TOTPDevice.objects.filter(user=target).exists()
    refusals = AuditEntry.objects.filter(action=AuditEntry.Action.ACCESS_DENIED, actor=getattr(fed, visitor))
    assert refusals.count() == len(account_urls(target)) + 1


def test_town_staff_cannot_see_another_towns_officers_nor_city_staff(fed: Federation) -> None:
    client = signed_in(fed.town_a_staff)
    for outsider in (fed.town_b_staff, fed.city_staff):
        for method, url in account_urls(outsider)[2:]:
            assert getattr(client, method)(url).status_code == 404, url
        assert User.objects.get(pk=outsider.pk).is_active
    listed = client.get(reverse("accounts:account_list")).content.decode()
    assert "union_a1" in listed and "town_b" not in listed and ">city<" not in listed


def test_staff_see_but_cannot_manage_their_own_level(fed: Federation) -> None:
    colleague = make_user("town_a_2", role=Role.TOWN, organisation=fed.town_a)
    client = signed_in(fed.town_a_staff)
    page = client.get(reverse("accounts:account_detail", args=[colleague.pk]))
    assert page.status_code == 200 and "停用账号" not in page.content.decode()
    for method, url in account_urls(colleague)[3:]:
        assert getattr(client, method)(url).status_code == 403, url
    assert User.objects.get(pk=colleague.pk).is_active and TOTPDevice.objects.filter(user=colleague).exists()


# --- disabling, enabling, resetting ----------------------------------------------------------


def test_a_disabled_account_is_signed_out_cannot_sign_in_and_its_tokens_stop(fed: Federation) -> None:
    officer = fed.union_a1_officer
    browser = signed_in(officer)
    _, key = ApiToken.issue(user=officer, name="报表同步")
    bearer: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    assert Client().get("/api/v1/members", **bearer).status_code == 200
    # When town A's staff disable the account
    response = signed_in(fed.town_a_staff).post(reverse("accounts:account_disable", args=[officer.pk]))
    assert response.status_code == 302
    # Then its session is over, its token refused and its password no longer signs in
    assert browser.get(reverse("members:list")).status_code == 302
    assert Client().get("/api/v1/members", **bearer).status_code == 401
    failed = sign_in_with_password(Client(), "union_a1", PASSWORD)
    assert failed.status_code == 200 and "_auth_user_id" not in failed.wsgi_request.session
    [entry] = audited(AuditEntry.Action.ACCOUNT_DISABLED, officer)
    assert entry.actor == fed.town_a_staff and entry.detail == {"sessions_ended": 1, "tokens_revoked": 1}
    # And enabled again it signs in, but the revoked token stays dead
    assert signed_in(fed.town_a_staff).post(reverse("accounts:account_enable", args=[officer.pk])).status_code == 302
    assert sign_in_with_password(Client(), "union_a1", PASSWORD).status_code == 302
    assert Client().get("/api/v1/members", **bearer).status_code == 401
    assert len(audited(AuditEntry.Action.ACCOUNT_ENABLED, officer)) == 1


def test_disabling_twice_says_so(fed: Federation) -> None:
    client = signed_in(fed.town_a_staff)
    url = reverse("accounts:account_disable", args=[fed.union_a1_officer.pk])
    client.post(url)
    response = client.post(url)
    assert response.status_code == 409 and "该账号已停用" in response.content.decode()


def test_resetting_the_second_factor_makes_the_officer_enrol_again(fed: Federation) -> None:
    officer = fed.union_a1_officer
    browser = signed_in(officer)
    url = reverse("accounts:account_reset_second_factor", args=[officer.pk])
    assert signed_in(fed.city_staff).post(url).status_code == 302
    assert not TOTPDevice.objects.filter(user=officer).exists()
    assert browser.get(reverse("members:list")).status_code == 302  # signed out everywhere
    client = Client()
    response = sign_in_with_password(client, "union_a1", PASSWORD)
    assert response["Location"].startswith(reverse("accounts:second_factor_enrol"))
    [entry] = audited(AuditEntry.Action.SECOND_FACTOR_RESET, officer)
    assert entry.actor == fed.city_staff and entry.detail["devices_removed"] == 1


def test_a_member_account_has_no_second_factor_to_reset(fed: Federation) -> None:
    with pytest.raises(Conflict):
        administration.account_second_factor_reset(scope=fed.scope(fed.town_a_staff), account=fed.member_user.account)


def test_a_new_code_resets_a_forgotten_password_but_not_the_second_factor(fed: Federation) -> None:
    officer = make_user("sunli", role=Role.UNION, organisation=fed.union_a2)
    Account.objects.filter(user=officer).update(mobile="13957310003")
    response = signed_in(fed.town_a_staff).post(
        reverse("accounts:account_code", args=[officer.pk]), {"delivery": "slip"}
    )
    assert response.status_code == 200
    code = response.context["issued"].code
    assert activate(Client(), code, "13957310003").status_code == 200
    assert sign_in_with_password(Client(), "sunli", PASSWORD).status_code == 200  # the old one is gone
    client = Client()
    response = sign_in_with_password(client, "sunli", NEW_PASSWORD)
    assert response["Location"].startswith(reverse("accounts:second_factor") + "?")
    assert TOTPDevice.objects.filter(user=officer, confirmed=True).exists()


def test_no_code_for_an_account_without_a_mobile(fed: Federation) -> None:
    response = signed_in(fed.town_a_staff).post(
        reverse("accounts:account_code", args=[fed.union_a1_officer.pk]), {"delivery": "slip"}
    )
    assert response.status_code == 409 and "没有登记手机号码" in response.content.decode()


# --- the list and one account ----------------------------------------------------------------


def test_the_list_searches_filters_and_pages(fed: Federation, django_assert_max_num_queries: Any) -> None:
    for n in range(30):
        user = make_user(f"officer{n:02d}", role=Role.UNION, organisation=fed.union_a2)
        User.objects.filter(pk=user.pk).update(first_name=f"陈{n:02d}")
    User.objects.filter(username="officer07").update(is_active=False)
    client = signed_in(fed.city_staff)
    url = reverse("accounts:account_list")
    with django_assert_max_num_queries(8):  # 7: sessions, the viewer, the page's rows; none per row
        first = client.get(url, {"role": "union"})
    assert first.context["page_obj"].paginator.count == 31 and len(first.context["page_obj"]) == 25
    assert "第 1 / 2 页" in first.content.decode()
    assert len(client.get(url, {"role": "union", "page": "2"}).context["page_obj"]) == 6
    assert [a.user.username for a in client.get(url, {"q": "陈07"}).context["page_obj"]] == ["officer07"]
    assert [a.user.username for a in client.get(url, {"status": "disabled"}).context["page_obj"]] == ["officer07"]
    assert [a.user.username for a in client.get(url, {"q": "town"}).context["page_obj"]] == ["town_a", "town_b"]
    fragment = client.get(url, {"q": "nobody"}, HTTP_HX_REQUEST="true")
    assert "<html" not in fragment.content.decode() and "没有找到符合条件的账号" in fragment.content.decode()


def test_the_lists_next_page_keeps_the_search_and_asks_htmx_for_the_results_only(fed: Federation) -> None:
    for n in range(26):
        make_user(f"officer{n:02d}", role=Role.UNION, organisation=fed.union_a2)
    page = signed_in(fed.city_staff).get(reverse("accounts:account_list"), {"role": "union", "page": "1"})
    html = page.content.decode()
    url = reverse("accounts:account_list")
    assert f'<a href="?role=union&amp;page=2" hx-get="{url}?role=union&amp;page=2" hx-target="#account-results"' in html


def test_an_accounts_page_shows_who_signed_in_when_in_shanghai_time(fed: Federation) -> None:
    officer = fed.union_a1_officer
    sign_in_with_password(Client(), "union_a1", PASSWORD)
    sign_in_with_password(Client(), "union_a1", "wrong password")
    audit_record(actor=officer, action=AuditEntry.Action.VIEW_SENSITIVE, subject=fed.member_a1.person)
    page = signed_in(fed.town_a_staff).get(reverse("accounts:account_detail", args=[officer.pk]))
    text = page.content.decode()
    [signed] = audited(AuditEntry.Action.SIGN_IN, officer)
    local = signed.at.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M:%S")
    assert page.status_code == 200 and local in text
    assert signed.at.astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%d %H:%M:%S") not in text
    assert "登录失败" in text and "查看敏感记录" in text and "张伟" in text


def test_the_workbench_counts_accounts_whose_code_expired_for_those_who_manage_them(fed: Federation) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from gonghui.accounts.models import ActivationCode
    from gonghui.core.todos import todos_for

    administration.account_create(
        scope=fed.scope(fed.town_a_staff),
        username="wangfang",
        name="王芳",
        mobile="13957310001",
        role=Role.UNION,
        organisation=fed.union_a1,
    )

    def count(user: User) -> int | None:
        shown = {todo.key: todo.count for todo in todos_for(scope=fed.scope(user))}
        return shown.get("accounts.codes_expired")

    assert count(fed.town_a_staff) == 0
    ActivationCode.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    assert (count(fed.town_a_staff), count(fed.city_staff), count(fed.town_b_staff)) == (1, 1, 0)
    assert count(fed.union_a1_officer) is None  # officers manage no accounts: no such to-do


def test_an_accounts_page_costs_a_fixed_number_of_queries(fed: Federation, django_assert_max_num_queries: Any) -> None:
    officer = fed.union_a1_officer
    for _ in range(5):
        sign_in_with_password(Client(), "union_a1", PASSWORD)
    client = signed_in(fed.city_staff)
    with django_assert_max_num_queries(11):  # 10, however long the account's history
        assert client.get(reverse("accounts:account_detail", args=[officer.pk])).status_code == 200
