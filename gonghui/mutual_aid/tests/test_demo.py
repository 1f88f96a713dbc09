"""The mutual-aid demo at test scale: the scheme years and their rules, enrolments at the
seed's pace, and settlement feeds adjudicated into real batches, claims, corrections and
listed records, sized to the seed's claims paid and amount."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, Sum

from gonghui.core.figures import Period, get_figure
from gonghui.mutual_aid.calculator import Reason
from gonghui.mutual_aid.models import (
    BatchStatus,
    Claim,
    ClaimAdjustment,
    ClaimStatus,
    Enrolment,
    SchemeYear,
    SettlementBatch,
    SettlementRecordIssue,
)
from gonghui.organisations.models import Organisation

REVIEW = Period(date(2021, 1, 1), date(2025, 12, 31))
SCALE = 0.01


@pytest.fixture(autouse=True)
def quick_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo(db) -> str:
    out = StringIO()
    call_command("seed_demo", "--scale", str(SCALE), "--as-of", "2026-06-30", stdout=out)
    return out.getvalue()


def test_scheme_years_enrolments_and_feeds_follow_the_seed(demo):
    root = Organisation.objects.get(depth=1)
    years = list(SchemeYear.objects.filter(federation=root).order_by("year"))
    assert [y.year for y in years] == [2021, 2022, 2023, 2024, 2025, 2026]
    assert all(y.rule_sets.get().parsed() for y in years)  # valid rules, one version each
    assert years[-1].payer == "split" and years[0].contribution == Decimal("50.00")
    enrolments = get_figure("mutual_aid.enrolments").compute(root.path, REVIEW)
    assert isinstance(enrolments, int) and abs(enrolments - 406_100 * SCALE) < 0.08 * 406_100 * SCALE
    assert Enrolment.objects.filter(first_time=True, scheme_year__year=2023).exists()
    assert Enrolment.objects.filter(coverage_from__gt=date(2023, 1, 1), scheme_year__year=2023).exists()  # late joiners

    batches = SettlementBatch.objects.all()
    assert batches.count() >= 60 and set(batches.values_list("status", flat=True)) == {BatchStatus.DONE}
    positive = Claim.objects.filter(amount__gt=0, scheme_year__year__lte=2025)
    total = positive.aggregate(total=Sum("amount"))["total"]
    # The seed's 9,557 claims and CNY 14,196,100, scaled; a small city is a noisy sample.
    assert 9_557 * SCALE * 0.6 < positive.count() < 9_557 * SCALE * 1.4
    assert 14_196_100 * SCALE * 0.5 < total < 14_196_100 * SCALE * 1.5
    # The review step approved every batch; nothing the rules pay waits for review.
    assert not Claim.objects.filter(status=ClaimStatus.PENDING_REVIEW).exists()
    assert set(positive.values_list("status", flat=True)) <= {ClaimStatus.APPROVED, ClaimStatus.PAID}
    # Paid month by month up to the demo's date: all but the few held back (a refund above
    # the benefit) of what was settled by the end of May is paid on 15 June at the latest.
    due = Claim.objects.filter(amount__gt=0, settled_on__lte=date(2026, 5, 31))
    assert due.filter(status=ClaimStatus.PAID).count() >= 0.97 * due.count()
    assert not Claim.objects.filter(status=ClaimStatus.PAID, paid_on__gt=date(2026, 6, 30)).exists()
    reasons = set(SettlementRecordIssue.objects.values_list("reason", flat=True))
    assert {Reason.NOT_COVERED, Reason.WAITING_PERIOD} <= reasons
    assert ClaimAdjustment.objects.exists()
    refused = dict(Claim.objects.filter(status=ClaimStatus.REFUSED).values_list("reason").annotate(n=Count("pk")))
    assert refused.get(Reason.BELOW_DEDUCTIBLE, 0) > 0
    assert "互助保障参保" in demo and "互助保障参保人次" in demo
