"""Scheme years and their rule versions: who may set them, and that a frozen version never
changes while a change becomes a new version with its own start date."""

from __future__ import annotations

import copy
from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from gonghui.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from gonghui.mutual_aid import selectors, services
from gonghui.mutual_aid.models import BenefitRuleSet, Enrolment, PaymentStatus, RuleSetFrozen, SchemeYear
from gonghui.mutual_aid.rules import RulesInvalid
from gonghui.mutual_aid.tests.helpers import example_rules, make_scheme, terms

D = Decimal


@pytest.fixture
def scheme(fed) -> SchemeYear:
    return make_scheme(fed)


@pytest.fixture
def in_june(monkeypatch) -> date:
    day = date(2026, 6, 15)
    monkeypatch.setattr(services, "today", lambda: day)
    return day


def first_version(scheme: SchemeYear) -> BenefitRuleSet:
    return scheme.rule_sets.get(version=1)


def richer(rules: dict) -> dict:
    changed = copy.deepcopy(rules)
    changed["inpatient"]["bands"][1]["ratio"] = "70"
    return changed


def test_a_scheme_year_starts_with_its_first_rules_in_force_from_the_start_of_cover(fed, scheme) -> None:
    assert (scheme.year, scheme.contribution, scheme.payer, scheme.union_share) == (2026, D("60.00"), "union", 100)
    version = first_version(scheme)
    assert version.effective_from == date(2026, 1, 1) and not version.is_frozen
    assert version.created_by == fed.city_staff
    inpatient = version.parsed().inpatient
    assert inpatient is not None and inpatient.annual_cap == D("50000.00")
    assert selectors.scheme_year_get(scope=fed.scope(fed.town_b_staff), year=2026) == scheme


@pytest.mark.parametrize("persona", ["town_a_staff", "union_a1_officer", "member_user"])
def test_only_city_staff_set_up_a_scheme(fed, persona) -> None:
    with pytest.raises(Forbidden):
        services.scheme_year_create(
            scope=fed.scope(getattr(fed, persona)), federation=fed.city, terms=terms(), rules=example_rules()
        )
    assert not SchemeYear.objects.exists()


def test_city_staff_set_up_no_scheme_for_a_town(fed) -> None:
    with pytest.raises(Forbidden):
        services.scheme_year_create(
            scope=fed.scope(fed.city_staff), federation=fed.town_a, terms=terms(), rules=example_rules()
        )


def test_a_year_is_set_up_once(fed, scheme) -> None:
    with pytest.raises(Conflict) as refused:
        make_scheme(fed)
    assert refused.value.field == "year" and "2026" in refused.value.message
    assert SchemeYear.objects.count() == 1 and BenefitRuleSet.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"coverage_starts_on": date(2025, 12, 1)}, "coverage_starts_on"),
        ({"coverage_ends_on": date(2025, 12, 31)}, "coverage_ends_on"),
        ({"enrolment_closes_on": date(2025, 9, 1)}, "enrolment_closes_on"),
        ({"waiting_days": 400}, "waiting_days"),
        ({"contribution": "60.005"}, "contribution"),
        ({"contribution": "-1"}, "contribution"),
        ({"payer": "company"}, "payer"),
        ({"payer": "split"}, "shares"),
        ({"payer": "split", "shares": services.Shares(union=D(50), employer=D(40))}, "shares"),
        ({"payer": "split", "shares": services.Shares(union=D(100))}, "payer"),
    ],
)
def test_bad_terms_are_refused_with_the_field(fed, changes, field) -> None:
    with pytest.raises(ValidationFailed) as refused:
        make_scheme(fed, **changes)
    assert refused.value.field == field
    assert not SchemeYear.objects.exists()


def test_a_split_contribution_keeps_each_share_and_the_parts_add_up(fed) -> None:
    shares = services.Shares(union=D("33.33"), employer=D("33.33"), member=D("33.34"))
    scheme = make_scheme(fed, payer="split", shares=shares)
    assert (scheme.union_share, scheme.employer_share, scheme.member_share) == (D("33.33"), D("33.33"), D("33.34"))
    parts = services.contribution_parts(scheme)
    assert parts == {"union": D("20.00"), "employer": D("20.00"), "member": D("20.00")}
    assert sum(parts.values()) == scheme.contribution


