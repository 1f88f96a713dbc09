"""Breakdowns of the members at the period's end: by sex, age band (at the period's last
day), education, skill level and migrant status; each count its own list, scoped."""

from datetime import date

import pytest
from django.urls import reverse

from gonghui.core.errors import NotFound
from gonghui.core.figures import Period, breakdown_counts, breakdowns, get_breakdown, get_figure
from gonghui.members.models import Person
from gonghui.testing import make_member

HTMX = {"HTTP_HX_REQUEST": "true"}
YEAR_2024 = Period(date(2024, 1, 1), date(2024, 12, 31))
REVIEW = {"start": "2021-01-01", "end": "2025-12-31"}


def born(membership, day: date, **fields) -> None:
    Person.objects.filter(pk=membership.person_id).update(birth_date=day, **fields)


def counts(org, period: Period = YEAR_2024) -> dict[str, dict[str, int]]:
    return {b.breakdown.name: {c.key: n for c, n in b.counts} for b in breakdown_counts(org.path, period)}


def test_the_five_breakdowns_are_registered_over_members():
    names = [b.name for b in breakdowns.all()]
    assert names[:5] == [
        "members.by_sex",
        "members.by_age",
        "members.by_education",
        "members.by_skill",
        "members.by_migrant",
    ]
    assert {b.figure for b in breakdowns.all() if b.name.startswith("members.")} == {"members.members"}


def test_ages_are_counted_on_the_periods_last_day(fed):
    # On 2024-12-31: 26 on the day itself (26-35), 25 until the next day (to 25), 55 and 56.
    born(fed.member_a1, date(1998, 12, 31))
    born(fed.member_b1, date(1999, 1, 1))
    fifty_five = make_member(union=fed.union_a1, name="王芳")
    born(fifty_five, date(1969, 1, 1))
    fifty_six = make_member(union=fed.union_a1, name="刘强")
    born(fifty_six, date(1968, 12, 31))
    ages = counts(fed.city)["members.by_age"]
    assert ages == {"to25": 1, "26-35": 1, "36-45": 0, "46-55": 1, "56up": 1}
    # A year later everyone is a band older or still in it.
    later = counts(fed.city, Period(date(2025, 1, 1), date(2025, 12, 31)))["members.by_age"]
    assert later == {"to25": 0, "26-35": 2, "36-45": 0, "46-55": 0, "56up": 2}


def test_every_breakdown_holds_every_member_once(fed):
    make_member(union=fed.union_a2, name="赵敏", sex="F", migrant=True)
    Person.objects.filter(pk=fed.member_a1.person_id).update(education="bachelor", skill_level="3")
    members = get_figure("members.members").compute(fed.city.path, YEAR_2024)
    for name, split in counts(fed.city).items():
        assert sum(split.values()) == members, name
    found = counts(fed.city)
    assert found["members.by_sex"] == {"M": 1, "F": 2}
    assert found["members.by_education"]["bachelor"] == 1 and found["members.by_education"]["unrecorded"] == 2
    assert found["members.by_skill"]["3"] == 1 and found["members.by_skill"]["none"] == 2
    assert found["members.by_migrant"] == {"yes": 2, "no": 1}
    assert counts(fed.town_a)["members.by_migrant"] == {"yes": 1, "no": 1}


def test_the_fragment_links_each_count_to_its_list(client, fed):
    client.force_login(fed.town_b_staff)
    response = client.get(reverse("reports:breakdowns"), REVIEW, **HTMX)
    assert response.status_code == 200
    page = response.content.decode()
    assert "<html" not in page and "性别" in page and "25岁及以下" in page
    link = reverse("reports:records", args=["members.members"])
    assert (
        f"{link}?organisation={fed.town_b.pk}&amp;start=2021-01-01&amp;end=2025-12-31&amp;breakdown=members.by_sex&amp;category=F"
        in page
    )
    full = client.get(reverse("reports:breakdowns"), REVIEW).content.decode()
    assert "<html" in full and "data-breakdown" in full


