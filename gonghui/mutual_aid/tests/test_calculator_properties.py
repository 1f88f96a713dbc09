"""Properties of the calculator over any valid rules, bill and year so far: never negative,
never above a cap, nothing up to the deductible, never less for a larger bill, and the annual
caps holding whatever the order of a member's claims and reversals."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from gonghui.core.money import CENT, ZERO
from gonghui.mutual_aid.calculator import Accumulated, Benefit, Bill, Cover, Reason, VisitType, benefit_compute
from gonghui.mutual_aid.rules import Rules, rules_parse

COVER = Cover(starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31))
DISEASES = ["E11", "I10", "N18", "C"]
DIAGNOSES = ["E11.9", "I10.x00", "N18.500", "C34.1", "K80.1", "J45.9", ""]


def fen(low: int, high: int) -> st.SearchStrategy[Decimal]:
    """Amounts from `low` to `high` fen, as two-place Decimals."""
    return st.integers(low, high).map(lambda n: (Decimal(n) * CENT).quantize(CENT))


ratios = st.integers(0, 10000).map(lambda n: (Decimal(n) / 100).quantize(CENT))


@st.composite
def rule_sets(draw: st.DrawFn) -> Rules:
    deductible = draw(fen(0, 500_000))
    edges = sorted(draw(st.sets(fen(int(deductible * 100) + 1, 20_000_000), max_size=4)))
    starts = [deductible, *edges]
    bands = [
        {"from": str(start), "to": str(end) if end is not None else None, "ratio": str(draw(ratios))}
        for start, end in zip(starts, [*edges, None], strict=True)
    ]
    cap = draw(fen(max(1, int(deductible * 100)), 10_000_000))
    annual = draw(fen(int(cap * 100), 30_000_000))
    out_deductible = draw(fen(0, 200_000))
    out_cap = draw(fen(max(1, int(out_deductible * 100)), 2_000_000))
    data = {
        "inpatient": {
            "deductible_per_visit": str(deductible),
            "bands": bands,
            "cap_per_claim": str(cap),
            "annual_cap": str(annual),
        },
        "special_outpatient": {
            "diseases": DISEASES,
            "annual_deductible": str(out_deductible),
            "ratio": str(draw(ratios)),
            "annual_cap": str(out_cap),
        },
        "critical_illness": {"diseases": ["C", "I21"], "grant": str(draw(fen(1, 5_000_000)))},
    }
    return rules_parse(data)  # the strategy only makes rules the check accepts


bills = st.builds(
    Bill,
    visit_type=st.sampled_from([VisitType.INPATIENT, VisitType.SPECIAL_OUTPATIENT]),
    admitted_on=st.just(date(2026, 6, 1)),
    in_policy_self_paid=fen(0, 30_000_000),
    diagnosis=st.sampled_from(DIAGNOSES),
)
so_far = st.builds(
    Accumulated,
    inpatient_paid=fen(0, 30_000_000),
    outpatient_paid=fen(0, 2_000_000),
    outpatient_deductible_met=fen(0, 200_000),
    critical_paid=st.sampled_from([ZERO, Decimal("10000.00")]),
)


def line_amount(benefit: Benefit, kind: str) -> Decimal:
    return sum((line.amount for line in benefit.lines if line.kind == kind), ZERO)


@given(rules=rule_sets(), bill=bills, before=so_far)
@settings(max_examples=300)
def test_never_negative_never_above_a_cap_and_always_to_the_fen(rules: Rules, bill: Bill, before: Accumulated) -> None:
    benefit = benefit_compute(rules=rules, bill=bill, cover=COVER, so_far=before)
    assert rules.inpatient and rules.special_outpatient and rules.critical_illness
    inpatient = line_amount(benefit, "inpatient")
    outpatient = line_amount(benefit, "special_outpatient")
    assert all(line.amount >= 0 and line.amount == line.amount.quantize(CENT) for line in benefit.lines)
    assert inpatient <= rules.inpatient.cap_per_claim
    assert inpatient <= max(ZERO, rules.inpatient.annual_cap - before.inpatient_paid)
    assert outpatient <= max(ZERO, rules.special_outpatient.annual_cap - before.outpatient_paid)
    assert line_amount(benefit, "critical_illness") in (ZERO, rules.critical_illness.grant)
    assert benefit.amount == inpatient + outpatient + line_amount(benefit, "critical_illness")
    assert (benefit.reason is None) == (benefit.amount > 0)


@given(rules=rule_sets(), bill=bills, before=so_far)
def test_nothing_up_to_the_deductible(rules: Rules, bill: Bill, before: Accumulated) -> None:
    assert rules.inpatient is not None
    small = replace(
        bill,
        visit_type=VisitType.INPATIENT,
        in_policy_self_paid=min(bill.in_policy_self_paid, rules.inpatient.deductible_per_visit),
    )
    benefit = benefit_compute(rules=rules, bill=small, cover=COVER, so_far=before)
    assert line_amount(benefit, "inpatient") == 0
    assert benefit.lines[0].reason in (Reason.BELOW_DEDUCTIBLE, Reason.NO_SELF_PAID)


@given(rules=rule_sets(), bill=bills, more=fen(0, 10_000_000), before=so_far)
@settings(max_examples=300)
def test_never_less_for_a_larger_bill(rules: Rules, bill: Bill, more: Decimal, before: Accumulated) -> None:
    larger = replace(bill, in_policy_self_paid=bill.in_policy_self_paid + more)
    smaller_benefit = benefit_compute(rules=rules, bill=bill, cover=COVER, so_far=before)
    larger_benefit = benefit_compute(rules=rules, bill=larger, cover=COVER, so_far=before)
    assert larger_benefit.amount >= smaller_benefit.amount


# A member's year as a story: each event is a new bill, or the reversal (an insurer's refund)
# of one of the claims still standing, picked by its position among them.
events = st.lists(
    st.one_of(bills.map(lambda bill: ("claim", bill)), st.integers(0, 50).map(lambda n: ("reverse", n))), max_size=25
)


@given(rules=rule_sets(), story=events)
@settings(max_examples=300)
def test_the_annual_caps_hold_across_any_order_of_claims_and_reversals(rules: Rules, story: list) -> None:
    assert rules.inpatient and rules.special_outpatient and rules.critical_illness
    standing: list[Accumulated] = []
    for kind, value in story:
        if kind == "reverse":
            if standing:
                standing.pop(value % len(standing))
            continue
        year = sum(standing, Accumulated())  # what the member has, this claim left out
        standing.append(benefit_compute(rules=rules, bill=value, cover=COVER, so_far=year).adds)
        total = sum(standing, Accumulated())
        assert total.inpatient_paid <= rules.inpatient.annual_cap
        assert total.outpatient_paid <= rules.special_outpatient.annual_cap
        assert total.outpatient_deductible_met <= rules.special_outpatient.annual_deductible
        assert total.critical_paid <= rules.critical_illness.grant


@given(rules=rule_sets(), bill=bills, before=so_far)
def test_every_explanation_reads_in_both_languages(rules: Rules, bill: Bill, before: Accumulated) -> None:
    benefit = benefit_compute(rules=rules, bill=bill, cover=COVER, so_far=before)
    for language in ("zh-hans", "en"):
        with translation.override(language):
            assert all(text.strip() for text in benefit.explanation())
