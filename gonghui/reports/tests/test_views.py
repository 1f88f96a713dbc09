"""The report page, drill-down lists, exports and the reports API: what each persona sees,
and what is refused."""

import io
import json
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from gonghui.core.figures import all_figures
from gonghui.core.models import AuditEntry

REVIEW = {"start": "2021-01-01", "end": "2025-12-31"}
API = "/api/v1/reports"


@pytest.fixture(autouse=True)
def quick_password_hashing(settings):
    # The personas' and demo accounts' passwords would otherwise cost a second each to hash.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def params(org, **extra) -> dict:
    return {"organisation": org.pk, **REVIEW, **extra}


def test_report_page_shows_every_figure_for_the_viewers_subtree(client, fed):
    client.force_login(fed.town_a_staff)
    response = client.get(reverse("reports:index"), REVIEW)
    assert response.status_code == 200
    page = response.content.decode()
    assert "硖石街道总工会" in page and "组织建设" in page
    for label in ("基层工会", "覆盖用人单位", "建会率", "会员", "入会率", "新入会会员", "新居民（农民工）会员"):
        assert label in page
    groups = dict(response.context["groups"])
    values = {f.name: v for f, v in groups["组织建设"]}
    assert values == {
        "organisations.unions": "2",
        "organisations.employers_covered": "1",
        "organisations.coverage_rate": "100.0",
        "members.members": "1",
        "members.membership_rate": "—",  # the test employer gives no staff count
        "members.new_members": "1",
        "members.migrant_members": "0",
    }
    assert reverse("reports:records", args=["members.members"]) in page


def test_a_union_officer_sees_their_own_union(client, fed):
    client.force_login(fed.union_a1_officer)
    response = client.get(reverse("reports:index"), REVIEW)
    assert response.context["org"] == fed.union_a1
    values = {f.name: v for f, v in dict(response.context["groups"])["组织建设"]}
    assert values["organisations.unions"] == "1" and values["members.members"] == "1"
    assert client.get(reverse("reports:index"), params(fed.town_a)).status_code == 404


def test_presets_pick_the_period(client, fed):
    client.force_login(fed.city_staff)
    response = client.get(reverse("reports:index"), {"preset": "review"})
    assert response.context["query"].period.start == date(2021, 1, 1)
    assert response.context["active_preset"] == "review"
    response = client.get(reverse("reports:index"), {"start": "2025-13-01"})
    assert response.status_code == 200 and "日期格式应为" in response.content.decode()


def test_drill_down_lists_the_records_behind_a_number_masked(client, fed, django_assert_max_num_queries):
    client.force_login(fed.city_staff)
    url = reverse("reports:records", args=["members.members"])
    with django_assert_max_num_queries(12):
        response = client.get(url, params(fed.town_a))
    assert response.status_code == 200
    page = response.content.decode()
    number = fed.member_a1.person.id_number
    assert "张伟" in page and "李娜" not in page
    assert number not in page and f"{number[:6]}********{number[-4:]}" in page


def test_a_union_is_found_by_its_code(client, fed):
    client.force_login(fed.town_a_staff)
    response = client.get(reverse("reports:index"), {"code": fed.union_a1.code, **REVIEW})
    assert response.context["org"] == fed.union_a1
    response = client.get(reverse("reports:index"), {"code": fed.union_b1.code, **REVIEW})
    assert response.context["org"] == fed.town_a and "没有找到该组织" in response.content.decode()


