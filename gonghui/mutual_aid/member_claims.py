"""Claims a member files for care outside the settlement feed (docs/mutual-aid.md, "Member
claims"): the bill and its invoice photos, valued by the same calculator under the rule
version in force on the admission date against the member's year so far; then the union's
officer checks it and the town federation (or the city) approves it, recomputing it against
the year as it stands then, or either turns it down with a reason (claim_workflow.py).

The reads are here too: a member sees only their own claims, staff those of enrolments in
unions under them; anything else is not found (404)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import partial
from typing import IO, TypeVar

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from gonghui.core import workflow
from gonghui.core.access import MemberScope, Role, Scope
from gonghui.core.errors import Forbidden, NotFound, ValidationFailed
from gonghui.core.models import Decision
from gonghui.core.money import ZERO
from gonghui.mutual_aid import claim_notifications as notifications
from gonghui.mutual_aid.accumulators import enrolment_so_far
from gonghui.mutual_aid.calculator import Accumulated, Benefit, Bill, Reason, VisitType, benefit_compute
from gonghui.mutual_aid.claim_invoices import InvoiceImage, invoice_images_check, invoice_store
from gonghui.mutual_aid.claim_workflow import CLAIM  # noqa: F401  (registers the process)
from gonghui.mutual_aid.models import BenefitRuleSet, Claim, ClaimStatus, Enrolment, MemberClaim, SchemeYear
from gonghui.mutual_aid.selectors import rule_set_in_force

# The calculator's refusals of a whole bill: such a claim is not filed at all, the member is told why.
REFUSALS = {Reason.NOT_COVERED, Reason.WAITING_PERIOD, Reason.INCONSISTENT_BILL}
MEMBERS_ONLY = gettext_noop("只有参保职工本人可以申请补助")
NOT_FOUND = gettext_noop("没有找到该补助申请")
INVOICE_TAKEN = gettext_noop("发票号 %(number)s 已申请过补助，同一张发票不能重复申请")
INVOICE_PATTERN = re.compile(r"^[0-9A-Z-]{6,40}$")
MEMBER_FILED = Q(filed_by__isnull=False)


@dataclass(frozen=True)
class ClaimBill:
    """What the member types from their hospital bill (amounts in yuan, two places)."""

    visit_type: str  # calculator.VisitType
    hospital: str
    admitted_on: date
    discharged_on: date | None
    total_cost: Decimal
    in_policy_self_paid: Decimal  # 政策范围内自付
    out_of_policy_self_paid: Decimal  # 政策外自付
    diagnosis: str
    invoice_number: str
    note: str = ""

    @property
    def fund_paid(self) -> Decimal:
        return self.total_cost - self.in_policy_self_paid - self.out_of_policy_self_paid


def normalise_invoice_number(value: str) -> str:
    return re.sub(r"\s+", "", value or "").upper()


def _bill_check(bill: ClaimBill, today: date) -> None:
    if bill.visit_type not in VisitType.values:
        raise ValidationFailed(gettext_noop("请选择就诊类型"), field="visit_type")
    if not bill.hospital.strip():
        raise ValidationFailed(gettext_noop("请填写医院名称"), field="hospital")
    if bill.admitted_on > today:
        raise ValidationFailed(gettext_noop("入院（就诊）日期不能晚于今天"), field="admitted_on")
    if bill.discharged_on is not None and not bill.admitted_on <= bill.discharged_on <= today:
        raise ValidationFailed(gettext_noop("出院日期应在入院日期之后、今天之前"), field="discharged_on")
    amounts = (bill.total_cost, bill.in_policy_self_paid, bill.out_of_policy_self_paid)
    if any(amount < 0 for amount in amounts):
        raise ValidationFailed(gettext_noop("费用不能为负数"), field="total_cost")
    if bill.fund_paid < 0:
        text = gettext_noop("政策内自付与政策外自付之和不能超过总费用")
        raise ValidationFailed(text, field="in_policy_self_paid")
    if not INVOICE_PATTERN.match(bill.invoice_number):
        raise ValidationFailed(gettext_noop("请填写发票上的发票号码（6至40位数字或字母）"), field="invoice_number")


def _enrolment_on(person_id: int, day: date) -> Enrolment:
    found = (
        Enrolment.objects.filter(person_id=person_id, coverage_from__lte=day, coverage_to__gte=day)
        .select_related("person", "union", "scheme_year")
        .first()
    )
    if found is None:
        text = gettext("%(on)s 您不在职工医疗互助保障的参保期内，不能申请补助") % {"on": day.isoformat()}
        raise ValidationFailed(text, field="admitted_on")
    return found


def _rule_set_on(scheme_year: SchemeYear, day: date) -> BenefitRuleSet:
    rule_set = rule_set_in_force(scheme_year=scheme_year, on=day)
    if rule_set is None:
        raise ValidationFailed(gettext_noop("该日期没有适用的补助规则"), field="admitted_on")
    return rule_set


def _value(claim: Claim, enrolment: Enrolment, rule_set: BenefitRuleSet, so_far: Accumulated) -> Benefit:
    """The claim's bill under `rule_set`, for the member's cover, with the year so far."""
    bill = Bill(
        visit_type=claim.visit_type,
        admitted_on=claim.admitted_on,
        in_policy_self_paid=claim.in_policy_self_paid,
        diagnosis=claim.diagnosis,
        total_cost=claim.total_cost,
    )
    cover = enrolment.cover(waiting_days=claim.scheme_year.waiting_days)
    return benefit_compute(rules=rule_set.parsed(), bill=bill, cover=cover, so_far=so_far)


def _keep(claim: Claim, rule_set: BenefitRuleSet, benefit: Benefit) -> None:
    """The benefit on the claim: amount, reason, explanation, and what it adds to the year."""
    claim.rule_set = rule_set
    claim.amount = benefit.amount
    claim.reason = int(benefit.reason) if benefit.reason is not None else None
    claim.explanation = [step.as_data() for step in benefit.all_steps()]
    adds = benefit.adds
    claim.added_inpatient, claim.added_outpatient = adds.inpatient_paid, adds.outpatient_paid
    claim.added_deductible, claim.added_critical = adds.outpatient_deductible_met, adds.critical_paid


def _refused_whole(benefit: Benefit) -> ValidationFailed | None:
    if benefit.reason not in REFUSALS:
        return None
    field = "in_policy_self_paid" if benefit.reason == Reason.INCONSISTENT_BILL else "admitted_on"
    return ValidationFailed(" ".join(benefit.explanation()), field=field)


def _invoice_taken(number: str) -> bool:
    return Claim.objects.filter(invoice_number=number).exclude(status=ClaimStatus.REJECTED).exists()


def claim_file(*, scope: Scope, bill: ClaimBill, photos: Sequence[IO[bytes]]) -> MemberClaim:
    """The member's claim, submitted for their union's check, with its benefit computed now."""
    if not isinstance(scope, MemberScope):
        raise Forbidden(MEMBERS_ONLY)
    bill = ClaimBill(**{**bill.__dict__, "invoice_number": normalise_invoice_number(bill.invoice_number)})
    _bill_check(bill, timezone.localdate())
    images = invoice_images_check(photos)
    with transaction.atomic():
        enrolment = _enrolment_on(scope.person_id, bill.admitted_on)
        # The year's row, as a settlement run takes it: nothing else values this year's caps meanwhile.
        SchemeYear.objects.select_for_update().filter(pk=enrolment.scheme_year_id).first()
        rule_set = _rule_set_on(enrolment.scheme_year, bill.admitted_on)
        claim = _new_claim(scope, enrolment, bill)
        benefit = _value(claim, enrolment, rule_set, enrolment_so_far(enrolment.pk))
        if (refusal := _refused_whole(benefit)) is not None:
            raise refusal
        _keep(claim, rule_set, benefit)
        claim.filed_amount = claim.amount
        if _invoice_taken(bill.invoice_number):
            raise ValidationFailed(gettext(INVOICE_TAKEN) % {"number": bill.invoice_number}, field="invoice_number")
        return workflow.start(claim, "file", scope=scope, create=partial(_create, images=images))


def _new_claim(scope: MemberScope, enrolment: Enrolment, bill: ClaimBill) -> MemberClaim:
    return MemberClaim(
        enrolment=enrolment,
        person=enrolment.person,
        scheme_year=enrolment.scheme_year,
        visit_type=bill.visit_type,
        hospital=bill.hospital.strip()[:100],
        diagnosis=bill.diagnosis.strip().upper()[:40],
        admitted_on=bill.admitted_on,
        discharged_on=bill.discharged_on,
        total_cost=bill.total_cost,
        fund_paid=bill.fund_paid,
        in_policy_self_paid=bill.in_policy_self_paid,
        out_of_policy_self_paid=bill.out_of_policy_self_paid,
        invoice_number=bill.invoice_number,
        note=bill.note.strip()[:200],
        filed_by=scope.user,
        status=ClaimStatus.SUBMITTED,
        amount=ZERO,
    )


def _create(claim: MemberClaim, *, images: list[InvoiceImage]) -> MemberClaim:
    try:
        with transaction.atomic():  # a savepoint: the other filing of the same invoice won the race
            claim.save()
    except IntegrityError as exc:
        number = claim.invoice_number
        raise ValidationFailed(gettext(INVOICE_TAKEN) % {"number": number}, field="invoice_number") from exc
    for image in images:
        invoice_store(claim, image)
    notifications.claim_filed(claim)
    return claim


# --- the decisions --------------------------------------------------------------------------


def _as_member_claim(claim: Claim) -> MemberClaim:
    """The claim as the process's model (claim_workflow.py): the proxy of the same row."""
    return claim if isinstance(claim, MemberClaim) else MemberClaim.objects.get(pk=claim.pk)


