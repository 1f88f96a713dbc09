"""Sign-in, refusal and error shapes shared by every API router."""

import json
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.utils import timezone
from ninja import NinjaAPI
from ninja.testing import TestClient

from gonghui.accounts.models import ApiToken
from gonghui.core.api_support import CappedPagination, bounded_count, error_field, install_error_handlers
from gonghui.organisations.models import Organisation
from gonghui.testing import PASSWORD, new_id_number

MEMBERS = "/api/v1/members"


def bearer(key: str) -> dict[str, Any]:
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def body(response) -> dict:
    return json.loads(response.content)


# --- who is asking -------------------------------------------------------------------------


def test_without_sign_in_every_operation_answers_401(fed, client):
    schema = body(client.get("/api/openapi.json"))
    for path, operations in schema["paths"].items():
        if path.startswith("/api/v1/public/"):
            continue  # public channels take no sign-in; they are rate-limited (enrolment tests)
        url = path.replace("{", "").replace("}", "")
        names = (
            "person_id",
            "org_id",
            "employer_id",
            "transfer_id",
            "job_id",
            "import_id",
            "notification_id",
            "user_id",
        )
        for name in names:
            url = url.replace(name, "1")
        for method in operations:
            response = getattr(client, method)(url)
            assert response.status_code == 401, (method, path)
            assert body(response) == {
                "detail": "请先登录，或提供有效的 API 令牌",
                "field": None,
                "code": "unauthenticated",
            }


def test_a_bearer_token_signs_in_and_notes_its_use(fed, client):
    token, key = ApiToken.issue(user=fed.town_a_staff, name="同步")
    response = client.get(MEMBERS, **bearer(key))
    assert response.status_code == 200
    assert [item["name"] for item in body(response)["items"]] == ["张伟"]
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_token_use_is_written_at_most_once_a_minute(fed, client):
    token, key = ApiToken.issue(user=fed.town_a_staff, name="同步")
    recent = timezone.now() - timedelta(seconds=20)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=recent)
    client.get(MEMBERS, **bearer(key))
    token.refresh_from_db()
    assert token.last_used_at == recent

    stale = timezone.now() - timedelta(minutes=5)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=stale)
    client.get(MEMBERS, **bearer(key))
    token.refresh_from_db()
    assert token.last_used_at > stale


def test_a_revoked_token_is_refused(fed, client):
    token, key = ApiToken.issue(user=fed.town_a_staff, name="旧系统")
    token.revoked = True
    token.save()
    response = client.get(MEMBERS, **bearer(key))
    assert response.status_code == 401
    assert body(response)["code"] == "unauthenticated"


def test_a_dead_token_is_refused_even_beside_a_live_session(fed, client):
    token, key = ApiToken.issue(user=fed.town_a_staff, name="旧系统")
    ApiToken.objects.filter(pk=token.pk).update(revoked=True)
    client.force_login(fed.town_a_staff)
    assert client.get(MEMBERS).status_code == 200
    assert client.get(MEMBERS, **bearer(key)).status_code == 401


def test_an_unknown_token_or_an_inactive_users_token_is_refused(fed, client):
    assert client.get(MEMBERS, **bearer("not-a-key")).status_code == 401
    _, key = ApiToken.issue(user=fed.town_a_staff, name="同步")
    User.objects.filter(pk=fed.town_a_staff.pk).update(is_active=False)
    assert client.get(MEMBERS, **bearer(key)).status_code == 401


def test_a_user_with_no_role_gets_403_by_session_and_by_token(fed, client):
    nobody = User.objects.create_user(username="nobody", password=PASSWORD)
    _, key = ApiToken.issue(user=nobody, name="x")
    response = client.get(MEMBERS, **bearer(key))
    assert response.status_code == 403
    assert body(response) == {"detail": "该账号没有分配角色", "field": None, "code": "forbidden"}
    client.force_login(nobody)
    assert client.get(MEMBERS).status_code == 403


def test_a_session_write_needs_the_csrf_token(fed):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(fed.town_a_staff)
    payload = {"name": "新名字"}
    url = f"/api/v1/organisations/{fed.union_a1.pk}"
    refused = browser.patch(url, payload, content_type="application/json")
    assert refused.status_code == 403
    assert body(refused)["code"] == "csrf_failed"
    browser.get("/api/docs")  # any page that sets the CSRF cookie
    csrf = browser.cookies["csrftoken"].value
    accepted = browser.patch(url, payload, content_type="application/json", HTTP_X_CSRFTOKEN=csrf)
    assert accepted.status_code == 200


