"""The foundation's figures on the hand-made federation: each person counted where and when
their membership says, and every value equal to the number of records behind it."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from gonghui.core.errors import Forbidden, NotFound
from gonghui.core.figures import FigureValue, Period, all_figures, get_figure
from gonghui.members import services as member_services
from gonghui.organisations import services as org_services
from gonghui.reports import selectors
from gonghui.testing import new_id_number

YEAR_2024 = Period(date(2024, 1, 1), date(2024, 12, 31))


@pytest.fixture(autouse=True)
def quick_password_hashing(settings):
    # The personas' and demo accounts' passwords would otherwise cost a second each to hash.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def value(name: str, org, period: Period = YEAR_2024) -> FigureValue:
    return get_figure(name).compute(org.path, period)


def members_of(org, period: Period = YEAR_2024) -> set[str]:
    return {m.person.name for m in get_figure("members.members").records(org.path, period)}


def test_the_foundation_figures_are_registered_in_order():
    names = [f.name for f in all_figures()]
    expected = [
        "organisations.unions",
        "organisations.employers_covered",
        "organisations.coverage_rate",
        "members.members",
        "members.membership_rate",
        "members.new_members",
        "members.migrant_members",
    ]
    assert [n for n in names if n in expected] == expected


def test_a_member_who_joined_in_the_period_counts_as_new(fed):
    member_services.member_join(
        scope=fed.scope(fed.town_a_staff),
        union=fed.union_a2,
        id_number=new_id_number(),
        name="赵敏",
        joined_on=date(2024, 5, 1),
    )
    assert value("members.new_members", fed.town_a) == 1
    assert value("members.new_members", fed.town_b) == 0
    assert value("members.new_members", fed.city, Period(date(2023, 1, 1), date(2023, 12, 31))) == 0
    assert value("members.members", fed.town_a) == 2
    # Before joining, not yet a member.
    assert "赵敏" not in members_of(fed.town_a, Period(date(2024, 1, 1), date(2024, 4, 30)))


def test_a_transferred_member_counts_once_at_the_new_union_and_is_not_new(fed):
    transfer = member_services.transfer_start(
        scope=fed.scope(fed.town_a_staff), membership=fed.member_a1, to_union=fed.union_b1, on=date(2024, 6, 1)
    )
    member_services.transfer_confirm(scope=fed.scope(fed.town_b_staff), transfer=transfer, on=date(2024, 6, 1))

    assert members_of(fed.town_a) == set()
    assert members_of(fed.town_b) == {"张伟", "李娜"}
    assert value("members.members", fed.city) == 2
    assert value("members.new_members", fed.city) == 0
    # Before the transfer the member was town A's.
    before = Period(date(2024, 1, 1), date(2024, 5, 31))
    assert members_of(fed.town_a, before) == {"张伟"} and members_of(fed.town_b, before) == {"李娜"}


def test_a_member_who_left_does_not_count_after_leaving(fed):
    member_services.membership_leave(
        scope=fed.scope(fed.union_a1_officer), membership=fed.member_a1, on=date(2024, 9, 1), reason="离职返乡"
    )
    assert members_of(fed.union_a1, Period(date(2024, 1, 1), date(2024, 8, 31))) == {"张伟"}
    assert members_of(fed.union_a1, Period(date(2024, 1, 1), date(2024, 9, 1))) == set()
    assert value("members.members", fed.city) == 1


def test_migrant_members_are_those_active_at_the_end(fed):
    assert value("members.migrant_members", fed.city) == 1
    assert value("members.migrant_members", fed.town_a) == 0
    member_services.membership_leave(
        scope=fed.scope(fed.town_b_staff), membership=fed.member_b1, on=date(2024, 3, 1), reason="离职返乡"
    )
    assert value("members.migrant_members", fed.city) == 0


def test_a_merged_union_counts_until_its_merger_and_its_employers_follow(fed):
    org_services.organisation_change_status(
        scope=fed.scope(fed.town_a_staff),
        organisation=fed.union_a2,
        status="merged",
        on=date(2024, 3, 1),
        merged_into=fed.union_a1,
    )
    assert value("organisations.unions", fed.city, Period(date(2024, 1, 1), date(2024, 2, 29))) == 3
    assert value("organisations.unions", fed.city) == 2
    assert value("organisations.unions", fed.town_a) == 1
    assert value("organisations.employers_covered", fed.town_a) == 1
    assert value("organisations.employers_covered", fed.city) == 2


def test_unions_founded_after_the_period_do_not_count(fed):
    fed.union_b1.founded_on = date(2025, 2, 1)
    fed.union_b1.save()
    assert value("organisations.unions", fed.town_b) == 0
    assert value("organisations.unions", fed.town_b, Period(date(2025, 1, 1), date(2025, 12, 31))) == 1


def test_every_value_equals_the_number_of_records_behind_it(fed):
    for org in (fed.city, fed.town_a, fed.town_b, fed.union_a1):
        for figure in all_figures():
            records = list(figure.records(org.path, YEAR_2024))
            if figure.is_count:  # a rate is made from its records too: test_rates.py
                assert figure.compute(org.path, YEAR_2024) == len(records), (figure.name, org.name)
            assert all(len(figure.row(r)) == len(figure.columns) for r in records)


def test_drill_down_rows_mask_identity_and_mobile_numbers(fed):
    figure = get_figure("members.members")
    [row] = [figure.row(m) for m in figure.records(fed.union_a1.path, YEAR_2024)]
    person = fed.member_a1.person
    assert person.id_number not in row and person.mobile not in row
    assert person.id_number[:6] + "********" + person.id_number[-4:] in row


def test_selectors_refuse_another_towns_organisation_and_members(fed):
    with pytest.raises(NotFound):
        selectors.figure_values(scope=fed.scope(fed.town_b_staff), organisation=fed.town_a, period=YEAR_2024)
    with pytest.raises(NotFound):
        selectors.figure_records(
            scope=fed.scope(fed.town_b_staff), organisation=fed.union_a1, period=YEAR_2024, name="members.members"
        )
    with pytest.raises(NotFound):
        selectors.report_organisation(scope=fed.scope(fed.town_b_staff), pk=fed.town_a.pk)
    with pytest.raises(Forbidden):
        selectors.report_organisation(scope=fed.scope(fed.member_user))
    assert selectors.report_organisation(scope=fed.scope(fed.town_b_staff)) == fed.town_b


def test_an_unknown_figure_is_not_found(fed):
    with pytest.raises(NotFound):
        selectors.figure_records(scope=fed.scope(fed.city_staff), organisation=fed.city, period=YEAR_2024, name="x.y")


def test_a_counted_figure_takes_its_value_from_the_lists_count(fed, django_assert_num_queries):
    counted = get_figure("members.members")
    records = counted.records(fed.city.path, YEAR_2024)
    with django_assert_num_queries(0):
        assert counted.value_given_count(records, 7) == 7
    summed = replace(counted, name="test.summed", value=lambda qs: Decimal("1.50"))
    assert summed.value_given_count(records, 7) == Decimal("1.50")


def test_crumbs_are_the_ancestors_the_viewer_may_open(fed):
    assert selectors.report_ancestors(scope=fed.scope(fed.city_staff), organisation=fed.union_a1) == [
        fed.city,
        fed.town_a,
    ]
    assert selectors.report_ancestors(scope=fed.scope(fed.town_a_staff), organisation=fed.union_a1) == [fed.town_a]
    assert selectors.report_ancestors(scope=fed.scope(fed.union_a1_officer), organisation=fed.union_a1) == []
    with pytest.raises(NotFound):
        selectors.report_ancestors(scope=fed.scope(fed.town_b_staff), organisation=fed.union_a1)
