"""Member claims under real concurrency (PostgreSQL): the same invoice filed from two phones
at once, and a checked claim approved by several staff at once, each taken exactly once."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from decimal import Decimal
from functools import partial

import pytest
from django.db import connections

from gonghui.core.errors import ServiceError
from gonghui.core.models import Decision
from gonghui.mutual_aid import member_claims as claims
from gonghui.mutual_aid.models import Claim, ClaimInvoice, ClaimStatus
from gonghui.mutual_aid.tests.claim_helpers import bill, photo, scheme_with_member
from gonghui.testing import Federation

ROUNDS = 5
AT_ONCE = 6


def _all_at_once(work: Sequence[Callable[[], object]]) -> tuple[int, list[BaseException]]:
    """Run the calls together; how many were refused by a service, and anything else raised."""
    refused, errors, barrier = [], [], threading.Barrier(len(work))

    def run(call: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=30)
            call()
        except ServiceError:
            refused.append(1)  # the loser of the race, told why
        except BaseException as err:  # noqa: BLE001 - collected and asserted by the caller
            errors.append(err)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(call,)) for call in work]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return len(refused), errors


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_one_invoice_filed_at_once_from_several_phones_is_claimed_once(fed: Federation) -> None:
    scheme_with_member(fed)
    member = fed.scope(fed.member_user)
    for n in range(ROUNDS):
        number = f"3304812605{n:02d}000001"
        work = [
            partial(claims.claim_file, scope=member, bill=bill(invoice_number=number), photos=[photo()])
            for _ in range(AT_ONCE)
        ]
        refused, errors = _all_at_once(work)
        assert errors == [] and refused == AT_ONCE - 1
        assert Claim.objects.filter(invoice_number=number).count() == 1
    assert ClaimInvoice.objects.count() == ROUNDS


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_claim_approved_by_several_staff_at_once_is_approved_once(fed: Federation) -> None:
    scheme_with_member(fed)
    for n in range(ROUNDS):
        claim = claims.claim_file(
            scope=fed.scope(fed.member_user), bill=bill(invoice_number=f"3304812606{n:02d}000001"), photos=[photo()]
        )
        claims.claim_check(scope=fed.scope(fed.union_a1_officer), claim=claim)
        approvers = [fed.town_a_staff, fed.city_staff] * (AT_ONCE // 2)
        work = [partial(claims.claim_approve, scope=fed.scope(user), claim=claim) for user in approvers]
        refused, errors = _all_at_once(work)
        assert errors == [] and refused == AT_ONCE - 1
        assert Decision.objects.filter(object_id=claim.pk, step="approve").count() == 1
        assert Claim.objects.get(pk=claim.pk).status == ClaimStatus.APPROVED
    assert sum(Claim.objects.values_list("amount", flat=True)) == Decimal("7500.00") * ROUNDS