def test_no_part_of_a_split_contribution_goes_below_zero(fed) -> None:
    shares = services.Shares(union=D("50"), employer=D("50"), member=D("0"))
    scheme = make_scheme(fed, payer="split", shares=shares, contribution="45.05")
    parts = services.contribution_parts(scheme)
    assert parts == {"union": D("22.53"), "employer": D("22.52"), "member": D("0.00")}


def test_the_database_refuses_shares_that_do_not_make_100(fed, scheme) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        SchemeYear.objects.filter(pk=scheme.pk).update(employer_share=D("10"))


def test_nonsense_rules_are_refused_and_nothing_is_saved(fed) -> None:
    rules = example_rules()
    rules["inpatient"]["bands"][1]["from"] = "12000.00"
    with pytest.raises(RulesInvalid) as refused:
        services.scheme_year_create(scope=fed.scope(fed.city_staff), federation=fed.city, terms=terms(), rules=rules)
    assert refused.value.field == "inpatient.bands.2"
    assert not SchemeYear.objects.exists()


def test_rules_no_claim_was_paid_under_are_changed_in_place(fed, scheme) -> None:
    version = first_version(scheme)
    changed = services.rule_set_change(
        scope=fed.scope(fed.city_staff), rule_set=version, rules=richer(version.rules), note="提高大额段比例"
    )
    assert changed.pk == version.pk and changed.version == 1
    assert BenefitRuleSet.objects.get(pk=version.pk).rules["inpatient"]["bands"][1]["ratio"] == "70"
    assert BenefitRuleSet.objects.count() == 1


def test_a_change_to_frozen_rules_makes_the_next_version_with_its_own_start(fed, scheme, in_june) -> None:
    version = services.rule_set_freeze(rule_set=first_version(scheme))
    assert version.is_frozen
    with pytest.raises(ValidationFailed) as refused:
        services.rule_set_change(scope=fed.scope(fed.city_staff), rule_set=version, rules=richer(version.rules))
    assert refused.value.field == "effective_from"
    new = services.rule_set_change(
        scope=fed.scope(fed.city_staff),
        rule_set=version,
        rules=richer(version.rules),
        effective_from=date(2026, 7, 1),
        note="下半年提高比例",
    )
    assert (new.version, new.effective_from, new.is_frozen) == (2, date(2026, 7, 1), False)
    assert BenefitRuleSet.objects.get(pk=version.pk).rules == example_rules()
    assert selectors.rule_set_in_force(scheme_year=scheme, on=date(2026, 6, 30)) == version
    assert selectors.rule_set_in_force(scheme_year=scheme, on=date(2026, 7, 1)) == new


@pytest.mark.parametrize(
    ("start", "why"),
    [
        (date(2026, 6, 15), "早于"),  # today: care already paid for could fall under it
        (date(2027, 1, 1), "保障期"),
    ],
)
def test_a_new_version_starts_after_today_and_within_cover(fed, scheme, in_june, start, why) -> None:
    version = services.rule_set_freeze(rule_set=first_version(scheme))
    with pytest.raises(ValidationFailed, match=why):
        services.rule_set_change(
            scope=fed.scope(fed.city_staff), rule_set=version, rules=richer(version.rules), effective_from=start
        )
    assert BenefitRuleSet.objects.count() == 1


def test_the_same_rules_make_no_new_version(fed, scheme, in_june) -> None:
    version = services.rule_set_freeze(rule_set=first_version(scheme))
    with pytest.raises(ValidationFailed, match="没有变化"):
        services.rule_set_change(
            scope=fed.scope(fed.city_staff), rule_set=version, rules=version.rules, effective_from=date(2026, 7, 1)
        )


def test_only_the_latest_version_is_changed(fed, scheme, in_june) -> None:
    version = services.rule_set_freeze(rule_set=first_version(scheme))
    services.rule_set_change(
        scope=fed.scope(fed.city_staff), rule_set=version, rules=richer(version.rules), effective_from=date(2026, 7, 1)
    )
    with pytest.raises(Conflict, match="第 2 版"):
        services.rule_set_change(
            scope=fed.scope(fed.city_staff),
            rule_set=version,
            rules=example_rules(),
            effective_from=date(2026, 8, 1),
        )