def claim_check(*, scope: Scope, claim: Claim) -> Claim:
    """The union's officer has checked the bill against the invoices: on to the town."""

    def checked(locked: Claim) -> None:
        locked.status = ClaimStatus.CHECKED
        locked.save(update_fields=["status", "updated_at"])
        notifications.claim_checked(locked)

    return workflow.decide(_as_member_claim(claim), "check", scope=scope, change=checked)


@dataclass(frozen=True)
class Approval:
    claim: Claim
    changed: bool  # the amount differs from the one computed when the claim was filed
    before: Decimal


@transaction.atomic
def claim_approve(*, scope: Scope, claim: Claim) -> Approval:
    """Approved, valued again against the member's year as it stands now (claims approved
    or fed in since filing may have used the annual caps); nothing paid means refused."""
    seen: list[Approval] = []

    def approved(locked: Claim) -> None:
        before = locked.amount
        rule_set = _rule_set_on(locked.scheme_year, locked.admitted_on)
        so_far = enrolment_so_far(locked.enrolment_id, leaving_out=locked.pk)
        _keep(locked, rule_set, _value(locked, locked.enrolment, rule_set, so_far))
        locked.status = ClaimStatus.APPROVED if locked.amount > 0 else ClaimStatus.REFUSED
        locked.save()
        changed = locked.amount != (locked.filed_amount if locked.filed_amount is not None else before)
        notifications.claim_approved(locked, changed=changed)
        seen.append(Approval(claim=locked, changed=changed, before=before))

    workflow.decide(_as_member_claim(claim), "approve", scope=scope, change=approved)
    return seen[0]


