"""Mutual aid's report figures (enrolments, claims paid, amount paid) for a period, a town and
a union, with their lists; the member page's section; the member's data download."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from gonghui.core import personal_data, sections
from gonghui.core.figures import Period, figure_series, get_figure, values_by_child
from gonghui.mutual_aid.models import Claim, ClaimStatus, Enrolment, SchemeYear
from gonghui.mutual_aid.sections import section_context
from gonghui.mutual_aid.tests.helpers import make_scheme
from gonghui.testing import Federation, make_member

YEAR_2025 = Period(date(2025, 1, 1), date(2025, 12, 31))
REVIEW = Period(date(2021, 1, 1), date(2025, 12, 31))


@pytest.fixture(autouse=True)
def quick_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def enrol(scheme: SchemeYear, membership, *, union=None) -> Enrolment:
    return Enrolment.objects.create(
        person=membership.person,
        scheme_year=scheme,
        union=union or membership.union,
        employer=membership.employer,
        enrolled_on=date(scheme.year - 1, 11, 20),
        coverage_from=scheme.coverage_starts_on,
        coverage_to=scheme.coverage_ends_on,
    )


def claim(enrolment: Enrolment, number: str, amount: str, *, paid_on: date | None = None, **extra) -> Claim:
    status = ClaimStatus.PAID if paid_on else extra.pop("status", ClaimStatus.APPROVED)
    return Claim.objects.create(
        settlement_number=number,
        enrolment=enrolment,
        person=enrolment.person,
        scheme_year=enrolment.scheme_year,
        rule_set=enrolment.scheme_year.rule_sets.get(version=1),
        visit_type="inpatient",
        hospital="海宁市人民医院",
        diagnosis="K35.800x001",
        admitted_on=extra.pop("admitted_on", date(enrolment.scheme_year.year, 3, 2)),
        total_cost=Decimal("30000.00"),
        fund_paid=Decimal("15000.00"),
        in_policy_self_paid=Decimal("15000.00"),
        out_of_policy_self_paid=Decimal("0.00"),
        amount=Decimal(amount),
        status=status,
        paid_on=paid_on,
        explanation=[{"text": "住院补助 %(amount)s 元", "params": {"amount": amount}}],
    )


@pytest.fixture
def aid(fed: Federation, monkeypatch):
    """2024 and 2025 schemes. 张伟 (a1, town A) enrolled both years, in 2024 at 许村家纺工会
    (town B, where he worked then); 李娜 (b1, town B) and 王芳 (a2, town A) in 2025 only.
    Claims: 张伟 paid 4,500.00 on 2025-03-20 and one approved, unpaid; 李娜 paid 1,200.50 on
    2025-07-01; 王芳 paid 800.00 on 2026-01-05 (after the period)."""
    from gonghui.mutual_aid import services

    monkeypatch.setattr(services, "today", lambda: date(2024, 11, 1))
    y2024, y2025 = make_scheme(fed, 2024), make_scheme(fed, 2025)
    wang = make_member(union=fed.union_a2, name="王芳", sex="F")
    zhang_2024 = enrol(y2024, fed.member_a1, union=fed.union_b1)
    zhang, li, wang_e = enrol(y2025, fed.member_a1), enrol(y2025, fed.member_b1), enrol(y2025, wang)
    claims = {
        "zhang_2024": claim(zhang_2024, "33048120240410000001", "2300.00", paid_on=date(2024, 5, 6)),
        "zhang": claim(zhang, "33048120250318000001", "4500.00", paid_on=date(2025, 3, 20)),
        "zhang_unpaid": claim(zhang, "33048120251102000003", "650.00"),
        "li": claim(li, "33048120250620000002", "1200.50", paid_on=date(2025, 7, 1)),
        "wang": claim(wang_e, "33048120251228000004", "800.00", paid_on=date(2026, 1, 5)),
    }
    return {"wang": wang, "claims": claims, "zhang_2024": zhang_2024, "zhang": zhang}


def test_enrolments_count_person_times_by_the_scheme_years_coverage_start(fed, aid):
    figure = get_figure("mutual_aid.enrolments")
    assert figure.compute(fed.city.path, YEAR_2025) == 3
    assert figure.compute(fed.city.path, REVIEW) == 4  # 张伟 twice: one person-time a year
    assert figure.compute(fed.town_a.path, YEAR_2025) == 2
    assert figure.compute(fed.union_a1.path, YEAR_2025) == 1
    # A period that does not hold 1 January holds no year's enrolments.
    assert figure.compute(fed.city.path, Period(date(2025, 2, 1), date(2025, 12, 31))) == 0
    years = [Period(date(2024, 1, 1), date(2024, 12, 31)), YEAR_2025]
    assert figure_series(figure, fed.city.path, years) == [1, 3]
    assert figure_series(figure, fed.town_b.path, years) == [1, 1]  # 张伟's 2024 at a town B union
    by_town = values_by_child(figure, fed.city.path, [fed.town_a.path, fed.town_b.path], REVIEW)
    assert by_town.children == {fed.town_a.path: 2, fed.town_b.path: 2} and by_town.total == 4


def test_enrolment_list_links_to_the_member_with_the_number_masked(fed, aid):
    figure = get_figure("mutual_aid.enrolments")
    records = list(figure.records(fed.town_a.path, YEAR_2025))
    rows = [figure.row(r) for r in records]
    assert [row[0] for row in rows] == ["张伟", "王芳"]
    number = fed.member_a1.person.id_number
    assert rows[0][1] == f"{number[:6]}********{number[-4:]}"
    assert rows[0][2:5] == [2025, "海宁皮革城工会", "海宁中国皮革城股份有限公司"]
    assert figure.links(records[0])[0] == reverse("members:detail", args=[fed.member_a1.person_id])


def test_claims_paid_and_amount_paid_count_by_the_bank_day(fed, aid):
    count, amount = get_figure("mutual_aid.claims_paid"), get_figure("mutual_aid.amount_paid")
    assert count.compute(fed.city.path, YEAR_2025) == 2  # the approved claim and 2026's payment are not
    assert amount.compute(fed.city.path, YEAR_2025) == Decimal("5700.50")
    assert count.compute(fed.town_a.path, YEAR_2025) == 1
    assert amount.compute(fed.town_a.path, YEAR_2025) == Decimal("4500.00")
    assert amount.compute(fed.union_a2.path, YEAR_2025) == Decimal("0.00")
    assert amount.compute(fed.city.path, REVIEW) == Decimal("8000.50")
    halves = [Period(date(2025, 1, 1), date(2025, 6, 30)), Period(date(2025, 7, 1), date(2025, 12, 31))]
    assert figure_series(count, fed.city.path, halves) == [1, 1]
    assert figure_series(amount, fed.city.path, halves) == [Decimal("4500.00"), Decimal("1200.50")]
    by_town = values_by_child(amount, fed.city.path, [fed.town_a.path, fed.town_b.path], REVIEW)
    # A claim counts at its enrolment's union: 张伟's 2024 claim in town B.
    assert by_town.children == {fed.town_a.path: Decimal("4500.00"), fed.town_b.path: Decimal("3500.50")}
    assert by_town.total == Decimal("8000.50")


def test_claim_list_shows_settlement_and_amount(fed, aid):
    figure = get_figure("mutual_aid.amount_paid")
    rows = [figure.row(r) for r in figure.records(fed.city.path, YEAR_2025)]
    assert [(r[0], r[2], r[3], r[4], r[6], r[7]) for r in rows] == [
        ("张伟", "海宁皮革城工会", "33048120250318000001", "住院", Decimal("4500.00"), date(2025, 3, 20)),
        ("李娜", "许村家纺工会", "33048120250620000002", "住院", Decimal("1200.50"), date(2025, 7, 1)),
    ]


def test_town_staff_see_only_their_subtree(client, fed, aid):
    client.force_login(fed.town_b_staff)
    url = reverse("reports:records", args=["mutual_aid.claims_paid"])
    params = {"start": "2025-01-01", "end": "2025-12-31"}
    assert client.get(url, {**params, "organisation": fed.town_a.pk}).status_code == 404
    page = client.get(url, params).content.decode()
    assert "李娜" in page and "张伟" not in page
    report = client.get(reverse("reports:index"), params)
    values = {f.name: v for f, v in dict(report.context["groups"])["职工医疗互助保障"]}
    assert values == {"mutual_aid.enrolments": "1", "mutual_aid.claims_paid": "1", "mutual_aid.amount_paid": "1,200.50"}


def test_member_page_section_shows_what_the_viewer_may_see(client, fed, aid):
    client.force_login(fed.town_a_staff)
    page = client.get(reverse("members:detail", args=[fed.member_a1.person_id])).content.decode()
    assert 'id="section-mutual_aid"' in page
    assert "33048120250318000001" in page and "4,500.00" in page and "已支付" in page
    # His 2024 year at a town B union is not town A's to see, nor its claim.
    assert "33048120240410000001" not in page and "许村家纺工会" not in page
    context = section_context(fed.scope(fed.town_b_staff), fed.member_a1.person)
    assert [e.pk for e in context["enrolments"]] == [aid["zhang_2024"].pk]
    assert [c.settlement_number for c in context["claims"]] == ["33048120240410000001"]
    everything = section_context(fed.scope(fed.city_staff), fed.member_a1.person)
    assert len(everything["enrolments"]) == 2 and everything["claim_count"] == 3
    assert "mutual_aid" in sections.registry


def test_member_data_download_holds_their_enrolments_and_claims(fed, aid):
    parts = {part.key: part for part in personal_data.personal_data_parts()}
    enrolments = parts["mutual_aid_enrolments"].collect(fed.member_a1.person)
    assert [(r["year"], r["union"]) for r in enrolments] == [(2024, "许村家纺工会"), (2025, "海宁皮革城工会")]
    claims = parts["mutual_aid_claims"].collect(fed.member_a1.person)
    assert [(c["settlement_number"], c["amount"], c["status"], c["paid_on"]) for c in claims] == [
        ("33048120240410000001", "2300.00", "已支付", "2024-05-06"),
        ("33048120250318000001", "4500.00", "已支付", "2025-03-20"),
        ("33048120251102000003", "650.00", "已批准", None),
    ]
    assert claims[0]["explanation"] == "住院补助 2300.00 元"
    assert set(parts["mutual_aid_claims"].columns) >= set(claims[0])
