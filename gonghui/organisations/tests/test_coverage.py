"""Coverage history: which union covered an employer, from when to when, written wherever an
employer's union changes, so that "employers covered" is right for any past period."""

import importlib
from datetime import date, timedelta

import pytest
from django.apps import apps
from django.contrib.admin.sites import site
from django.db import IntegrityError, transaction
from django.test import RequestFactory
from django.utils import timezone

from gonghui.core.errors import Forbidden, ValidationFailed
from gonghui.core.figures import Period, get_figure
from gonghui.organisations import services
from gonghui.organisations.admin import EmployerAdmin
from gonghui.organisations.identity import make_uscc
from gonghui.organisations.models import Employer, EmployerCoverage, OrganisationStatus

COVERED = "organisations.employers_covered"


def year(y: int) -> Period:
    return Period(date(y, 1, 1), date(y, 12, 31))


def covered(org, period: Period) -> list[str]:
    return [c.employer.name for c in get_figure(COVERED).records(org.path, period)]


def history(employer: Employer) -> list[tuple[str, date, date | None]]:
    rows = EmployerCoverage.objects.filter(employer=employer).select_related("union").order_by("started_on", "pk")
    return [(c.union.name, c.started_on, c.ended_on) for c in rows]


@pytest.fixture
def dyeworks(fed) -> Employer:
    """Covered by 海宁皮革城工会 (town A) from 2019, then by 许村家纺工会 (town B) from mid-2022."""
    scope = fed.scope(fed.city_staff)
    employer = services.employer_create(
        scope=scope,
        name="海宁印染有限公司",
        uscc=make_uscc(region="330481", serial=900_001),
        town=fed.town_a,
        union=fed.union_a1,
        covered_since=date(2019, 3, 1),
    )
    return services.employer_update(
        scope=scope, employer=employer, union=fed.union_b1, union_changed_on=date(2022, 7, 1)
    )


def test_an_employer_counts_where_its_union_was_at_the_period_end(fed, dyeworks):
    assert "海宁印染有限公司" in covered(fed.town_a, year(2021))
    assert "海宁印染有限公司" not in covered(fed.town_b, year(2021))
    assert "海宁印染有限公司" in covered(fed.town_b, year(2024))
    assert "海宁印染有限公司" not in covered(fed.town_a, year(2024))


def test_before_its_first_coverage_an_employer_counts_nowhere(fed, dyeworks):
    assert "海宁印染有限公司" not in covered(fed.city, year(2018))
    assert "海宁印染有限公司" in covered(fed.city, year(2019))


def test_the_history_holds_both_stretches_end_to_start(fed, dyeworks):
    assert history(dyeworks) == [
        ("海宁皮革城工会", date(2019, 3, 1), date(2022, 7, 1)),
        ("许村家纺工会", date(2022, 7, 1), None),
    ]
    assert dyeworks.union == fed.union_b1 and dyeworks.covered_since == date(2019, 3, 1)


def test_the_figures_list_matches_its_count_for_each_period(fed, dyeworks):
    figure = get_figure(COVERED)
    for org in (fed.city, fed.town_a, fed.town_b, fed.union_a1):
        for y in (2018, 2021, 2022, 2024):
            records = figure.records(org.path, year(y))
            assert figure.compute(org.path, year(y)) == len(list(records)) == len(set(covered(org, year(y))))
    row = figure.row(next(c for c in figure.records(fed.town_a.path, year(2021)) if c.employer == dyeworks))
    assert "海宁皮革城工会" in row and date(2019, 3, 1) in row  # the union of that year, not today's


def test_a_merger_ends_the_closing_unions_coverage_and_opens_the_targets(fed):
    scope = fed.scope(fed.town_a_staff)
    employer = services.employer_create(
        scope=scope,
        name="硖石小商品店",
        uscc=make_uscc(region="330481", serial=900_002),
        town=fed.town_a,
        union=fed.union_a2,
        covered_since=date(2020, 5, 1),
    )
    services.organisation_change_status(
        scope=scope, organisation=fed.union_a2, status="merged", on=date(2023, 3, 1), merged_into=fed.union_a1
    )
    assert history(employer) == [
        ("硖石联合工会", date(2020, 5, 1), date(2023, 3, 1)),
        ("海宁皮革城工会", date(2023, 3, 1), None),
    ]
    assert EmployerCoverage.objects.get(employer=employer, ended_on=None).reason == "硖石联合工会已合并"
    assert Employer.objects.get(pk=employer.pk).union == fed.union_a1
    assert covered(fed.union_a2, year(2022)) == ["硖石小商品店"]
    assert covered(fed.union_a2, year(2023)) == []