def test_an_unfrozen_later_version_may_move_its_start_but_not_before_the_one_before(fed, scheme, in_june) -> None:
    version = services.rule_set_freeze(rule_set=first_version(scheme))
    second = services.rule_set_change(
        scope=fed.scope(fed.city_staff), rule_set=version, rules=richer(version.rules), effective_from=date(2026, 7, 1)
    )
    moved = services.rule_set_change(
        scope=fed.scope(fed.city_staff), rule_set=second, rules=second.rules, effective_from=date(2026, 9, 1)
    )
    assert moved.effective_from == date(2026, 9, 1)
    with pytest.raises(ValidationFailed, match="晚于上一版本"):
        services.rule_set_change(
            scope=fed.scope(fed.city_staff), rule_set=second, rules=second.rules, effective_from=date(2026, 1, 1)
        )
    with pytest.raises(Conflict):  # nor is the first version the latest any more
        services.rule_set_change(scope=fed.scope(fed.city_staff), rule_set=first_version(scheme), rules=version.rules)


@pytest.mark.parametrize("persona", ["town_a_staff", "union_a1_officer", "member_user"])
def test_only_city_staff_change_rules(fed, scheme, persona) -> None:
    version = first_version(scheme)
    with pytest.raises(Forbidden):
        services.rule_set_change(scope=fed.scope(getattr(fed, persona)), rule_set=version, rules=richer(version.rules))
    assert BenefitRuleSet.objects.get(pk=version.pk).rules == example_rules()


def test_a_frozen_version_refuses_a_save_that_changes_it(fed, scheme) -> None:
    version = services.rule_set_freeze(rule_set=first_version(scheme))
    version.rules = richer(version.rules)
    with pytest.raises(RuleSetFrozen):
        version.save()
    again = BenefitRuleSet.objects.get(pk=version.pk)
    again.note = "说明可以补充"
    again.save()  # what is not the rules may still be written
    unfrozen = BenefitRuleSet.objects.get(pk=version.pk)
    unfrozen.frozen_at = None
    with pytest.raises(RuleSetFrozen):
        unfrozen.save()


@pytest.mark.postgres_only
def test_postgresql_refuses_changing_a_frozen_version_in_sql(fed, scheme) -> None:
    version = services.rule_set_freeze(rule_set=first_version(scheme))
    for sql in (
        "UPDATE mutual_aid_benefitruleset SET effective_from = '2026-02-01' WHERE id = %s",
        "UPDATE mutual_aid_benefitruleset SET frozen_at = NULL WHERE id = %s",
        "DELETE FROM mutual_aid_benefitruleset WHERE id = %s",
    ):
        with pytest.raises(Exception, match="frozen"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [version.pk])


def test_staff_read_only_their_own_citys_scheme(fed, scheme) -> None:
    with pytest.raises(NotFound):
        selectors.scheme_year_get(scope=fed.scope(fed.city_staff), year=2025)
    with pytest.raises(Forbidden):
        selectors.scheme_year_list(scope=fed.scope(fed.member_user))
    assert selectors.rule_set_get(scope=fed.scope(fed.city_staff), year=2026, version=1).version == 1
    with pytest.raises(NotFound):
        selectors.rule_set_get(scope=fed.scope(fed.city_staff), year=2026, version=2)


def test_an_enrolment_covers_a_first_timer_only_after_the_wait(fed, scheme) -> None:
    person = fed.member_a1.person
    enrolment = Enrolment.objects.create(
        person=person,
        scheme_year=scheme,
        union=fed.union_a1,
        employer=fed.employer_a1,
        enrolled_on=date(2025, 11, 20),
        coverage_from=date(2026, 1, 1),
        coverage_to=date(2026, 12, 31),
        first_time=True,
    )
    cover = enrolment.cover(waiting_days=scheme.waiting_days)
    assert (cover.starts_on, cover.ends_on, cover.waiting_ends_on) == (
        date(2026, 1, 1),
        date(2026, 12, 31),
        date(2026, 4, 1),
    )
    renewed = Enrolment(coverage_from=date(2026, 1, 1), coverage_to=date(2026, 12, 31), first_time=False)
    assert renewed.cover(waiting_days=90).waiting_ends_on is None


def test_a_member_is_enrolled_once_a_year_and_paid_means_a_date(fed, scheme) -> None:
    values = dict(
        person=fed.member_a1.person,
        scheme_year=scheme,
        union=fed.union_a1,
        enrolled_on=date(2025, 11, 20),
        coverage_from=date(2026, 1, 1),
        coverage_to=date(2026, 12, 31),
    )
    Enrolment.objects.create(**values)
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrolment.objects.create(**{**values, "union": fed.union_a2})
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrolment.objects.create(**{**values, "person": fed.member_b1.person, "payment_status": PaymentStatus.PAID})
