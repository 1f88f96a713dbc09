"""Writes of scheme years and benefit rules. Only the city federation's own staff set up its
scheme; each write is one transaction and refuses bad input with the field it is about."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from gonghui.core.access import Scope, StaffScope
from gonghui.core.errors import Conflict, ValidationFailed
from gonghui.core.money import MoneyError, money, round_money
from gonghui.mutual_aid import selectors
from gonghui.mutual_aid.access import require_city_staff
from gonghui.mutual_aid.models import BenefitRuleSet, Payer, SchemeYear
from gonghui.mutual_aid.rules import rules_parse
from gonghui.organisations.models import Organisation

HUNDRED = Decimal(100)
MAX_WAITING_DAYS = 365


@dataclass(frozen=True)
class Shares:
    """Who pays the contribution, in percent (a split; for one payer it is 100 for them)."""

    union: Decimal = Decimal(0)
    employer: Decimal = Decimal(0)
    member: Decimal = Decimal(0)


@dataclass(frozen=True)
class SchemeTerms:
    year: int
    enrolment_opens_on: date
    enrolment_closes_on: date
    coverage_starts_on: date
    coverage_ends_on: date
    contribution: Decimal | str
    payer: str
    waiting_days: int
    shares: Shares | None = None  # only for Payer.SPLIT


def today() -> date:
    """The local date (tests set it)."""
    return timezone.localdate()


@transaction.atomic
def scheme_year_create(
    *, scope: Scope, federation: Organisation, terms: SchemeTerms, rules: dict[str, Any]
) -> SchemeYear:
    """A new scheme year with its first rule version, in force from the start of coverage."""
    staff = require_city_staff(scope, federation)
    fields = _checked_terms(terms)
    parsed = rules_parse(rules)
    try:
        with transaction.atomic():
            scheme_year = SchemeYear.objects.create(federation=federation, **fields)
    except IntegrityError:
        raise Conflict(gettext("%(year)s 年度的互助保障已设立") % {"year": terms.year}, field="year") from None
    BenefitRuleSet.objects.create(
        scheme_year=scheme_year,
        version=1,
        effective_from=terms.coverage_starts_on,
        rules=parsed.to_data(),
        created_by=staff.user,
    )
    return scheme_year


def _checked_terms(terms: SchemeTerms) -> dict[str, Any]:
    if not 2000 <= terms.year <= 2100:
        raise ValidationFailed(gettext_noop("年度应在 2000 到 2100 之间"), field="year")
    if terms.coverage_starts_on.year != terms.year:
        raise ValidationFailed(gettext_noop("保障开始日期应在该年度内"), field="coverage_starts_on")
    if terms.coverage_ends_on < terms.coverage_starts_on:
        raise ValidationFailed(gettext_noop("保障结束日期早于开始日期"), field="coverage_ends_on")
    if terms.enrolment_closes_on < terms.enrolment_opens_on:
        raise ValidationFailed(gettext_noop("参保登记截止日期早于开始日期"), field="enrolment_closes_on")
    if terms.enrolment_closes_on > terms.coverage_ends_on:
        raise ValidationFailed(gettext_noop("参保登记截止日期晚于保障结束日期"), field="enrolment_closes_on")
    if not 0 <= terms.waiting_days <= MAX_WAITING_DAYS:
        raise ValidationFailed(gettext_noop("等待期应在 0 到 365 天之间"), field="waiting_days")
    try:
        contribution = money(terms.contribution)
    except MoneyError as err:
        raise ValidationFailed(str(err), field="contribution") from None
    if contribution < 0:
        raise ValidationFailed(gettext_noop("互助金不能为负数"), field="contribution")
    shares = _shares(terms.payer, terms.shares)
    return {
        "year": terms.year,
        "enrolment_opens_on": terms.enrolment_opens_on,
        "enrolment_closes_on": terms.enrolment_closes_on,
        "coverage_starts_on": terms.coverage_starts_on,
        "coverage_ends_on": terms.coverage_ends_on,
        "contribution": contribution,
        "payer": terms.payer,
        "waiting_days": terms.waiting_days,
        "union_share": shares.union,
        "employer_share": shares.employer,
        "member_share": shares.member,
    }


def _shares(payer: str, shares: Shares | None) -> Shares:
    one = {
        Payer.UNION: Shares(union=HUNDRED),
        Payer.EMPLOYER: Shares(employer=HUNDRED),
        Payer.MEMBER: Shares(member=HUNDRED),
    }
    if payer in one:
        return one[Payer(payer)]
    if payer != Payer.SPLIT:
        raise ValidationFailed(gettext_noop("缴费方应为工会、单位、个人或分摊"), field="payer")
    if shares is None:
        raise ValidationFailed(gettext_noop("分摊缴费须写明各方承担的比例"), field="shares")
    parts = (shares.union, shares.employer, shares.member)
    if any(part < 0 or part > HUNDRED or part != part.quantize(Decimal("0.01")) for part in parts):
        raise ValidationFailed(gettext_noop("各方承担比例应在 0% 到 100% 之间，最多两位小数"), field="shares")
    total = sum(parts, Decimal(0))
    if total != HUNDRED:
        raise ValidationFailed(
            gettext("各方承担比例合计应为 100%%，现为 %(total)s%%") % {"total": format(total.normalize(), "f")},
            field="shares",
        )
    if sum(1 for part in parts if part > 0) < 2:
        raise ValidationFailed(gettext_noop("分摊缴费至少由两方承担；只有一方时请直接选择该方"), field="payer")
    return shares


@transaction.atomic
def rule_set_change(
    *,
    scope: Scope,
    rule_set: BenefitRuleSet,
    rules: dict[str, Any],
    effective_from: date | None = None,
    note: str = "",
) -> BenefitRuleSet:
    """Change the year's rules. A version no claim has been paid under is changed in place;
    a frozen one is never changed, and the change becomes the next version, starting on
    `effective_from` (after today, so no care already paid for falls under it)."""
    scheme_year = rule_set.scheme_year
    staff = require_city_staff(scope, scheme_year.federation)
    parsed = rules_parse(rules).to_data()
    note = " ".join(note.split())
    if len(note) > 200:
        raise ValidationFailed(gettext_noop("修改说明最多200个字"), field="note")
    locked = BenefitRuleSet.objects.select_for_update().get(pk=rule_set.pk)
    latest = selectors.rule_set_latest(scheme_year=scheme_year)
    if latest is None or latest.pk != locked.pk:
        raise Conflict(
            gettext("只能在最新版本上修改（最新为第 %(version)s 版）") % {"version": latest.version if latest else "—"},
            field="version",
        )
    if locked.is_frozen:
        return _next_version(staff, locked, parsed, effective_from, note)
    return _change_in_place(locked, parsed, effective_from, note)


def _change_in_place(
    rule_set: BenefitRuleSet, rules: dict[str, Any], effective_from: date | None, note: str
) -> BenefitRuleSet:
    scheme_year = rule_set.scheme_year
    start = effective_from or rule_set.effective_from
    if start != rule_set.effective_from:
        if rule_set.version == 1:
            raise ValidationFailed(gettext_noop("第1版自保障开始之日起生效，不能改动生效日期"), field="effective_from")
        previous = scheme_year.rule_sets.filter(version=rule_set.version - 1).get()
        _check_start(start, after=previous.effective_from, scheme_year=scheme_year)
    rule_set.rules, rule_set.effective_from, rule_set.note = rules, start, note
    rule_set.save(update_fields=["rules", "effective_from", "note", "updated_at"])
    return rule_set


def _next_version(
    staff: StaffScope, frozen: BenefitRuleSet, rules: dict[str, Any], effective_from: date | None, note: str
) -> BenefitRuleSet:
    if effective_from is None:
        raise ValidationFailed(
            gettext_noop("该版本已有按其支付的补助，已冻结；修改将生成新版本，请填写新版本的生效日期"),
            field="effective_from",
        )
    if rules == frozen.rules:
        raise ValidationFailed(gettext_noop("规则没有变化，无需生成新版本"), field="rules")
    tomorrow = today() + timedelta(days=1)
    if effective_from < tomorrow:
        raise ValidationFailed(
            gettext("新版本的生效日期不能早于 %(day)s：已支付的补助仍按原版本计算") % {"day": tomorrow.isoformat()},
            field="effective_from",
        )
    _check_start(effective_from, after=frozen.effective_from, scheme_year=frozen.scheme_year)
    return BenefitRuleSet.objects.create(
        scheme_year=frozen.scheme_year,
        version=frozen.version + 1,
        effective_from=effective_from,
        rules=rules,
        note=note,
        created_by=staff.user,
    )


def _check_start(start: date, *, after: date, scheme_year: SchemeYear) -> None:
    if start <= after:
        raise ValidationFailed(
            gettext("生效日期应晚于上一版本的生效日期 %(day)s") % {"day": after.isoformat()}, field="effective_from"
        )
    if start > scheme_year.coverage_ends_on:
        raise ValidationFailed(
            gettext("生效日期应在保障期内（至 %(day)s）") % {"day": scheme_year.coverage_ends_on.isoformat()},
            field="effective_from",
        )


def rule_set_freeze(*, rule_set: BenefitRuleSet) -> BenefitRuleSet:
    """Called when a claim is paid under this version: from then on it never changes. Taking
    the row's lock, it waits for a change in progress and makes any later one a new version."""
    BenefitRuleSet.objects.filter(pk=rule_set.pk, frozen_at__isnull=True).update(frozen_at=timezone.now())
    rule_set.refresh_from_db(fields=["frozen_at"])
    return rule_set


def contribution_parts(scheme_year: SchemeYear) -> dict[str, Decimal]:
    """Each payer's part of one member's contribution, to the fen. Shares are rounded as
    running totals (union, then union and employer), so the parts add up to the contribution
    and none goes below zero: rounding each share on its own, 50/50/0 of 45.05 would give
    22.53 + 22.53 and ask the member for -0.01."""
    total = scheme_year.contribution
    union = money_share(total, scheme_year.union_share)
    union_and_employer = money_share(total, scheme_year.union_share + scheme_year.employer_share)
    return {Payer.UNION: union, Payer.EMPLOYER: union_and_employer - union, Payer.MEMBER: total - union_and_employer}


def money_share(total: Decimal, percent: Decimal) -> Decimal:
    return round_money(total * percent / HUNDRED)