def claim_reject(*, scope: Scope, claim: Claim, reason: str) -> Claim:
    """Turned down, with the reason the member reads: it counts for nothing in their year."""
    reason = " ".join((reason or "").split())[:200]

    def rejected(locked: Claim) -> None:
        locked.status = ClaimStatus.REJECTED
        locked.save(update_fields=["status", "updated_at"])
        notifications.claim_rejected(locked, reason=reason)

    return workflow.decide(_as_member_claim(claim), "reject", scope=scope, reason=reason, change=rejected)


# --- reads ----------------------------------------------------------------------------------


C = TypeVar("C", bound=Claim)


def _related(claims: QuerySet[C]) -> QuerySet[C]:
    return claims.select_related("person", "enrolment__union", "scheme_year", "rule_set", "filed_by")


def my_claims(*, scope: Scope) -> QuerySet[Claim]:
    """The member's own claims, from the settlement feed and filed, newest care first."""
    if not isinstance(scope, MemberScope):
        raise Forbidden(gettext_noop("仅限会员本人查看"))
    return _related(Claim.objects.filter(person_id=scope.person_id)).order_by("-admitted_on", "-pk")


def claim_queue(*, scope: Scope, status: str | None = None) -> QuerySet[MemberClaim]:
    """Filed claims of enrolments in unions under the viewer, oldest first (first come, first served)."""
    staff = scope.require_staff()
    claims = MemberClaim.objects.filter(MEMBER_FILED, staff.organisation_q("enrolment__union__"))
    if status:
        claims = claims.filter(status=status)
    return _related(claims).order_by("created_at", "pk")


