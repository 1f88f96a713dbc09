"""Medical mutual aid in a member's data download (core/personal_data.py): every enrolment
and every claim of theirs, whichever union holds it, with amounts and status. It is the
member's own data, so nothing is masked or scoped."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gonghui.core.money import ZERO
from gonghui.core.personal_data import PersonalData, row
from gonghui.mutual_aid.figures import visit_type_label
from gonghui.mutual_aid.models import Claim, Enrolment


def enrolments_part(person: Any) -> list[dict[str, Any]]:
    enrolments = Enrolment.objects.filter(person=person).select_related("scheme_year", "union", "employer")
    return [
        row(
            year=e.scheme_year.year,
            union=e.union.name,
            employer=e.employer.name if e.employer else "",
            enrolled_on=e.enrolled_on,
            coverage_from=e.coverage_from,
            coverage_to=e.coverage_to,
            first_time=e.first_time,
            payment_status=gettext(e.get_payment_status_display()),
            paid_on=e.paid_on,
        )
        for e in enrolments.order_by("scheme_year__year", "pk")
    ]


def claims_part(person: Any) -> list[dict[str, Any]]:
    claims = Claim.objects.filter(person=person).select_related("scheme_year").prefetch_related("adjustments")
    return [
        row(
            year=c.scheme_year.year,
            settlement_number=c.settlement_number or "",
            hospital=c.hospital,
            visit_type=visit_type_label(c.visit_type),
            diagnosis=c.diagnosis,
            admitted_on=c.admitted_on,
            discharged_on=c.discharged_on,
            total_cost=str(c.total_cost),
            in_policy_self_paid=str(c.in_policy_self_paid),
            amount=str(c.amount),
            adjustments=str(sum((a.amount for a in c.adjustments.all()), ZERO)),
            status=gettext(c.get_status_display()),
            paid_on=c.paid_on,
            explanation="；".join(c.explanation_lines()),
        )
        for c in claims.order_by("admitted_on", "pk")
    ]


ENROLMENT_COLUMNS = {
    "year": _("年度"),
    "union": _("参保工会"),
    "employer": _("工作单位"),
    "enrolled_on": _("参保日期"),
    "coverage_from": _("保障起始"),
    "coverage_to": _("保障截止"),
    "first_time": _("首次参保"),
    "payment_status": _("缴费状态"),
    "paid_on": _("缴费日期"),
}
CLAIM_COLUMNS = {
    "year": _("年度"),
    "settlement_number": _("结算单号"),
    "hospital": _("医院"),
    "visit_type": _("就诊类型"),
    "diagnosis": _("诊断编码"),
    "admitted_on": _("入院日期"),
    "discharged_on": _("出院日期"),
    "total_cost": _("总费用"),
    "in_policy_self_paid": _("政策内自付"),
    "amount": _("补助金额"),
    "adjustments": _("冲销调整"),
    "status": _("状态"),
    "paid_on": _("支付日期"),
    "explanation": _("计算过程"),
}

PARTS = (
    PersonalData("mutual_aid_enrolments", _("医疗互助参保"), enrolments_part, order=50, columns=ENROLMENT_COLUMNS),
    PersonalData("mutual_aid_claims", _("医疗互助补助"), claims_part, order=51, columns=CLAIM_COLUMNS),
)
