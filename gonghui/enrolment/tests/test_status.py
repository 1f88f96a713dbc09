"""The public application, seen from the worker's side: every problem of the form at once, a
reference number when it is sent, and a status page that opens with that reference and the
phone number together, and tells anyone missing either of them nothing at all."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from gonghui.enrolment import selectors
from gonghui.enrolment.models import Application
from gonghui.enrolment.services import application_refuse
from gonghui.testing import Federation, new_id_number

MOBILE = "13957319876"
STATUS_API = "/api/v1/public/applications/status"


@pytest.fixture(autouse=True)
def _fresh_limits() -> None:
    cache.clear()


def form_data(fed: Federation, **overrides: Any) -> dict[str, Any]:
    data = {
        "name": "王芳",
        "id_number": new_id_number(sex="F"),
        "mobile": MOBILE,
        "employer_name": fed.employer_a1.name,
        "union": fed.union_a1.code,
        "consent": "on",
    }
    return {**data, **overrides}


def look_up(client: Client, reference: str, mobile: str = MOBILE, ip: str = "10.5.0.1") -> Any:
    return client.post(reverse("enrolment:status"), {"reference": reference, "mobile": mobile}, REMOTE_ADDR=ip)


def submitted(client: Client, fed: Federation) -> Application:
    assert client.post(reverse("enrolment:apply"), form_data(fed), REMOTE_ADDR="10.6.0.1").status_code == 302
    return Application.objects.get()


def test_every_problem_of_the_form_is_shown_at_once(client: Client, fed: Federation) -> None:
    bad = form_data(fed, id_number="330481199001011234", mobile="123", employer_name="  ", consent="")
    response = client.post(reverse("enrolment:apply"), bad)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"id_number", "mobile", "employer_name", "consent"}
    assert errors["id_number"] == ["身份证号校验位错误"]
    assert errors["mobile"] == ["手机号码应为11位，以13-19开头"]
    assert not Application.objects.exists()


def test_the_service_names_every_problem_too(client: Client, fed: Federation) -> None:
    """With the form's own checks passed (a page of another shape, or the API), the service
    still reports all it finds, not the first."""
    from gonghui.enrolment.services import ApplicationInvalid, application_submit

    with pytest.raises(ApplicationInvalid) as caught:
        application_submit(
            union_code="NO-SUCH",
            name="",
            id_number="",
            mobile="123",
            employer_name="厂",
            consented=False,
            client_ip=None,
        )
    assert [p.field for p in caught.value.problems] == ["name", "id_number", "mobile", "union", "consent"]


def test_the_done_page_gives_the_reference_and_the_way_back(client: Client, fed: Federation) -> None:
    application = submitted(client, fed)
    page = client.get(reverse("enrolment:done")).content.decode()
    assert application.reference in page
    assert reverse("enrolment:status") in page and 'href="/"' in page
    assert 'href="/"' in client.get(reverse("enrolment:apply")).content.decode()


def test_reference_and_phone_together_show_the_status(client: Client, fed: Federation) -> None:
    application = submitted(client, fed)
    typed = application.reference.lower().replace("-", " ")
    response = look_up(Client(), typed, mobile="+86 139 5731 9876")
    assert response.status_code == 200
    assert "待审核" in response.content.decode() and "海宁皮革城工会" in response.content.decode()
    application_refuse(scope=fed.scope(fed.union_a1_officer), application=application, reason="不是本单位职工")
    refused = look_up(Client(), application.reference, ip="10.5.0.2").content.decode()
    assert "已拒绝" in refused and "不是本单位职工" in refused


def test_a_wrong_phone_and_a_wrong_reference_look_the_same(client: Client, fed: Federation) -> None:
    application = submitted(client, fed)
    other = Application.objects.create(
        name="李娜",
        id_number=new_id_number(),
        mobile="13957310000",
        employer_name="许村家纺有限公司",
        union=fed.union_b1,
        consent_version="2026-11",
        consented_at=application.consented_at,
    )
    answers = [
        look_up(Client(), application.reference, mobile="13957310000"),  # someone else's phone
        look_up(Client(), other.reference),  # someone else's reference
        look_up(Client(), "ZZZZ-ZZZZ"),  # nobody's reference
    ]
    assert {answer.status_code for answer in answers} == {404}
    texts = [answer.context["form"].errors.as_text() for answer in answers]
    assert texts[0] == texts[1] == texts[2] and "没有找到" in texts[0]
    for answer in answers:
        assert "许村" not in answer.content.decode() and "海宁皮革城工会" not in answer.content.decode()


def test_looking_up_is_limited_per_address_and_per_reference(client: Client, fed: Federation) -> None:
    application = submitted(client, fed)
    for n in range(selectors.STATUS_PER_REFERENCE.limit):
        assert look_up(Client(), application.reference, mobile="13900000000", ip=f"10.4.0.{n}").status_code == 404
    assert look_up(Client(), application.reference, ip="10.4.1.1").status_code == 429
    for n in range(selectors.STATUS_PER_ADDRESS.limit):
        look_up(Client(), f"AAAA-AA{n:02d}", ip="10.3.0.1")
    assert look_up(Client(), "BBBB-BBBB", ip="10.3.0.1").status_code == 429


def test_the_status_api_answers_the_same_way(client: Client, fed: Federation) -> None:
    application = submitted(client, fed)
    found = client.post(
        STATUS_API, {"reference": application.reference, "mobile": MOBILE}, content_type="application/json"
    )
    assert found.status_code == 200
    assert found.json() | {"submitted_at": None} == {
        "reference": application.reference,
        "status": "pending",
        "union": "海宁皮革城工会",
        "submitted_at": None,
        "decided_at": None,
        "refusal_reason": "",
    }
    wrong = client.post(
        STATUS_API, {"reference": application.reference, "mobile": "13900000000"}, content_type="application/json"
    )
    unknown = client.post(STATUS_API, {"reference": "ZZZZ-ZZZZ", "mobile": MOBILE}, content_type="application/json")
    assert wrong.status_code == unknown.status_code == 404 and wrong.json() == unknown.json()


def test_the_submit_api_gives_the_reference(client: Client, fed: Federation) -> None:
    data = form_data(fed, consent=True)
    response = client.post("/api/v1/public/applications", data, content_type="application/json")
    assert response.status_code == 201
    assert response.json()["reference"] == Application.objects.get().reference


def test_the_status_page_reads_in_english(client: Client, fed: Federation) -> None:
    client.cookies["django_language"] = "en"
    page = client.get(reverse("enrolment:status")).content.decode()
    assert "Application status" in page and "Reference number" in page and "申请编号" not in page