def waiting_status(scope: Scope) -> str:
    """What waits for this viewer: a union officer checks, the town and the city approve."""
    return ClaimStatus.SUBMITTED if scope.role == Role.UNION else ClaimStatus.CHECKED


def claim_get(*, scope: Scope, claim_id: int) -> MemberClaim:
    """One claim the viewer may see: a member's own, or one in the staff's unions."""
    if isinstance(scope, MemberScope):
        claims = MemberClaim.objects.filter(person_id=scope.person_id)
    else:
        claims = MemberClaim.objects.filter(scope.organisation_q("enrolment__union__"))
    found = _related(claims).filter(pk=claim_id).first()
    if found is None:
        raise NotFound(NOT_FOUND, field="claim")
    return found


QUEUE_STATUSES = (
    ClaimStatus.SUBMITTED,
    ClaimStatus.CHECKED,
    ClaimStatus.APPROVED,
    ClaimStatus.REFUSED,
    ClaimStatus.REJECTED,
)
# Each step in plain words, by the state it led to.
DECIDED: dict[str, str] = {
    ClaimStatus.SUBMITTED: gettext_noop("提交申请"),
    ClaimStatus.CHECKED: gettext_noop("工会审核通过"),
    ClaimStatus.APPROVED: gettext_noop("审批通过"),
    ClaimStatus.REFUSED: gettext_noop("审批：按规则补助为零"),
    ClaimStatus.REJECTED: gettext_noop("退回申请"),
}


@dataclass(frozen=True)
class DecisionLine:
    when: datetime
    who: str
    what: str
    reason: str


def decision_lines(claim: Claim) -> list[DecisionLine]:
    """Who decided what on the claim, when and why, oldest first, in the reader's language:
    the member as themself, staff by their organisation."""
    decisions = workflow.decisions_of(claim).select_related("decided_by__account__organisation")
    return [
        DecisionLine(
            when=timezone.localtime(decision.decided_at),
            who=_decider(decision),
            what=gettext(DECIDED.get(decision.to_state, decision.step)),
            reason=decision.reason,
        )
        for decision in decisions
    ]


def _decider(decision: Decision) -> str:
    account = getattr(decision.decided_by, "account", None)
    if decision.decided_as == Role.MEMBER:
        return gettext("申请人本人")
    if account is not None and account.organisation is not None:
        return account.organisation.name
    return gettext("系统")


def reason_label(claim: Claim) -> str:
    """Why nothing is paid, in words, with its number (calculator.Reason)."""
    if claim.reason is None or claim.amount > 0:
        return ""
    try:
        return f"{claim.reason}. {Reason(claim.reason).label}"
    except ValueError:
        return str(claim.reason)


def diagnosis_codes(*, scope: Scope) -> list[tuple[str, str]]:
    """The codes a member may pick for their diagnosis: the chronic diseases and critical
    illnesses listed in the rules of the years they are enrolled in."""
    if not isinstance(scope, MemberScope):
        return []
    rules = BenefitRuleSet.objects.filter(scheme_year__enrolments__person_id=scope.person_id).values_list(
        "rules", flat=True
    )
    chronic: set[str] = set()
    critical: set[str] = set()
    for document in rules:
        chronic |= set((document.get("special_outpatient") or {}).get("diseases") or [])
        critical |= set((document.get("critical_illness") or {}).get("diseases") or [])
    return [(code, gettext("门诊特殊病") + f" {code}") for code in sorted(chronic)] + [
        (code, gettext("重大疾病") + f" {code}") for code in sorted(critical - chronic)
    ]
