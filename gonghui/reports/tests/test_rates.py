"""建会率 and 入会率: each a rate made from the records in its list, for any period."""

import json
from datetime import date
from decimal import Decimal

from django.urls import reverse

from gonghui.core.figures import Period, get_figure
from gonghui.members import services as member_services
from gonghui.organisations import services as org_services
from gonghui.testing import make_employer, make_member

YEAR_2024 = Period(date(2024, 1, 1), date(2024, 12, 31))
REVIEW = {"start": "2021-01-01", "end": "2025-12-31"}


def value(name: str, org, period: Period = YEAR_2024):
    return get_figure(name).compute(org.path, period)


def staffed(employer, staff: int):
    employer.staff_count = staff
    employer.save()
    return employer


def test_coverage_rate_is_employers_with_a_union_among_those_known_in_the_area(fed):
    make_employer(town=fed.town_a, union=None, name="硖石无工会小店")
    make_employer(town=fed.town_a, union=fed.union_a2, name="硖石新建会服装厂", covered_since=date(2025, 3, 1))
    # Town A knows three employers; at the end of 2024 only the leather market had a union.
    assert value("organisations.coverage_rate", fed.town_a) == Decimal("33.3")
    assert value("organisations.coverage_rate", fed.town_a, Period(date(2025, 1, 1), date(2025, 12, 31))) == Decimal(
        "66.7"
    )
    assert value("organisations.coverage_rate", fed.town_b) == Decimal("100.0")
    assert value("organisations.coverage_rate", fed.city) == Decimal("50.0")
    rows = {
        e.name: e.covered_at_end for e in get_figure("organisations.coverage_rate").records(fed.town_a.path, YEAR_2024)
    }
    assert rows == {"海宁中国皮革城股份有限公司": 1, "硖石无工会小店": 0, "硖石新建会服装厂": 0}


def test_a_union_has_no_area_of_its_own_so_no_coverage_rate(client, fed):
    assert value("organisations.coverage_rate", fed.union_a1) is None
    client.force_login(fed.union_a1_officer)
    values = {f.name: v for f, v in dict(client.get(reverse("reports:index"), REVIEW).context["groups"])["组织建设"]}
    assert values["organisations.coverage_rate"] == "—"
    body = json.loads(client.get("/api/v1/reports/values", REVIEW).content)
    assert {f["name"]: f["value"] for f in body["figures"]}["organisations.coverage_rate"] is None


def test_membership_rate_is_members_among_the_staff_of_covered_employers(fed):
    staffed(fed.employer_a1, 8)
    staffed(fed.employer_b1, 0)
    for name in ("陈静", "周敏", "吴刚"):
        make_member(union=fed.union_a1, name=name, employer=fed.employer_a1, joined_on=date(2023, 5, 1))
    make_member(union=fed.union_a1, name="郑爽", employer=None)  # no employer: not among anyone's staff
    assert value("members.membership_rate", fed.town_a) == Decimal("50.0")  # 4 of 8
    leaver = fed.member_a1
    member_services.membership_leave(
        scope=fed.scope(fed.union_a1_officer), membership=leaver, on=date(2024, 6, 1), reason="离职"
    )
    assert value("members.membership_rate", fed.town_a) == Decimal("37.5")
    assert value("members.membership_rate", fed.town_a, Period(date(2024, 1, 1), date(2024, 5, 31))) == Decimal("50.0")
    # Town B's employer gives no staff count, so the city's rate is town A's.
    assert value("members.membership_rate", fed.town_b) is None
    assert value("members.membership_rate", fed.city) == Decimal("37.5")
    [row] = [
        get_figure("members.membership_rate").row(e)
        for e in get_figure("members.membership_rate").records(fed.town_a.path, YEAR_2024)
    ]
    assert row[0] == "海宁中国皮革城股份有限公司" and row[3:] == [8, 3, Decimal("37.5")]


def test_rates_drill_down_to_their_lists(client, fed):
    staffed(fed.employer_a1, 4)
    make_employer(town=fed.town_a, union=None, name="硖石无工会小店")
    client.force_login(fed.town_a_staff)
    response = client.get(reverse("reports:records", args=["organisations.coverage_rate"]), REVIEW)
    assert response.status_code == 200
    page = response.content.decode()
    assert "建会率：50.0 %" in page and "硖石无工会小店" in page and "许村" not in page
    response = client.get(reverse("reports:records", args=["members.membership_rate"]), REVIEW)
    assert "入会率：25.0 %" in response.content.decode()
    [row] = response.context["rows"]
    assert [cell for cell, _ in row][3:] == [4, 1, Decimal("25.0")]


def test_both_rates_follow_the_coverage_history(fed):
    """An employer that moved from town A's union to town B's counts, for each day, where its
    union was then; one left without a union stops counting as covered."""
    staffed(fed.employer_a1, 4)
    org_services.employer_update(
        scope=fed.scope(fed.city_staff), employer=fed.employer_a1, union=fed.union_b1, union_changed_on=date(2024, 7, 1)
    )
    first_half = Period(date(2024, 1, 1), date(2024, 6, 30))
    assert value("members.membership_rate", fed.town_a, first_half) == Decimal("25.0")  # 张伟 of 4 staff
    assert value("members.membership_rate", fed.town_a) is None
    assert value("members.membership_rate", fed.town_b) == Decimal("25.0")
    [row] = get_figure("organisations.coverage_rate").records(fed.town_a.path, YEAR_2024)
    assert (row.covered_at_end, row.union_at_end) == (1, "许村家纺工会")  # located in town A, covered from town B
    org_services.employer_update(
        scope=fed.scope(fed.city_staff), employer=fed.employer_a1, union=None, union_changed_on=date(2025, 2, 1)
    )
    assert value("organisations.coverage_rate", fed.town_a, Period(date(2025, 1, 1), date(2025, 12, 31))) == Decimal(
        "0.0"
    )
    assert value("organisations.coverage_rate", fed.town_a) == Decimal("100.0")
