"""Names a worker typed into a public form end up in staff pages and spreadsheets. Whatever
they contain is shown as text: escaped in HTML, escaped text (never a formula) in every
.xlsx export, and every response carries a Content-Security-Policy that forbids inline
script anyway."""

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
from gonghui.members.models import Person
from gonghui.organisations.models import Employer, Organisation
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
    sheet = load_workbook(io.BytesIO(response.getvalue()))  # the content, streamed or not
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


# --- every export, every text an officer or a worker typed ----------------------------------

INJECTION = "=cmd|' /C calc'!A0"
ESCAPED = f"'{INJECTION}"
REVIEW = {"start": "2021-01-01", "end": "2025-12-31"}


def staff_client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def typed_as_formulas(fed: Federation) -> None:
    """What the outside probe did: every free-text field that exports show, set through the
    API (which takes such text: it is not a control character) to a formula."""
    client = staff_client(fed.city_staff)
    for url, payload in (
        (f"/api/v1/members/{fed.member_b1.person_id}", {"name": INJECTION, "household_registration": INJECTION}),
        (f"/api/v1/organisations/{fed.union_b1.pk}", {"name": INJECTION, "contact_name": INJECTION}),
        (f"/api/v1/employers/{fed.employer_b1.pk}", {"name": INJECTION, "industry": INJECTION}),
    ):
        response = client.patch(url, payload, content_type="application/json")
        assert response.status_code == 200, response.content


def cells_of(content: bytes) -> dict[str, list[tuple[str, Any, str]]]:
    """Per sheet, (column header, value, data_type) of every cell that holds the injection;
    the header row is the first with its first two cells filled (reports have title rows)."""
    book = load_workbook(io.BytesIO(content))
    found: dict[str, list[tuple[Any, Any, str]]] = {}
    for sheet in book.worksheets:
        rows = list(sheet.iter_rows())
        header_row = next((r for r in rows if len(r) > 1 and all(c.value for c in r[:2])), ())
        headers = [c.value for c in header_row]
        for row in rows:
            for index, cell in enumerate(row):
                if isinstance(cell.value, str) and "cmd|" in cell.value:
                    header = headers[index] if index < len(headers) else None
                    found.setdefault(sheet.title, []).append((header, cell.value, cell.data_type))
    return found


def assert_all_escaped(found: dict[str, list[tuple[Any, Any, str]]]) -> set[str]:
    assert found, "the export shows none of the typed text"
    for sheet, cells in found.items():
        for header, value, kind in cells:
            assert kind == "s", (sheet, header, value)
            assert value.startswith(ESCAPED), (sheet, header, value)
    return {header for cells in found.values() for header, _, _ in cells}


def test_the_member_export_writes_formulas_as_escaped_text(fed: Federation) -> None:
    typed_as_formulas(fed)
    for response in (
        staff_client(fed.town_b_staff).get(reverse("members:export"), {"status": "all"}),
        staff_client(fed.town_b_staff).get("/api/v1/members/export.xlsx"),
    ):
        assert response.status_code == 200
        headers = assert_all_escaped(cells_of(response.content))
        assert headers == {"姓名", "工作单位", "所在工会", "户籍地"}


def test_the_report_export_writes_formulas_as_escaped_text(fed: Federation) -> None:
    typed_as_formulas(fed)
    client = staff_client(fed.city_staff)
    response = client.get(reverse("reports:export"), {"organisation": str(fed.town_b.pk), "records": "1", **REVIEW})
    assert response.status_code == 200
    headers = assert_all_escaped(cells_of(response.content))
    assert {"名称", "联系人", "单位名称", "行业", "覆盖工会", "姓名", "所在工会", "工作单位", "户籍地"} <= headers
    # The union's own report: its name leads the title row.
    response = client.get(reverse("reports:export"), {"organisation": str(fed.union_b1.pk), **REVIEW})
    title = load_workbook(io.BytesIO(response.content)).worksheets[0]["A1"]
    assert (title.value, title.data_type) == (f"{ESCAPED} 报表", "s")


@pytest.mark.parametrize(
    ("figure", "expected"),
    [
        ("organisations.unions", {"名称", "联系人"}),
        ("organisations.employers_covered", {"单位名称", "行业", "覆盖工会"}),
        ("members.migrant_members", {"姓名", "所在工会", "工作单位", "户籍地"}),
    ],
)
def test_the_drill_down_export_writes_formulas_as_escaped_text(fed: Federation, figure: str, expected: set) -> None:
    typed_as_formulas(fed)
    url = reverse("reports:records_export", args=[figure])
    response = staff_client(fed.town_b_staff).get(url, {"organisation": str(fed.town_b.pk), **REVIEW})
    assert response.status_code == 200
    assert assert_all_escaped(cells_of(response.content)) == expected


def test_a_members_own_data_workbook_writes_formulas_as_escaped_text(client: Client, fed: Federation) -> None:
    Person.objects.filter(pk=fed.member_a1.person_id).update(name=INJECTION)
    client.force_login(fed.member_user)
    response = client.get(reverse("privacy:my_data"), {"format": "xlsx"})
    assert response.status_code == 200
    assert_all_escaped(cells_of(response.content))


def test_a_control_character_stored_before_the_rule_still_exports(fed: Federation) -> None:
    """Rows written before text was checked (here straight into the database) must not make
    an export fail: the character shows as U+FFFD, the rest of the text as it was."""
    Person.objects.filter(pk=fed.member_b1.person_id).update(name="李\x1f娜", household_registration="安徽\x01阜阳")
    Organisation.objects.filter(pk=fed.union_b1.pk).update(name="许村\x1b家纺工会", contact_name="陈\x07敏")
    Employer.objects.filter(pk=fed.employer_b1.pk).update(name="许村\x08家纺有限公司", industry="纺织\x0c")
    town_b, city = staff_client(fed.town_b_staff), staff_client(fed.city_staff)
    responses = [
        town_b.get(reverse("members:export"), {"status": "all"}),
        town_b.get("/api/v1/members/export.xlsx"),
        city.get(reverse("reports:export"), {"organisation": str(fed.town_b.pk), "records": "1", **REVIEW}),
        city.get(reverse("reports:export"), {"organisation": str(fed.union_b1.pk), "records": "1", **REVIEW}),
        *(
            town_b.get(reverse("reports:records_export", args=[name]), {"organisation": str(fed.town_b.pk), **REVIEW})
            for name in ("organisations.unions", "organisations.employers_covered", "members.migrant_members")
        ),
    ]
    for response in responses:
        assert response.status_code == 200, response.request
        cells = {c.value for sheet in load_workbook(io.BytesIO(response.content)) for r in sheet for c in r}
        assert cells & {"李\ufffd娜", "许村\ufffd家纺工会", "许村\ufffd家纺有限公司"}
    member_cells = {c.value for r in load_workbook(io.BytesIO(responses[0].content)).worksheets[0] for c in r}
    assert {"李\ufffd娜", "安徽\ufffd阜阳", "许村\ufffd家纺工会", "许村\ufffd家纺有限公司"} <= member_cells
