"""/join/ and its API take every identity number that can be genuine: an old 15-digit one is
stored upgraded, and the applicant is told to check it; someone under 16 cannot apply, and
accepting someone over 75 tells the officer to check the row."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from gonghui.enrolment.models import Application
from gonghui.enrolment.tests.test_enrolment import api_data, apply, form_data, signed_in
from gonghui.members.identity import make_id_number, make_old_id_number
from gonghui.testing import Federation, new_id_number

API_URL = "/api/v1/public/applications"
UPGRADED = "15位旧身份证号已按国家标准升为18位，请与本人身份证核对"


@pytest.fixture(autouse=True)
def _fresh_limits() -> None:
    cache.clear()


def test_an_old_number_is_stored_upgraded_and_the_applicant_told_to_check_it(client: Client, fed: Federation) -> None:
    old = make_old_id_number(region="330423", birth=date(1968, 4, 4), sequence=5, sex="F")
    response = apply(client, form_data(fed, id_number=old))
    assert response.status_code == 302
    assert Application.objects.get().id_number == make_id_number(
        region="330423", birth=date(1968, 4, 4), sequence=5, sex="F"
    )
    assert UPGRADED in client.get(response["Location"]).content.decode()


def test_the_public_api_returns_the_warning(client: Client, fed: Federation) -> None:
    old = make_old_id_number(region="330481", birth=date(1972, 1, 1), sequence=6, sex="M")
    response = client.post(API_URL, api_data(fed, id_number=old), content_type="application/json")
    assert (response.status_code, response.json()["warnings"]) == (201, [UPGRADED])
    plain = client.post(API_URL, api_data(fed), content_type="application/json")
    assert plain.json()["warnings"] == []


def test_a_genuine_haining_number_the_library_refuses_can_apply(client: Client, fed: Federation) -> None:
    assert apply(client, form_data(fed, id_number="330481198811052027")).status_code == 302


def test_someone_under_16_cannot_apply(client: Client, fed: Federation) -> None:
    today = date.today()
    young = new_id_number(birth=date(today.year - 15, 1, 1))
    response = client.post(API_URL, api_data(fed, id_number=young), content_type="application/json")
    assert (response.status_code, response.json()["field"]) == (400, "id_number")
    assert "入会时年满15岁，未满16周岁" in response.json()["detail"]
    page = apply(client, form_data(fed, id_number=young))
    assert page.status_code == 400 and "未满16周岁" in page.content.decode()
    assert not Application.objects.exists()


def test_accepting_someone_over_75_tells_the_officer_to_check(client: Client, fed: Federation) -> None:
    apply(client, form_data(fed, id_number=new_id_number(birth=date(1945, 5, 5))))
    application = Application.objects.get()
    officer = signed_in(fed.union_a1_officer)
    response = officer.post(
        reverse("enrolment:accept", args=[application.pk]), {"joined_on": "2026-01-05"}, follow=True
    )
    assert response.status_code == 200
    assert "入会时已年满80岁（超过75岁），请核对入会时间和身份证号" in response.content.decode()
