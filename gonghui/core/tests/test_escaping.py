"""Names a worker typed into a public form end up in staff pages and spreadsheets. Whatever
they contain is shown as text: escaped in HTML, a plain string (never a formula) in .xlsx,
and every response carries a Content-Security-Policy that forbids inline script anyway."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils.html import escape
from openpyxl import load_workbook

from gonghui.enrolment.models import Application
from gonghui.testing import Federation, make_member, new_id_number, new_mobile

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
]
FORMULA = '=HYPERLINK("http://example.invalid","x")'


def officer_client(fed: Federation) -> Client:
    client = Client()
    client.force_login(fed.union_a1_officer)
    return client


def assert_escaped(html: str, payload: str) -> None:
    assert payload not in html
    assert escape(payload) in html


def submit(client: Client, fed: Federation, name: str) -> Application:
    cache.clear()
    data = {
        "name": name,
        "id_number": new_id_number(),
        "mobile": new_mobile(),
        "employer_name": name,
        "union": fed.union_a1.code,
        "consent": "on",
    }
    assert client.post(reverse("enrolment:apply"), data).status_code == 302
    return Application.objects.latest("pk")


@pytest.mark.parametrize("payload", PAYLOADS)
def test_member_name_is_escaped_in_list_and_detail(fed: Federation, payload: str) -> None:
    membership = make_member(union=fed.union_a1, name=payload, employer=fed.employer_a1)
    client = officer_client(fed)
    listing = client.get(reverse("members:list"), {"union": fed.union_a1.code, "status": "all"}).content.decode()
    assert_escaped(listing, payload)
    detail = client.get(reverse("members:detail", args=[membership.person_id])).content.decode()
    assert_escaped(detail, payload)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_application_is_escaped_in_list_and_detail(client: Client, fed: Federation, payload: str) -> None:
    application = submit(client, fed, payload)
    officer = officer_client(fed)
    assert_escaped(officer.get(reverse("enrolment:list")).content.decode(), payload)
    assert_escaped(officer.get(reverse("enrolment:detail", args=[application.pk])).content.decode(), payload)


def exported_names(client: Client) -> list[Any]:
    response = client.get(reverse("members:export"), {"status": "all"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content))
    rows = list(sheet.worksheets[0].iter_rows(min_row=2))
    return [(row[0].value, row[0].data_type) for row in rows]


def test_export_keeps_markup_and_formulas_as_plain_text(fed: Federation) -> None:
    for name in [*PAYLOADS, FORMULA]:
        make_member(union=fed.union_a1, name=name, employer=fed.employer_a1)
    names = exported_names(officer_client(fed))
    for payload in PAYLOADS:
        assert (payload, "s") in names
    assert all(kind == "s" for _, kind in names), names
    assert not any(str(value).startswith("=") and kind == "f" for value, kind in names)


def test_every_page_has_a_strict_content_security_policy(client: Client, fed: Federation) -> None:
    for response in (
        client.get(reverse("enrolment:apply")),
        client.get(reverse("accounts:login")),
        officer_client(fed).get(reverse("members:list")),
        client.get("/api/docs"),
        client.get("/api/openapi.json"),
    ):
        policy = response["Content-Security-Policy"]
        assert "default-src 'self'" in policy
        assert "script-src 'self'" in policy
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
