"""Report figures of medical mutual aid (职工医疗互助保障): enrolments (person-times), claims
paid and the amount paid, each by year, town and union, with the records behind it. The
definitions are in docs/mutual-aid.md ("Figures").

- An enrolment counts in the period that holds its scheme year's coverage start (a year's
  enrolments are one number, wherever in the year a late joiner's cover begins), and at
  the union that holds it now (an enrolment follows its member across a transfer).
- A claim counts as paid on the bank's day (`paid_on`), at the union of its enrolment.
- The amount paid is the paid claims' own amounts; an insurer's later correction is a
  ClaimAdjustment with its own money movement and is not netted here."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, QuerySet, Sum
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gonghui.core.figures import Aggregated, Column, Figure, FigureValue, Period
from gonghui.core.masking import mask_id_number
from gonghui.core.money import ZERO
from gonghui.core.tree import subtree_q
from gonghui.mutual_aid.calculator import VisitType
from gonghui.mutual_aid.models import Claim, ClaimStatus, Enrolment
from gonghui.organisations.figures import yes_no

PROGRAMME = _("职工医疗互助保障")


def enrolments(path: str, period: Period) -> QuerySet[Enrolment]:
    """Enrolments of the scheme years whose coverage starts in the period, in the subtree."""
    return (
        Enrolment.objects.filter(
            subtree_q(path, via="union__"),
            scheme_year__coverage_starts_on__gte=period.start,
            scheme_year__coverage_starts_on__lte=period.end,
        )
        .select_related("person", "union", "employer", "scheme_year")
        .order_by("scheme_year__year", "union__path", "pk")
    )


def claims_paid(path: str, period: Period) -> QuerySet[Claim]:
    """Claims paid (status paid) on a day in the period, at their enrolment's union."""
    return (
        Claim.objects.filter(
            subtree_q(path, via="enrolment__union__"),
            status=ClaimStatus.PAID,
            paid_on__gte=period.start,
            paid_on__lte=period.end,
        )
        .select_related("person", "enrolment__union", "scheme_year")
        .order_by("paid_on", "pk")
    )


def _counted(per_day: list[tuple[date, int]], periods: Sequence[Period]) -> list[FigureValue]:
    return [sum(n for day, n in per_day if p.start <= day <= p.end) for p in periods]


def _summed(per_day: list[tuple[date, Decimal | None]], periods: Sequence[Period]) -> list[FigureValue]:
    return [_money(sum((v or ZERO for day, v in per_day if p.start <= day <= p.end), ZERO)) for p in periods]


def _span(periods: Sequence[Period]) -> Period:
    return Period(min(p.start for p in periods), max(p.end for p in periods))


def enrolments_series(path: str, periods: Sequence[Period]) -> list[FigureValue]:
    """Enrolments in each period, from one count per scheme year over them all."""
    if not periods:
        return []
    per_year = (
        enrolments(path, _span(periods))
        .order_by()
        .values_list("scheme_year__coverage_starts_on")
        .annotate(n=Count("pk"))
    )
    return _counted(list(per_year), periods)


def _paid_per_day(path: str, periods: Sequence[Period], aggregate: Count | Sum) -> list[tuple[date, Any]]:
    rows = claims_paid(path, _span(periods)).order_by().values_list("paid_on").annotate(v=aggregate)
    return list(rows)


def claims_paid_series(path: str, periods: Sequence[Period]) -> list[FigureValue]:
    if not periods:
        return []
    return _counted(_paid_per_day(path, periods, Count("pk")), periods)


def amount_paid_series(path: str, periods: Sequence[Period]) -> list[FigureValue]:
    if not periods:
        return []
    return _summed(_paid_per_day(path, periods, Sum("amount")), periods)


def _money(total: Decimal | int | None) -> Decimal:
    return Decimal(total or 0).quantize(Decimal("0.01"))


def _person_link(record: Enrolment | Claim) -> str:
    return reverse("members:detail", args=[record.person_id])


ENROLMENT_COLUMNS = (
    Column(_("姓名"), lambda e: e.person.name, link=_person_link),
    Column(_("身份证号"), lambda e: mask_id_number(e.person.id_number)),
    Column(_("年度"), lambda e: e.scheme_year.year),
    Column(_("参保工会"), lambda e: e.union.name),
    Column(_("工作单位"), lambda e: e.employer.name if e.employer else ""),
    Column(_("保障起始"), lambda e: e.coverage_from),
    Column(_("保障截止"), lambda e: e.coverage_to),
    Column(_("首次参保"), lambda e: yes_no(e.first_time)),
    Column(_("缴费状态"), lambda e: gettext(e.get_payment_status_display())),
)

CLAIM_COLUMNS = (
    Column(_("姓名"), lambda c: c.person.name, link=_person_link),
    Column(_("身份证号"), lambda c: mask_id_number(c.person.id_number)),
    Column(_("参保工会"), lambda c: c.enrolment.union.name),
    Column(_("结算单号"), lambda c: c.settlement_number or ""),
    Column(_("就诊类型"), lambda c: visit_type_label(c.visit_type)),
    Column(_("入院日期"), lambda c: c.admitted_on),
    Column(_("补助金额"), lambda c: c.amount),
    Column(_("支付日期"), lambda c: c.paid_on),
)


def visit_type_label(value: str) -> str:
    return str(VisitType(value).label) if value in VisitType.values else value


# Registered in this app's contributions.py.
FIGURES = (
    Figure(
        name="mutual_aid.enrolments",
        label=_("互助保障参保人次"),
        programme=PROGRAMME,
        unit=_("人次"),
        description=_("保障期始于期间内的各年度互助保障参保记录，一人参保一年计一人次；按参保工会统计"),
        records=enrolments,
        tree_field="union__path",
        series=enrolments_series,
        columns=ENROLMENT_COLUMNS,
        order=150,
    ),
    Figure(
        name="mutual_aid.claims_paid",
        label=_("互助补助人次"),
        programme=PROGRAMME,
        unit=_("人次"),
        description=_("期间内支付（以银行支付日期计）的互助保障补助笔数；按参保工会统计"),
        records=claims_paid,
        tree_field="enrolment__union__path",
        series=claims_paid_series,
        columns=CLAIM_COLUMNS,
        order=160,
    ),
    Figure(
        name="mutual_aid.amount_paid",
        label=_("互助补助金额"),
        programme=PROGRAMME,
        unit=_("元"),
        description=_("期间内支付的互助保障补助金额合计（各笔补助的核定金额，结算冲销调整另计）；按参保工会统计"),
        records=claims_paid,
        tree_field="enrolment__union__path",
        value=Aggregated({"total": Sum("amount")}, lambda a: _money(a["total"])),
        series=amount_paid_series,
        columns=CLAIM_COLUMNS,
        order=170,
    ),
)
