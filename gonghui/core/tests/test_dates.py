"""Dates sent to the API are dates written YYYY-MM-DD: a number of seconds ("0" would be
1 January 1970), a datetime or an impossible day is a 400 naming the parameter. The pages'
date filters show a form error for the same input."""

import pytest
from django.urls import reverse
from django.utils import timezone

from gonghui.core.tests.test_audit import grant_audit

NOT_DATES = ["0", "86400", "2024-13-01", "2023-02-29", "2024-1-1", "2024-01-01T00:00", "２０２４-０１-０１"]
LIST_FILTERS = [
    ("/api/v1/members", "joined_from"),
    ("/api/v1/members", "joined_to"),
    ("/api/v1/reports/values", "start"),
    ("/api/v1/reports/values", "end"),
    ("/api/v1/audit", "date_from"),
    ("/api/v1/audit", "date_to"),
]


@pytest.fixture
def auditor_client(client, fed):
    client.force_login(grant_audit(fed.city_staff))
    return client


@pytest.mark.parametrize(("url", "param"), LIST_FILTERS)
def test_a_list_filter_refuses_what_is_not_a_date(auditor_client, url, param):
    for value in NOT_DATES:
        response = auditor_client.get(url, {param: value})
        assert response.status_code == 400, (param, value)
        assert response.json()["field"] == param
        assert response.json()["detail"] == f"{param}：日期格式应为 YYYY-MM-DD"


@pytest.mark.parametrize(("url", "param"), LIST_FILTERS)
def test_a_list_filter_takes_a_real_date(auditor_client, url, param):
    assert auditor_client.get(url, {param: timezone.localdate().isoformat()}).status_code == 200


def test_a_date_in_a_body_is_refused_the_same_way(client, fed):
    client.force_login(fed.town_a_staff)
    url = f"/api/v1/members/{fed.member_a1.person_id}/leave"
    for value in ("0", 0, 1700000000):
        response = client.post(url, {"on": value, "reason": "离职"}, content_type="application/json")
        assert (response.status_code, response.json()["detail"]) == (400, "on：日期格式应为 YYYY-MM-DD"), value
    assert fed.member_a1.person.memberships.get().status == "active"


@pytest.mark.parametrize("value", ["0", "2024-13-01"])
def test_the_audit_page_shows_a_form_error(auditor_client, value):
    response = auditor_client.get(reverse("audit_log"), {"date_from": value})
    assert response.status_code == 400
    assert response.context["form"].errors["date_from"]


@pytest.mark.parametrize("value", ["0", "2024-13-01"])
def test_the_report_page_shows_a_form_error(client, fed, value):
    client.force_login(fed.city_staff)
    response = client.get(reverse("reports:index"), {"start": value})
    assert "日期格式应为 YYYY-MM-DD" in response.context["query"].error