def test_a_token_write_needs_no_csrf_token(fed):
    _, key = ApiToken.issue(user=fed.town_a_staff, name="同步")
    api_client = Client(enforce_csrf_checks=True)
    url = f"/api/v1/organisations/{fed.union_a1.pk}"
    response = api_client.patch(url, {"name": "新名字"}, content_type="application/json", **bearer(key))
    assert response.status_code == 200
    assert Organisation.objects.get(pk=fed.union_a1.pk).name == "新名字"


def test_a_read_with_a_session_needs_no_csrf_token(fed):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(fed.town_a_staff)
    assert browser.get(MEMBERS).status_code == 200


# --- errors --------------------------------------------------------------------------------


def join(client, union: Organisation, **fields) -> HttpResponse:
    payload = {"union_id": union.pk, "id_number": new_id_number(), "name": "王芳", "joined_on": "2024-05-01"}
    return client.post(MEMBERS, {**payload, **fields}, content_type="application/json")


def test_a_service_refusal_names_the_field_in_chinese(fed, client):
    client.force_login(fed.town_a_staff)
    number = new_id_number()
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    response = join(client, fed.union_a1, id_number=wrong)
    assert response.status_code == 400
    assert body(response) == {"detail": "身份证号校验位错误", "field": "id_number", "code": "invalid"}


def test_bad_input_is_400_naming_the_first_bad_field(fed, client):
    client.force_login(fed.town_a_staff)
    response = client.get(MEMBERS, {"joined_from": "2024-13-45"})
    assert response.status_code == 400
    assert body(response) == {
        "detail": "joined_from：日期格式应为 YYYY-MM-DD",
        "field": "joined_from",
        "code": "invalid",
    }
    missing = client.post(MEMBERS, {"union_id": fed.union_a1.pk}, content_type="application/json")
    assert missing.status_code == 400
    assert body(missing)["field"] == "id_number" and "必须填写" in body(missing)["detail"]


def test_a_body_that_is_not_json_is_400(fed, client):
    client.force_login(fed.town_a_staff)
    response = client.post(MEMBERS, "{not json", content_type="application/json")
    assert response.status_code == 400
    assert body(response)["code"] == "invalid"


def test_write_into_another_towns_union_is_403(fed, client):
    client.force_login(fed.town_a_staff)
    response = join(client, fed.union_b1)
    assert response.status_code == 403
    assert body(response) == {"detail": "该工会不在您的管辖范围内", "field": "union", "code": "forbidden"}


def test_reading_another_towns_member_is_404(fed, client):
    client.force_login(fed.town_a_staff)
    response = client.get(f"{MEMBERS}/{fed.member_b1.person_id}")
    assert response.status_code == 404
    assert body(response)["code"] == "not_found" and body(response)["field"] == "person"


NOT_FOUND = {"detail": "没有找到", "field": None, "code": "not_found"}


@pytest.mark.parametrize(
    "path",
    [
        f"{MEMBERS}/abc",  # a non-numeric id matches no route
        f"{MEMBERS}/1.5/reveal",
        "/api/v1/organisations/%E4%B8%80/stats",
        "/api/v1/nothing-here",
        "/api/",
        f"{MEMBERS}/1/",  # a trailing slash the API does not use
    ],
)
def test_an_unknown_api_path_is_a_json_404_signed_in_or_not(fed, client, path):
    for _ in ("anonymous", "signed in"):
        response = client.get(path)
        assert (response.status_code, response["Content-Type"]) == (404, "application/json; charset=utf-8")
        assert body(response) == NOT_FOUND
        client.force_login(fed.city_staff)


def test_a_method_an_operation_lacks_is_a_json_405_keeping_allow(fed, client):
    client.force_login(fed.city_staff)
    response = client.delete(MEMBERS)
    assert response.status_code == 405
    assert body(response) == {"detail": "不支持该请求方法", "field": None, "code": "method_not_allowed"}
    assert "GET" in response["Allow"]


