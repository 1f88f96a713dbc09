"""Demo data: the unions' payments of the demo enrolments (registered as the demo
contribution "mutual_aid.contributions", order 41, after the figures' enrolments at 40).
One payment per union and year, a few weeks after its last enrolment; in the year still
being enrolled for, some unions have not paid yet. Written in bulk: the payments at once, the
enrolments by one UPDATE a year, and the ledger entries by one ledger_post_many, so ~1,700
unions x 6 years take seconds."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, Max, OuterRef, Subquery

from gonghui.core.demo import DemoContext, DemoContribution, DemoCount
from gonghui.core.ledger import ledger_post_many
from gonghui.mutual_aid.contributions_paid import payment_draft, payment_of, scheme_accounts
from gonghui.mutual_aid.models import Enrolment, EnrolmentPayment, PaymentStatus, SchemeYear

UNPAID_SHARE = 0.08  # of unions that have not paid yet for a year whose window is still open
PAID_WITHIN_DAYS = 45


def payments_demo(ctx: DemoContext) -> None:
    city = ctx.city.node.org
    years = SchemeYear.objects.filter(federation=city).select_related("federation").order_by("year")
    made = 0
    for scheme_year in years:
        made += _pay_year(ctx, scheme_year)
    ctx.log(f"mutual aid: {made} contribution payments")


def _pay_year(ctx: DemoContext, scheme_year: SchemeYear) -> int:
    groups = (
        Enrolment.objects.filter(scheme_year=scheme_year, payment__isnull=True)
        .values("union_id")
        .annotate(count=Count("pk"), last=Max("enrolled_on"), paid=Max("paid_on"))
        .order_by("union_id")
    )
    window_open = ctx.as_of <= scheme_year.enrolment_closes_on
    payments = []
    for group in groups:
        if window_open and ctx.chance(UNPAID_SHARE):
            continue
        paid_on = group["paid"] or ctx.day(group["last"], min(group["last"] + timedelta(PAID_WITHIN_DAYS), ctx.as_of))
        reference, key = f"HK{paid_on:%Y%m%d}{group['union_id']:06d}", f"demo:{scheme_year.pk}:{group['union_id']}"
        payments.append(
            payment_of(scheme_year, group["union_id"], group["count"], paid_on=paid_on, reference=reference, key=key)
        )
    EnrolmentPayment.objects.bulk_create(payments, batch_size=2000)
    _enrolments_paid(scheme_year, [payment.union_id for payment in payments])
    accounts = scheme_accounts(scheme_year)
    drafts = [draft for payment in payments if (draft := payment_draft(payment, scheme_year, accounts)) is not None]
    ledger_post_many(drafts=drafts)
    return len(payments)


def _enrolments_paid(scheme_year: SchemeYear, unions: list[int]) -> None:
    """Point the year's unpaid enrolments at their union's demo payment, in one UPDATE a
    year. The demo writes no history rows for this step (the history starts at enrolment)."""
    mine = EnrolmentPayment.objects.filter(
        scheme_year=scheme_year, union_id=OuterRef("union_id"), request_key__startswith="demo:"
    )
    Enrolment.objects.filter(scheme_year=scheme_year, payment__isnull=True, union_id__in=unions).update(
        payment_id=Subquery(mine.values("pk")[:1]),
        paid_on=Subquery(mine.values("paid_on")[:1]),
        payment_status=PaymentStatus.PAID,
    )


CONTRIBUTION = DemoContribution(
    key="mutual_aid.contributions",
    each_city=payments_demo,
    counts=(DemoCount("mutual_aid.payments_in", "互助金缴费", lambda: EnrolmentPayment.objects.count(), order=41),),
    order=41,
)
