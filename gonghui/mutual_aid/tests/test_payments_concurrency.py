"""Twenty requests to pay one claim at the same moment, twenty times over: each round ends
with exactly one ledger entry for the claim and the claim paid once. On PostgreSQL only:
SQLite takes its one write lock at the start of every transaction (config/settings.py), so
there requests never overlap and the test would prove nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from gonghui.core.ledger import fund_balance
from gonghui.core.ledger_models import LedgerEntry
from gonghui.mutual_aid import payments
from gonghui.mutual_aid.funds import scheme_pool
from gonghui.mutual_aid.models import ClaimStatus, PaymentBatch, PaymentBatchStatus
from gonghui.mutual_aid.tests.helpers import make_scheme
from gonghui.mutual_aid.tests.payment_helpers import approved_claim, enrol, fund_pool, give_account
from gonghui.testing import build_federation, run_together

THREADS, ROUNDS = 20, 20


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_twenty_requests_to_pay_one_claim_at_once_pay_it_once_every_time() -> None:
    fed = build_federation()
    scheme = make_scheme(fed)
    fund_pool(fed.city, "1000000.00")
    give_account(fed.member_a1)
    enrolment = enrol(scheme, fed.member_a1)
    scope = fed.scope(fed.city_staff)
    for round_ in range(ROUNDS):
        claim = approved_claim(enrolment, "1000.00")
        batch = payments.payment_batch_create(scope=scope)
        reference = f"ICBC20260615{round_:05d}"

        def pay(_n: int, batch: PaymentBatch = batch, reference: str = reference) -> object:
            return payments.payment_batch_mark_paid(
                scope=scope, batch=batch, bank_reference=reference, paid_on=date(2026, 6, 15)
            )

        results = run_together(THREADS, pay)
        assert all(isinstance(r, PaymentBatch) for r in results), results
        entries = LedgerEntry.objects.filter(source_type="mutual_aid.claim", source_id=str(claim.pk), purpose="paid")
        assert entries.count() == 1
        claim.refresh_from_db()
        batch.refresh_from_db()
        assert (claim.status, claim.paid_on, batch.status) == (
            ClaimStatus.PAID,
            date(2026, 6, 15),
            PaymentBatchStatus.PAID,
        )
    assert LedgerEntry.objects.filter(purpose="paid").count() == ROUNDS
    assert fund_balance(scheme_pool(fed.city)) == Decimal("1000000.00") - ROUNDS * Decimal("1000.00")


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_twenty_batches_made_at_once_hold_a_claim_once() -> None:
    fed = build_federation()
    scheme = make_scheme(fed)
    give_account(fed.member_a1)
    claim = approved_claim(enrol(scheme, fed.member_a1), "1000.00")
    scope = fed.scope(fed.city_staff)
    results = run_together(THREADS, lambda _n: payments.payment_batch_create(scope=scope))
    made = [r for r in results if isinstance(r, PaymentBatch)]
    assert len(made) == 1, results
    assert claim.payment_lines.filter(live=True).count() == 1