def test_a_server_error_under_the_api_is_json_too(fed, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("gonghui.accounts.api_auth.api_token_user", broken)
    response = Client(raise_request_exception=False).get(MEMBERS, **bearer("any"))
    assert response.status_code == 500
    assert body(response) == {"detail": "服务器出错，请稍后再试", "field": None, "code": "server_error"}


def test_the_english_interface_gets_english_errors(fed, client):
    response = client.get(f"{MEMBERS}/abc", HTTP_ACCEPT_LANGUAGE="en")
    assert body(response)["detail"] == "Not found"


def test_pages_outside_the_api_keep_their_html_404(fed, client):
    response = client.get("/no-such-page")
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")


def test_joining_a_person_active_elsewhere_is_409(fed, client):
    client.force_login(fed.city_staff)
    response = join(client, fed.union_a1, id_number=fed.member_b1.person.id_number, name="李娜")
    assert response.status_code == 409
    assert body(response)["code"] == "conflict" and "许村家纺工会" in body(response)["detail"]


def test_an_unexpected_integrity_error_is_409_not_500():
    api = NinjaAPI(urls_namespace="integrity_test")
    install_error_handlers(api)

    @api.get("/boom")
    def boom(request) -> None:
        raise IntegrityError("duplicate key value violates unique constraint")

    response = TestClient(api).get("/boom")
    assert response.status_code == 409
    assert response.json() == {"detail": "与已有数据冲突，请刷新后重试", "field": None, "code": "conflict"}


@pytest.mark.parametrize(
    ("loc", "field"),
    [
        (("query", "joined_from"), "joined_from"),
        (("body", "payload", "name"), "name"),
        (("body", "payload", "officers", 0, "name"), "officers.0.name"),
        (("path", "person_id"), "person_id"),
        (("body", "payload"), "payload"),
        ((), None),
    ],
)
def test_error_field_drops_the_source_and_the_argument_name(loc, field):
    assert error_field({"loc": loc}) == field


# --- paging --------------------------------------------------------------------------------


def test_the_count_stops_at_the_cap(fed):
    for code in ("HN-XF-003", "HN-XF-004", "HN-XF-005"):
        Organisation.objects.add_child(
            Organisation.objects.get(pk=fed.town_a.pk),
            instance=Organisation(code=code, name=code, kind="joint_union"),
        )
    paginator = CappedPagination(cap=3)
    page = paginator.paginate_queryset(
        Organisation.objects.order_by("path"),
        CappedPagination.Input(limit=2, offset=0),
        request=RequestFactory().get("/"),
    )
    assert len(page["items"]) == 2
    assert (page["count"], page["count_capped"]) == (3, True)
    short = paginator.paginate_queryset(
        Organisation.objects.filter(pk=fed.city.pk),
        CappedPagination.Input(limit=2, offset=0),
        request=RequestFactory().get("/"),
    )
    assert (short["count"], short["count_capped"]) == (1, False)


def planner_limits() -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('statement_timeout'), current_setting('max_parallel_workers_per_gather')"
        )
        return cursor.fetchone()


@pytest.mark.postgres_only
def test_a_count_over_budget_gives_up_and_leaves_the_transaction_as_it_was(fed):
    before = planner_limits()
    slow = Organisation.objects.extra(where=["pg_sleep(0.2) IS NOT NULL"])
    assert bounded_count(slow, budget_ms=20) is None
    assert planner_limits() == before
    assert bounded_count(Organisation.objects.all(), budget_ms=1000) == 6
    assert planner_limits() == before


def test_a_capped_count_says_so_when_it_gives_up(fed, monkeypatch):
    monkeypatch.setattr("gonghui.core.api_support.bounded_count", lambda queryset, budget_ms: None)
    page = CappedPagination().paginate_queryset(
        Organisation.objects.order_by("path"),
        CappedPagination.Input(limit=2, offset=0),
        request=RequestFactory().get("/"),
    )
    assert (len(page["items"]), page["count"], page["count_capped"]) == (2, 2, True)


# --- schema and docs -----------------------------------------------------------------------


def test_the_schema_and_the_docs_are_served(client, db):
    schema = client.get("/api/openapi.json")
    assert schema.status_code == 200
    paths = body(schema)["paths"]
    assert {"/api/v1/members", "/api/v1/organisations/tree", "/api/v1/employers"} <= set(paths)
    schemes = body(schema)["components"]["securitySchemes"]
    assert {"type": "http", "scheme": "bearer"} in schemes.values()
    docs = client.get("/api/docs")
    assert docs.status_code == 200
    assert b"/api/openapi.json" in docs.content


# --- issuing tokens ------------------------------------------------------------------------


def test_issue_api_token_prints_a_key_that_works(fed, client):
    out = StringIO()
    call_command("issue_api_token", "town_a", "--name", "人社同步", stdout=out, stderr=StringIO())
    key = out.getvalue().strip()
    assert ApiToken.objects.get(name="人社同步").key_hash == ApiToken.hash_key(key)
    assert client.get(MEMBERS, **bearer(key)).status_code == 200


def test_issue_api_token_refuses_an_unknown_user(db):
    with pytest.raises(CommandError, match="没有用户"):
        call_command("issue_api_token", "ghost", "--name", "x", stdout=StringIO(), stderr=StringIO())
