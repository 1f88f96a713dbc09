"""Reads of scheme years and their rule versions. A scheme is its city federation's: staff
read the scheme of the city their organisation is in."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_noop

from gonghui.core.access import Scope, StaffScope
from gonghui.core.errors import NotFound
from gonghui.core.tree import STEPLEN
from gonghui.mutual_aid.access import require_city_staff
from gonghui.mutual_aid.calculator import Accumulated, Benefit, Bill, Cover, benefit_compute
from gonghui.mutual_aid.models import BenefitRuleSet, SchemeYear
from gonghui.mutual_aid.rules import rules_parse


def _city_path(scope: StaffScope) -> str:
    return scope.organisation_path[:STEPLEN]


def scheme_year_list(*, scope: Scope) -> QuerySet[SchemeYear]:
    staff = scope.require_staff()
    return SchemeYear.objects.filter(federation__path=_city_path(staff)).select_related("federation").order_by("-year")


def scheme_year_get(*, scope: Scope, year: int) -> SchemeYear:
    found = scheme_year_list(scope=scope).filter(year=year).first()
    if found is None:
        raise NotFound(gettext_noop("没有找到该年度的互助保障"), field="year")
    return found


def rule_set_list(*, scheme_year: SchemeYear) -> QuerySet[BenefitRuleSet]:
    return scheme_year.rule_sets.select_related("created_by").order_by("version")


def rule_set_get(*, scope: Scope, year: int, version: int) -> BenefitRuleSet:
    scheme_year = scheme_year_get(scope=scope, year=year)
    found = rule_set_list(scheme_year=scheme_year).filter(version=version).first()
    if found is None:
        raise NotFound(gettext_noop("没有找到该版本的补助规则"), field="version")
    found.scheme_year = scheme_year
    return found


def rule_set_in_force(*, scheme_year: SchemeYear, on: date) -> BenefitRuleSet | None:
    """The version that applies to care admitted on `on`: the latest to have started by then."""
    return scheme_year.rule_sets.filter(effective_from__lte=on).order_by("-effective_from").first()


def rule_set_latest(*, scheme_year: SchemeYear) -> BenefitRuleSet | None:
    return scheme_year.rule_sets.order_by("-version").first()


def benefit_trial(
    *,
    scope: Scope,
    scheme_year: SchemeYear,
    rules: dict[str, Any],
    bill: Bill,
    first_time: bool = False,
    so_far: Accumulated | None = None,
) -> Benefit:
    """试算: what an example bill would be paid under rules not yet saved (RulesInvalid when
    they are nonsense), for a member covered the whole year."""
    require_city_staff(scope, scheme_year.federation)
    parsed = rules_parse(rules)
    waiting_ends = scheme_year.coverage_starts_on + timedelta(days=scheme_year.waiting_days) if first_time else None
    cover = Cover(scheme_year.coverage_starts_on, scheme_year.coverage_ends_on, waiting_ends)
    return benefit_compute(rules=parsed, bill=bill, cover=cover, so_far=so_far or Accumulated())