def test_a_dissolution_passes_the_employers_to_the_town_in_the_history(fed):
    scope = fed.scope(fed.town_b_staff)
    services.organisation_change_status(
        scope=scope, organisation=fed.union_b1, status="dissolved", on=date(2024, 9, 1), note="企业关闭"
    )
    assert history(fed.employer_b1) == [
        ("许村家纺工会", date(2015, 1, 1), date(2024, 9, 1)),
        ("许村镇总工会", date(2024, 9, 1), None),
    ]
    assert covered(fed.union_b1, year(2023)) == ["许村家纺有限公司"]
    assert covered(fed.union_b1, year(2024)) == []
    assert covered(fed.town_b, year(2024)) == ["许村家纺有限公司"]


def test_a_closing_recorded_after_the_employer_came_ends_that_stretch_the_day_it_began(fed):
    late = date(2024, 5, 1)
    services.employer_update(scope=fed.scope(fed.city_staff), employer=fed.employer_b1, covered_since=late)
    services.organisation_change_status(
        scope=fed.scope(fed.town_b_staff), organisation=fed.union_b1, status="dissolved", on=date(2024, 3, 1)
    )
    assert history(fed.employer_b1) == [("许村家纺工会", late, late), ("许村镇总工会", late, None)]


def test_an_employer_created_without_a_date_is_covered_from_today(fed):
    employer = services.employer_create(
        scope=fed.scope(fed.town_a_staff),
        name="硖石五金店",
        uscc=make_uscc(region="330481", serial=900_003),
        town=fed.town_a,
        union=fed.union_a2,
    )
    assert history(employer) == [("硖石联合工会", timezone.localdate(), None)]


def test_an_employer_without_a_union_has_no_history_until_it_gets_one(fed):
    scope = fed.scope(fed.town_a_staff)
    employer = services.employer_create(
        scope=scope, name="硖石个体户", uscc=make_uscc(region="330481", serial=900_004), town=fed.town_a
    )
    assert history(employer) == []
    services.employer_update(scope=scope, employer=employer, union=fed.union_a2, covered_since=date(2021, 4, 1))
    assert history(employer) == [("硖石联合工会", date(2021, 4, 1), None)]


def test_taking_the_union_away_ends_the_coverage(fed):
    scope = fed.scope(fed.town_a_staff)
    services.employer_update(scope=scope, employer=fed.employer_a1, union=None, union_changed_on=date(2024, 1, 1))
    assert history(fed.employer_a1) == [("海宁皮革城工会", date(2015, 1, 1), date(2024, 1, 1))]
    assert covered(fed.town_a, year(2023)) == ["海宁中国皮革城股份有限公司"]
    assert covered(fed.town_a, year(2024)) == []


def test_a_corrected_first_coverage_date_moves_the_first_stretch(fed, dyeworks):
    services.employer_update(scope=fed.scope(fed.city_staff), employer=dyeworks, covered_since=date(2018, 9, 1))
    assert history(dyeworks)[0] == ("海宁皮革城工会", date(2018, 9, 1), date(2022, 7, 1))
    with pytest.raises(ValidationFailed, match="晚于该单位由海宁皮革城工会覆盖结束的日期（2022-07-01）") as err:
        services.employer_update(scope=fed.scope(fed.city_staff), employer=dyeworks, covered_since=date(2023, 1, 1))
    assert err.value.field == "covered_since"
    assert history(dyeworks)[0][1] == date(2018, 9, 1)


def test_a_change_dated_before_the_present_stretch_began_is_refused(fed, dyeworks):
    with pytest.raises(ValidationFailed, match="变更日期早于许村家纺工会开始覆盖该单位的日期（2022-07-01）") as err:
        services.employer_update(
            scope=fed.scope(fed.city_staff), employer=dyeworks, union=fed.union_a2, union_changed_on=date(2022, 1, 1)
        )
    assert err.value.field == "union_changed_on"
    assert Employer.objects.get(pk=dyeworks.pk).union == fed.union_b1  # nothing half-saved
    assert len(history(dyeworks)) == 2


