"""Which claims count towards a member's year (the calculator's `so_far`): every claim and
adjustment except those a reviewer rejected, and a rejected claim's adjustments with it.
A claim the rules valued at nothing (status refused) still counts: what it adds to the
year (an annual deductible met) is real. One rule for the settlement run, member claims
and the review pages, so a later claim is never valued against a year that leaves out or
counts twice what the member already had."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Q, Sum

from gonghui.mutual_aid.calculator import Accumulated
from gonghui.mutual_aid.models import Claim, ClaimAdjustment, ClaimStatus

ADDED = ("added_inpatient", "added_outpatient", "added_deductible", "added_critical")
CLAIM_COUNTS = ~Q(status=ClaimStatus.REJECTED)
ADJUSTMENT_COUNTS = ~Q(status=ClaimStatus.REJECTED) & ~Q(claim__status=ClaimStatus.REJECTED)


def sum_row(row: dict[str, Any]) -> Accumulated:
    return Accumulated(*(Decimal(row[name] or 0).quantize(Decimal("0.01")) for name in ADDED))


def enrolment_so_far(enrolment_id: int, *, leaving_out: int | None = None) -> Accumulated:
    """One enrolment's year so far (a claim being revalued left out)."""
    sums = {name: Sum(name) for name in ADDED}
    claims = Claim.objects.filter(CLAIM_COUNTS, enrolment_id=enrolment_id)
    adjustments = ClaimAdjustment.objects.filter(ADJUSTMENT_COUNTS, claim__enrolment_id=enrolment_id)
    if leaving_out is not None:
        claims = claims.exclude(pk=leaving_out)
        adjustments = adjustments.exclude(claim_id=leaving_out)
    return sum_row(claims.aggregate(**sums)) + sum_row(adjustments.aggregate(**sums))