def test_report_export_opens_in_openpyxl_and_is_audited(client, fed):
    client.force_login(fed.city_staff)
    response = client.get(reverse("reports:export"), params(fed.city, records="1"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    figure_sheets = len(all_figures())
    assert book.sheetnames[:3] == ["指标", "下级组织对比", "会员构成"] and len(book.sheetnames) == 3 + figure_sheets
    rows = list(book["指标"].iter_rows(values_only=True))
    assert ("组织建设", "会员", 2, "人") in [row[:4] for row in rows]
    members = list(book["会员"].iter_rows(values_only=True))
    cells = {c for row in members for c in row if c}
    assert "张伟" in cells and fed.member_a1.person.id_number not in cells
    entry = AuditEntry.objects.get(action=AuditEntry.Action.EXPORT)
    assert entry.actor == fed.city_staff and entry.subject_id == str(fed.city.pk)


def test_drill_down_export_is_masked_and_audited(client, fed):
    client.force_login(fed.town_b_staff)
    response = client.get(reverse("reports:records_export", args=["members.migrant_members"]), params(fed.town_b))
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[3][:2] == ("姓名", "身份证号") and rows[4][0] == "李娜"
    assert fed.member_b1.person.id_number not in rows[4]
    entry = AuditEntry.objects.get(action=AuditEntry.Action.EXPORT)
    assert entry.detail["figures"] == ["members.migrant_members"] and entry.detail["rows"] == 1


@pytest.mark.parametrize(
    "url",
    [
        reverse("reports:index"),
        reverse("reports:records", args=["members.members"]),
        reverse("reports:export"),
        reverse("reports:records_export", args=["members.members"]),
    ],
)
def test_another_towns_staff_cannot_see_its_figures(client, fed, url):
    client.force_login(fed.town_b_staff)
    response = client.get(url, params(fed.town_a))
    assert response.status_code == 404
    assert "张伟" not in response.content.decode()
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT).exists()


def test_members_are_refused_and_strangers_sent_to_sign_in(client, fed):
    assert client.get(reverse("reports:index")).status_code == 302
    client.force_login(fed.member_user)
    assert client.get(reverse("reports:index")).status_code == 403
    assert client.get(reverse("reports:records", args=["members.members"])).status_code == 403
    assert client.get(f"{API}/values").status_code == 403


def test_api_lists_figures_and_values(client, fed):
    client.force_login(fed.town_a_staff)
    figures = json.loads(client.get(f"{API}/figures").content)
    assert "members.new_members" in [f["name"] for f in figures]
    body = json.loads(client.get(f"{API}/values", REVIEW).content)
    assert body["organisation"]["id"] == fed.town_a.pk and body["start"] == "2021-01-01"
    assert {f["name"]: f["value"] for f in body["figures"]}["members.members"] == 1


def test_api_pages_through_records_masked(client, fed):
    client.force_login(fed.city_staff)
    body = json.loads(client.get(f"{API}/figures/members.members/records", {**REVIEW, "limit": 1}).content)
    assert body["count"] == body["value"] == 2 and len(body["rows"]) == 1 and body["columns"][0] == "姓名"
    second = json.loads(
        client.get(f"{API}/figures/members.members/records", {**REVIEW, "limit": 1, "offset": 1}).content
    )
    assert {body["rows"][0][0], second["rows"][0][0]} == {"张伟", "李娜"}
    assert fed.member_a1.person.id_number not in json.dumps(body, ensure_ascii=False)


def test_api_refuses_another_towns_organisation_with_404(client, fed):
    client.force_login(fed.town_b_staff)
    response = client.get(f"{API}/values", {"organisation": fed.town_a.pk})
    assert response.status_code == 404 and json.loads(response.content)["field"] == "organisation"
    response = client.get(f"{API}/figures/members.members/records", {"organisation": fed.union_a1.pk})
    assert response.status_code == 404
    assert client.get(f"{API}/figures/nope/records").status_code == 404


def test_api_rejects_a_period_that_ends_before_it_starts(client, fed):
    client.force_login(fed.city_staff)
    response = client.get(f"{API}/values", {"start": "2025-01-01", "end": "2024-01-01"})
    assert response.status_code == 400 and json.loads(response.content)["field"] == "end"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"start": "2025-01-01", "end": "2024-01-01"}, "结束日期早于开始日期"),
        ({"preset": "decade"}, "没有这个时间段"),
    ],
)
def test_a_bad_period_is_named_and_the_page_shows_this_year(client, fed, query, message):
    client.force_login(fed.city_staff)
    response = client.get(reverse("reports:index"), query)
    assert response.status_code == 200 and message in response.content.decode()
    period = response.context["query"].period
    assert period.start == date(period.end.year, 1, 1)


def test_finding_a_union_by_code_costs_no_more_than_opening_it(client, fed):
    client.force_login(fed.town_a_staff)
    url = reverse("reports:index")
    client.get(url, REVIEW)  # session and second factor loaded once
    with CaptureQueriesContext(connection) as by_pk:
        client.get(url, params(fed.union_a1))
    with CaptureQueriesContext(connection) as by_code:
        response = client.get(url, {"code": fed.union_a1.code, **REVIEW})
    assert response.context["org"] == fed.union_a1 and response.context["crumbs"] == [fed.town_a]
    assert len(by_code.captured_queries) == len(by_pk.captured_queries)


def test_an_unknown_figures_list_is_not_found(client, fed):
    client.force_login(fed.city_staff)
    assert client.get(reverse("reports:records", args=["nope"])).status_code == 404
    assert client.get(reverse("reports:records_export", args=["nope"])).status_code == 404