def test_each_total_links_to_the_figures_whole_list(client, fed):
    client.force_login(fed.town_b_staff)
    page = client.get(reverse("reports:breakdowns"), REVIEW, **HTMX).content.decode()
    link = reverse("reports:records", args=["members.members"])
    whole = f'<a href="{link}?organisation={fed.town_b.pk}&amp;start=2021-01-01&amp;end=2025-12-31">'
    assert page.count(whole) == len(breakdowns.all())


def test_a_count_opens_its_list_with_names_linking_to_each_member(client, fed):
    make_member(union=fed.union_a2, name="赵敏", sex="F")
    client.force_login(fed.town_a_staff)
    url = reverse("reports:records", args=["members.members"])
    response = client.get(url, {**REVIEW, "breakdown": "members.by_sex", "category": "F"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "会员 · 性别：女：1 人" in page and "赵敏" in page and "张伟" not in page
    person = Person.objects.get(name="赵敏")
    assert f'<a href="{reverse("members:detail", args=[person.pk])}">赵敏</a>' in page
    export = client.get(
        reverse("reports:records_export", args=["members.members"]),
        {**REVIEW, "breakdown": "members.by_sex", "category": "F"},
    )
    assert export.status_code == 200 and "filename" in export["Content-Disposition"]


def test_every_drill_down_name_links_to_the_member(client, fed):
    client.force_login(fed.city_staff)
    for name in ("members.members", "members.new_members", "members.migrant_members"):
        response = client.get(reverse("reports:records", args=[name]), REVIEW)
        person = fed.member_b1.person
        assert f'<a href="{reverse("members:detail", args=[person.pk])}">李娜</a>' in response.content.decode(), name


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ({"breakdown": "members.by_colour", "category": "F"}, 404),
        ({"breakdown": "members.by_sex", "category": "X"}, 404),
    ],
)
def test_an_unknown_breakdown_or_category_is_not_found(client, fed, query, status):
    client.force_login(fed.city_staff)
    assert client.get(reverse("reports:records", args=["members.members"]), {**REVIEW, **query}).status_code == status


def test_a_breakdown_of_another_figure_is_not_found(client, fed):
    client.force_login(fed.city_staff)
    url = reverse("reports:records", args=["members.new_members"])
    assert client.get(url, {**REVIEW, "breakdown": "members.by_sex", "category": "F"}).status_code == 404


@pytest.mark.parametrize("name", ["reports:records", "reports:records_export"])
def test_another_towns_breakdown_list_is_not_found(client, fed, name):
    client.force_login(fed.town_a_staff)
    query = {**REVIEW, "organisation": fed.town_b.pk, "breakdown": "members.by_sex", "category": "F"}
    response = client.get(reverse(name, args=["members.members"]), query)
    assert response.status_code == 404 and "李娜" not in response.content.decode()
    response = client.get(reverse("reports:breakdowns"), {**REVIEW, "organisation": fed.town_b.pk}, **HTMX)
    assert response.status_code == 404


def test_a_union_officer_counts_their_union_only(client, fed):
    make_member(union=fed.union_a2, name="赵敏", sex="F")
    client.force_login(fed.union_a1_officer)
    shown = {b.name: b for b in client.get(reverse("reports:breakdowns"), REVIEW, **HTMX).context["breakdowns"]}
    assert shown["members.by_sex"].total == "1"
    query = {**REVIEW, "organisation": fed.union_a2.pk, "breakdown": "members.by_sex", "category": "F"}
    assert client.get(reverse("reports:records", args=["members.members"]), query).status_code == 404


def test_the_fragment_counts_in_one_query(client, fed, django_assert_max_num_queries):
    client.force_login(fed.city_staff)
    url = reverse("reports:breakdowns")
    client.get(url, REVIEW, **HTMX)
    with django_assert_max_num_queries(6):  # the four of every page, the organisation, the counts
        client.get(url, REVIEW, **HTMX)


def test_the_category_names_its_breakdown():
    with pytest.raises(NotFound, match="没有这个分类"):
        get_breakdown("members.by_sex").category("X")
