"""What the payment tests share: enrolled members with approved claims, payee accounts, and
a pool funded the way enrolment payments fund it (outside -> pool)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from itertools import count

from gonghui.core.ledger import Leg, Source, ledger_post
from gonghui.members.models import Membership
from gonghui.mutual_aid.funds import scheme_outside, scheme_pool
from gonghui.mutual_aid.models import BankAccount, Claim, ClaimAdjustment, ClaimStatus, Enrolment, SchemeYear
from gonghui.organisations.models import Organisation

_numbers = count(1)


def enrol(scheme: SchemeYear, membership: Membership) -> Enrolment:
    return Enrolment.objects.create(
        person=membership.person,
        scheme_year=scheme,
        union=membership.union,
        employer=membership.employer,
        enrolled_on=date(scheme.year - 1, 11, 1),
        coverage_from=scheme.coverage_starts_on,
        coverage_to=scheme.coverage_ends_on,
        payment_status="paid",
        paid_on=date(scheme.year - 1, 11, 20),
    )


def approved_claim(
    enrolment: Enrolment, amount: str, *, settled_on: date = date(2026, 5, 20), status: str = ClaimStatus.APPROVED
) -> Claim:
    """An inpatient claim as a settlement feed leaves it once a reviewer has approved it."""
    return Claim.objects.create(
        settlement_number=f"JS3304812026{next(_numbers):06d}",
        enrolment=enrolment,
        person=enrolment.person,
        scheme_year=enrolment.scheme_year,
        rule_set=enrolment.scheme_year.rule_sets.get(version=1),
        visit_type="inpatient",
        hospital="海宁市人民医院",
        diagnosis="K35.8",
        admitted_on=date(settled_on.year, settled_on.month, 1),
        discharged_on=settled_on,
        settled_on=settled_on,
        total_cost=Decimal("30000.00"),
        fund_paid=Decimal("15000.00"),
        in_policy_self_paid=Decimal("15000.00"),
        out_of_policy_self_paid=Decimal("0.00"),
        amount=Decimal(amount),
        status=status,
    )


def approved_adjustment(claim: Claim, amount: str) -> ClaimAdjustment:
    """An insurer's correction of the claim, approved: `amount` is the change to the benefit."""
    return ClaimAdjustment.objects.create(
        claim=claim,
        settlement_number=f"CX{claim.settlement_number}-{next(_numbers)}",
        rule_set=claim.rule_set,
        total_cost_change=Decimal(0),
        fund_paid_change=Decimal(0),
        in_policy_change=Decimal(0),
        out_of_policy_change=Decimal(0),
        amount=Decimal(amount),
        status=ClaimStatus.APPROVED,
    )


def give_account(membership: Membership, number: str = "6222021202034561234") -> BankAccount:
    person = membership.person
    return BankAccount.objects.create(
        person=person, holder_name=person.name, bank_name="中国工商银行海宁支行", account_number=number
    )


def fund_pool(federation: Organisation, amount: str, *, ref: str = "2026") -> None:
    """Contributions into the pool, as the enrolment payments post them."""
    ledger_post(
        source=Source("test.enrolment_payment", ref, "contribution"),
        legs=[Leg(scheme_outside(federation), -Decimal(amount)), Leg(scheme_pool(federation), Decimal(amount))],
        description="2026年度职工医疗互助保障会费",
        posted_on=date(2025, 12, 1),
    )
