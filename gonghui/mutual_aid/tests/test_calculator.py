"""The calculator on the numbers of a Zhejiang-style year: inpatient deductible 1,000 a visit,
50% of the self-paid amount from 1,000 to 10,000 and 60% above, at most 20,000 a claim and
50,000 a year; chronic-disease outpatient care with a 500 yearly deductible, 50%, at most
5,000 a year; a 10,000 grant once a year for a critical illness."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from gonghui.mutual_aid.calculator import Accumulated, Benefit, Bill, Cover, Reason, VisitType, benefit_compute
from gonghui.mutual_aid.rules import EXAMPLE, Rules, rules_parse

D = Decimal
RULES = rules_parse(EXAMPLE)
YEAR = Cover(starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31))
FIRST_TIMER = Cover(starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31), waiting_ends_on=date(2026, 4, 1))


def inpatient(
    self_paid: str, *, on: date = date(2026, 5, 6), diagnosis: str = "K80.1", total: str | None = None
) -> Bill:
    return Bill(
        visit_type=VisitType.INPATIENT,
        admitted_on=on,
        in_policy_self_paid=D(self_paid),
        diagnosis=diagnosis,
        total_cost=None if total is None else D(total),
    )


def chronic(self_paid: str, diagnosis: str = "E11.9") -> Bill:
    return Bill(VisitType.SPECIAL_OUTPATIENT, date(2026, 3, 2), D(self_paid), diagnosis)


NOTHING_YET = Accumulated()


def pay(bill: Bill, so_far: Accumulated = NOTHING_YET, *, cover: Cover = YEAR, rules: Rules = RULES) -> Benefit:
    return benefit_compute(rules=rules, bill=bill, cover=cover, so_far=so_far)


@pytest.mark.parametrize(
    ("self_paid", "amount"),
    [
        ("6000.00", "2500.00"),  # (6,000 - 1,000) x 50%
        ("10000.00", "4500.00"),
        ("15000.00", "7500.00"),  # 9,000 x 50% + 5,000 x 60%
        ("50000.00", "20000.00"),  # 28,500 by the bands, capped per claim
        ("1000.01", "0.01"),  # 0.005 rounds half up
        ("1234.57", "117.29"),  # 117.285
    ],
)
def test_an_inpatient_stay_is_paid_by_the_bands_above_the_deductible(self_paid, amount) -> None:
    benefit = pay(inpatient(self_paid))
    assert (benefit.amount, benefit.reason) == (D(amount), None)


@pytest.mark.parametrize("self_paid", ["800.00", "1000.00"])
def test_nothing_is_paid_up_to_the_deductible(self_paid) -> None:
    benefit = pay(inpatient(self_paid))
    assert (benefit.amount, benefit.reason) == (D(0), Reason.BELOW_DEDUCTIBLE)
    assert benefit.explanation() == [f"住院：政策范围内自付 {D(self_paid):,.2f} 元，未超过每次起付线 1,000.00 元"]


def test_the_explanation_says_which_band_ratio_and_cap_applied() -> None:
    assert pay(inpatient("15000.00")).explanation() == [
        "住院：政策范围内自付 15,000.00 元，每次起付线 1,000.00 元",
        "1,000.00 至 10,000.00 元部分 9,000.00 元 × 50% = 4,500.00 元",
        "10,000.00 元以上部分 5,000.00 元 × 60% = 3,000.00 元",
        "住院补助 7,500.00 元",
    ]
    assert "超过每次封顶 20,000.00 元，按封顶计" in pay(inpatient("50000.00")).explanation()


def test_the_explanation_reads_in_english_too() -> None:
    with translation.override("en"):
        text = pay(inpatient("15000.00"), Accumulated(inpatient_paid=D("45000.00"))).explanation()
    assert text == [
        "Inpatient: in-policy self-paid CNY 15,000.00; deductible per stay CNY 1,000.00",
        "CNY 1,000.00 to 10,000.00: CNY 9,000.00 × 50% = CNY 4,500.00",
        "Above CNY 10,000.00: CNY 5,000.00 × 60% = CNY 3,000.00",
        "Paid this year so far CNY 45,000.00; annual cap CNY 50,000.00: at most CNY 5,000.00 this time",
        "Inpatient benefit CNY 5,000.00",
    ]


def test_the_annual_cap_counts_the_members_other_claims() -> None:
    limited = pay(inpatient("15000.00"), Accumulated(inpatient_paid=D("45000.00")))
    assert (limited.amount, limited.adds.inpatient_paid) == (D("5000.00"), D("5000.00"))
    reached = pay(inpatient("15000.00"), Accumulated(inpatient_paid=D("50000.00")))
    assert (reached.amount, reached.reason) == (D(0), Reason.ANNUAL_CAP_REACHED)
    assert reached.explanation()[-1] == "本年度已补助 50,000.00 元，已达年度封顶 50,000.00 元"


def test_care_outside_the_cover_or_in_the_waiting_period_is_refused() -> None:
    assert pay(inpatient("15000.00", on=date(2025, 12, 31))).reason == Reason.NOT_COVERED
    waiting = pay(inpatient("15000.00", on=date(2026, 3, 31)), cover=FIRST_TIMER)
    assert (waiting.amount, waiting.reason) == (D(0), Reason.WAITING_PERIOD)
    assert waiting.explanation() == ["首次参保等待期内：2026-03-31 就诊，2026-04-01 起的就诊方可补助"]
    assert pay(inpatient("15000.00", on=date(2026, 4, 1)), cover=FIRST_TIMER).amount == D("7500.00")


def test_a_bill_whose_self_paid_part_exceeds_its_total_is_refused() -> None:
    benefit = pay(inpatient("15000.00", total="12000.00"))
    assert (benefit.amount, benefit.reason) == (D(0), Reason.INCONSISTENT_BILL)


def test_chronic_outpatient_care_meets_one_deductible_a_year() -> None:
    first = pay(chronic("300.00"))
    assert (first.amount, first.reason, first.adds.outpatient_deductible_met) == (
        D(0),
        Reason.BELOW_DEDUCTIBLE,
        D("300.00"),
    )
    second = pay(chronic("800.00"), first.adds)
    assert (second.amount, second.adds.outpatient_deductible_met) == (D("300.00"), D("200.00"))
    assert second.explanation() == [
        "门诊特殊病：诊断 E11.9 属目录病种 E11，政策范围内自付 800.00 元",
        "年度起付线 500.00 元，本年度此前已计 300.00 元，本次计入 200.00 元",
        "起付线以上部分 600.00 元 × 50% = 300.00 元",
        "门诊特殊病补助 300.00 元",
    ]
    third = pay(chronic("800.00"), first.adds + second.adds)
    assert third.amount == D("400.00")
    near_cap = pay(chronic("800.00"), Accumulated(outpatient_paid=D("4900.00"), outpatient_deductible_met=D("500")))
    assert near_cap.amount == D("100.00")


def test_outpatient_care_off_the_list_and_ordinary_outpatient_care_are_not_paid() -> None:
    assert pay(chronic("800.00", diagnosis="J45.9")).reason == Reason.DISEASE_NOT_LISTED
    ordinary = Bill(VisitType.OUTPATIENT, date(2026, 3, 2), D("800.00"), "J06.9")
    assert pay(ordinary).reason == Reason.VISIT_TYPE_NOT_COVERED
    assert pay(chronic("0")).reason == Reason.NO_SELF_PAID


def test_a_critical_illness_adds_its_grant_once_a_year() -> None:
    cancer = inpatient("30000.00", diagnosis="C34.1")
    first = pay(cancer)
    assert [(line.kind, line.amount) for line in first.lines] == [
        ("inpatient", D("16500.00")),
        ("critical_illness", D("10000.00")),
    ]
    assert first.amount == D("26500.00")
    assert first.explanation()[-1] == "重大疾病：诊断 C34.1 属目录病种 C，一次性补助 10,000.00 元"
    again = pay(cancer, first.adds)
    assert [(line.kind, line.amount, line.reason) for line in again.lines] == [
        ("inpatient", D("16500.00"), None),
        ("critical_illness", D("0.00"), Reason.GRANT_ALREADY_PAID),
    ]


def test_a_year_without_a_line_says_so() -> None:
    only_inpatient = Rules(inpatient=RULES.inpatient)
    benefit = pay(chronic("800.00"), rules=only_inpatient)
    assert (benefit.reason, benefit.explanation()) == (Reason.VISIT_TYPE_NOT_COVERED, ["本年度规则没有门诊特殊病补助"])


def test_rejection_reasons_keep_their_numbers() -> None:
    assert [(r.value, str(r.label)) for r in Reason][:5] == [
        (1, "不在参保期"),
        (2, "等待期内"),
        (3, "低于起付线"),
        (4, "已达年度封顶"),
        (5, "病种不在目录"),
    ]


def test_the_explanation_can_be_stored_and_read_back() -> None:
    from gonghui.mutual_aid.calculator import Step

    stored = [step.as_data() for step in pay(inpatient("6000.00")).all_steps()]
    read = [Step(item["text"], item["params"]).text() for item in stored]  # type: ignore[arg-type]
    assert read == pay(inpatient("6000.00")).explanation()