def test_a_change_date_in_the_future_or_without_a_change_is_refused(fed):
    scope = fed.scope(fed.town_a_staff)
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationFailed, match="日期不能晚于今天"):
        services.employer_update(scope=scope, employer=fed.employer_a1, union=fed.union_a2, union_changed_on=tomorrow)
    with pytest.raises(ValidationFailed, match="覆盖工会没有变更") as err:
        services.employer_update(
            scope=scope, employer=fed.employer_a1, union=fed.union_a1, union_changed_on=date(2024, 1, 1)
        )
    assert err.value.field == "union_changed_on"
    assert history(fed.employer_a1) == [("海宁皮革城工会", date(2015, 1, 1), None)]


def test_a_closed_union_cannot_take_an_employer(fed):
    scope = fed.scope(fed.town_a_staff)
    services.organisation_change_status(
        scope=scope, organisation=fed.union_a2, status="merged", on=date(2023, 3, 1), merged_into=fed.union_a1
    )
    fed.union_a2.refresh_from_db()
    with pytest.raises(ValidationFailed, match="硖石联合工会已不是正常状态，不能覆盖用人单位"):
        services.employer_update(scope=scope, employer=fed.employer_a1, union=fed.union_a2)
    with pytest.raises(ValidationFailed, match="不能覆盖用人单位"):
        services.employer_create(
            scope=scope,
            name="新店",
            uscc=make_uscc(region="330481", serial=900_005),
            town=fed.town_a,
            union=fed.union_a2,
        )


def test_another_towns_officer_cannot_move_an_employer_to_their_union(fed):
    with pytest.raises(Forbidden):
        services.employer_update(scope=fed.scope(fed.town_b_staff), employer=fed.employer_a1, union=fed.union_b1)
    assert history(fed.employer_a1) == [("海宁皮革城工会", date(2015, 1, 1), None)]


def test_the_api_dates_a_change_of_union(client, fed):
    client.force_login(fed.city_staff)
    response = client.patch(
        f"/api/v1/employers/{fed.employer_a1.pk}",
        {"union_id": fed.union_b1.pk, "union_changed_on": "2023-05-01"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert history(fed.employer_a1)[-1] == ("许村家纺工会", date(2023, 5, 1), None)


def test_the_database_keeps_one_open_stretch_per_employer(fed):
    with pytest.raises(IntegrityError), transaction.atomic():
        EmployerCoverage.objects.create(employer=fed.employer_a1, union=fed.union_a2, started_on=date(2020, 1, 1))


def test_the_database_refuses_a_stretch_ending_before_it_starts(fed):
    with pytest.raises(IntegrityError), transaction.atomic():
        EmployerCoverage.objects.create(
            employer=fed.employer_b1, union=fed.union_a2, started_on=date(2020, 1, 1), ended_on=date(2019, 1, 1)
        )


def test_the_admin_cannot_change_an_employers_union(fed):
    """Admin is read-only for everyone (core.admin.ReadOnlyAdminMixin): changes go through
    employer_update, which writes the history."""
    request = RequestFactory().get("/admin/")
    request.user = fed.city_staff
    admin = EmployerAdmin(Employer, site)
    assert admin.has_change_permission(request) is False and admin.has_add_permission(request) is False


def test_the_data_migration_opens_one_stretch_from_the_current_union(fed):
    EmployerCoverage.objects.all().delete()
    Employer.objects.filter(pk=fed.employer_b1.pk).update(covered_since=None)
    fed.union_b1.founded_on = date(2012, 8, 1)
    fed.union_b1.save()
    uncovered = Employer.objects.create(
        name="无工会单位", uscc=make_uscc(region="330481", serial=900_006), town=fed.town_a, union=None
    )
    migration = importlib.import_module("gonghui.organisations.migrations.0004_employer_coverage")
    migration.open_current_coverage(apps, None)
    assert history(fed.employer_a1) == [("海宁皮革城工会", date(2015, 1, 1), None)]
    assert history(fed.employer_b1) == [("许村家纺工会", date(2012, 8, 1), None)]  # its union's founding
    assert history(uncovered) == []
    assert fed.union_b1.status == OrganisationStatus.ACTIVE
