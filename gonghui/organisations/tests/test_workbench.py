"""The workbench's headline numbers and members-by-month chart: read from the figures
registry for the viewer's own subtree, and refused to members and to strangers."""

import json
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from gonghui.core.figures import Period, get_figure, month_periods
from gonghui.members import services as member_services
from gonghui.testing import make_member, new_id_number

HTMX = {"HTTP_HX_REQUEST": "true"}


def this_year() -> Period:
    today = timezone.localdate()
    return Period(date(today.year, 1, 1), today)


def test_headlines_are_this_years_figures_for_the_viewers_town(client, fed):
    make_member(union=fed.union_a2, name="赵敏", joined_on=timezone.localdate().replace(day=1))
    client.force_login(fed.town_a_staff)
    response = client.get(reverse("organisations:headlines"), **HTMX)
    assert response.status_code == 200
    shown = {h.figure.name: h.value for h in response.context["headlines"]}
    assert shown == {
        "organisations.unions": 2,
        "organisations.employers_covered": 1,
        "members.members": 2,
        "members.new_members": 1,
    }
    page = response.content.decode()
    assert "今年新入会" in page and "<html" not in page
    period = this_year()
    records = reverse("reports:records", args=["members.members"])
    assert f"{records}?organisation={fed.town_a.pk}&amp;start={period.start}&amp;end={period.end}" in page


def test_headlines_show_thousands_separators(client, fed, monkeypatch):
    figure = get_figure("members.members")
    monkeypatch.setattr(type(figure), "compute", lambda self, path, period: 248500)
    client.force_login(fed.city_staff)
    assert "248,500" in client.get(reverse("organisations:headlines"), **HTMX).content.decode()


def test_a_union_officer_sees_the_numbers_of_their_union_only(client, fed):
    client.force_login(fed.union_a1_officer)
    headlines = client.get(reverse("organisations:headlines"), **HTMX).context["headlines"]
    shown = {h.figure.name: h.value for h in headlines}
    assert shown["organisations.unions"] == 1 and shown["members.members"] == 1
    data = json.loads(client.get(reverse("organisations:trend")).content)
    assert data["organisation"] == "海宁皮革城工会"


def test_the_trend_gives_24_months_of_members_and_joins_from_the_figures(client, fed):
    today = timezone.localdate()
    months = month_periods(ending=today, count=24)
    joined = months[5].start
    member_services.member_join(
        scope=fed.scope(fed.town_a_staff), union=fed.union_a2, id_number=new_id_number(), name="赵敏", joined_on=joined
    )
    member_services.membership_leave(
        scope=fed.scope(fed.union_a1_officer), membership=fed.member_a1, on=months[9].end, reason="离职"
    )
    client.force_login(fed.town_a_staff)
    data = json.loads(client.get(reverse("organisations:trend")).content)
    assert data["months"][0] == f"{months[0].start:%Y-%m}" and data["months"][-1] == f"{today:%Y-%m}"
    members, joins = data["series"]
    assert (members["key"], members["kind"], joins["key"], joins["kind"]) == (
        "members.members",
        "line",
        "members.new_members",
        "bar",
    )
    for name, series in (("members.members", members), ("members.new_members", joins)):
        figure = get_figure(name)
        assert series["data"] == [figure.compute(fed.town_a.path, p) for p in months]
    assert members["data"][4:6] == [1, 2] and members["data"][9:11] == [1, 1]
    assert joins["data"][5] == 1 and sum(joins["data"]) == 1


@pytest.mark.parametrize("name", ["organisations:headlines", "organisations:trend"])
def test_members_are_refused_and_strangers_sent_to_sign_in(client, fed, name):
    assert client.get(reverse(name)).status_code == 302
    client.force_login(fed.member_user)
    assert client.get(reverse(name)).status_code == 403


def test_another_towns_numbers_never_show(client, fed):
    make_member(union=fed.union_b1, name="钱多多")
    client.force_login(fed.town_a_staff)
    data = json.loads(client.get(reverse("organisations:trend")).content)
    assert data["organisation"] == "硖石街道总工会" and data["series"][0]["data"][-1] == 1


def test_the_workbench_waits_for_no_count(client, fed, django_assert_max_num_queries):
    client.force_login(fed.city_staff)
    client.get(reverse("organisations:workbench"))  # session and second factor loaded once
    # Session, user, device, account, the unread badge; the root, the tree's counts.
    with django_assert_max_num_queries(10):
        page = client.get(reverse("organisations:workbench")).content.decode()
    for name in ("organisations:headlines", "organisations:todos", "organisations:trend"):
        assert reverse(name) in page
    assert "vendor/echarts/echarts.min.js" in page
    with django_assert_max_num_queries(9):  # the same four, the root, one per headline figure
        client.get(reverse("organisations:headlines"), **HTMX)
    with django_assert_max_num_queries(9):  # members: on the first month's end, joins, ends; joins per day
        client.get(reverse("organisations:trend"))
