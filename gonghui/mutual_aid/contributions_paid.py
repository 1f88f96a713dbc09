"""A union's payment of its members' contributions for a year (EnrolmentPayment): the unpaid
enrolments it pays become paid on the payment's day, and the money is posted to the ledger
in the same transaction, one entry per payment, from the scheme's outside fund into its pool
(funds.py). The form carries a one-time key (`request_key`, unique), so a doubled request
finds the payment already recorded and changes nothing; the enrolments' rows are locked and
each points at one payment at most, so two different requests never pay one enrolment twice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext, gettext_noop
from simple_history.utils import bulk_update_with_history

from gonghui.core.access import Scope
from gonghui.core.errors import Conflict, ValidationFailed
from gonghui.core.ledger import Draft, Leg, Source, ledger_post_many
from gonghui.core.ledger_models import Fund
from gonghui.core.tree import STEPLEN
from gonghui.mutual_aid import funds, services
from gonghui.mutual_aid.models import Enrolment, EnrolmentPayment, Payer, PaymentStatus, SchemeYear
from gonghui.organisations.models import Organisation

PURPOSE = "contribution"


@dataclass(frozen=True)
class Due:
    """What `count` enrolments cost, and each payer's part (services.contribution_parts)."""

    count: int
    union: Decimal
    employer: Decimal
    member: Decimal

    @property
    def amount(self) -> Decimal:
        return self.union + self.employer + self.member


def due_for(scheme_year: SchemeYear, count: int) -> Due:
    parts = services.contribution_parts(scheme_year)
    return Due(count, parts[Payer.UNION] * count, parts[Payer.EMPLOYER] * count, parts[Payer.MEMBER] * count)


def unpaid(*, scheme_year: SchemeYear, union: Organisation) -> QuerySet[Enrolment]:
    return Enrolment.objects.filter(scheme_year=scheme_year, union=union, payment__isnull=True)


@transaction.atomic
def enrolment_payment_record(
    *,
    scope: Scope,
    scheme_year: SchemeYear,
    union: Organisation,
    paid_on: date,
    reference: str,
    request_key: str,
    enrolment_ids: list[int] | None = None,
    expected_count: int | None = None,
) -> EnrolmentPayment:
    """Record that `union` paid for its unpaid enrolments of the year (or those of
    `enrolment_ids`). `expected_count` is how many the officer saw: if the list changed
    meanwhile, nothing is recorded and they are asked to look again."""
    scope.require_covers(union, field="union")
    key = request_key.strip()
    if not key or len(key) > 40:
        raise ValidationFailed(gettext_noop("请求已过期，请刷新页面后重试"), field="request_key")
    done = EnrolmentPayment.objects.filter(request_key=key).first()
    if done is not None:
        return _same_request(done, scheme_year, union)
    reference = " ".join(reference.split())
    _check(scheme_year, union, paid_on, reference)
    rows = unpaid(scheme_year=scheme_year, union=union).select_for_update().order_by("pk")
    if enrolment_ids is not None:
        rows = rows.filter(pk__in=enrolment_ids)
    paying = list(rows)
    if not paying:
        raise ValidationFailed(gettext_noop("没有待缴费的参保人员"), field="enrolments")
    if expected_count is not None and expected_count != len(paying):
        raise Conflict(
            gettext("待缴费人数已变为 %(count)s 人，请核对后重新提交") % {"count": len(paying)}, field="enrolments"
        )
    by = scope.user if getattr(scope.user, "is_authenticated", False) else None
    payment = payment_of(scheme_year, union.pk, len(paying), paid_on=paid_on, reference=reference, key=key, by=by)
    try:
        with transaction.atomic():
            payment.save()
    except IntegrityError:  # the same request, recorded by its twin since we looked
        return _same_request(EnrolmentPayment.objects.get(request_key=key), scheme_year, union)
    for enrolment in paying:
        enrolment.payment, enrolment.payment_status, enrolment.paid_on = payment, PaymentStatus.PAID, paid_on
    bulk_update_with_history(
        paying, Enrolment, ["payment", "payment_status", "paid_on"], default_change_reason="缴纳互助金"
    )
    draft = payment_draft(payment, scheme_year)
    if draft is not None:
        ledger_post_many(drafts=[draft], by=payment.recorded_by)
    return payment


def _same_request(done: EnrolmentPayment, scheme_year: SchemeYear, union: Organisation) -> EnrolmentPayment:
    if (done.scheme_year_id, done.union_id) != (scheme_year.pk, union.pk):
        raise Conflict(gettext_noop("请求已过期，请刷新页面后重试"), field="request_key")
    return done


def _check(scheme_year: SchemeYear, union: Organisation, paid_on: date, reference: str) -> None:
    if union.path[:STEPLEN] != scheme_year.federation.path:
        raise ValidationFailed(gettext_noop("该工会不属于本年度互助保障的市总工会"), field="union")
    if paid_on > services.today():
        raise ValidationFailed(gettext_noop("缴费日期不能晚于今天"), field="paid_on")
    if not reference or len(reference) > 60:
        raise ValidationFailed(gettext_noop("请填写缴费凭证号（最多60个字符）"), field="reference")


def payment_draft(
    payment: EnrolmentPayment, scheme_year: SchemeYear, accounts: tuple[Fund, Fund] | None = None
) -> Draft | None:
    """The payment's ledger entry: outside -> the scheme's pool (none for a free scheme).
    `accounts` (outside, pool) saves looking the funds up again for each of many payments."""
    if payment.amount == 0:
        return None
    outside, pool = accounts or scheme_accounts(scheme_year)
    legs = (Leg(outside, -payment.amount), Leg(pool, payment.amount))
    description = f"{scheme_year.year}年度互助金 {payment.count}人 {payment.reference}"[:200]
    return Draft(source=Source.of(payment, PURPOSE), legs=legs, description=description, posted_on=payment.paid_on)


def scheme_accounts(scheme_year: SchemeYear) -> tuple[Fund, Fund]:
    federation = scheme_year.federation
    return funds.scheme_outside(federation), funds.scheme_pool(federation)


def payment_of(
    scheme_year: SchemeYear, union_id: int, count: int, *, paid_on: date, reference: str, key: str, by: Any = None
) -> EnrolmentPayment:
    """A union's payment for `count` enrolments (unsaved), the contribution split by payer."""
    due = due_for(scheme_year, count)
    return EnrolmentPayment(
        union_id=union_id,
        scheme_year=scheme_year,
        count=due.count,
        amount=due.amount,
        union_part=due.union,
        employer_part=due.employer,
        member_part=due.member,
        payer=scheme_year.payer,
        paid_on=paid_on,
        reference=reference,
        request_key=key,
        recorded_by=by,
    )
