"""Recording a union's payment: its enrolments paid, its money in the ledger (outside ->
pool, one entry per payment), a doubled request changing nothing, and who may record it;
and the demo contribution paying the demo enrolments in bulk."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest

from gonghui.core.demo import DemoContext
from gonghui.core.errors import Conflict, Forbidden, ValidationFailed
from gonghui.core.ledger import Source, fund_balance, ledger_discrepancies, ledger_entry_for
from gonghui.core.ledger_models import LedgerEntry
from gonghui.mutual_aid import funds, services
from gonghui.mutual_aid.contributions_demo import payments_demo
from gonghui.mutual_aid.contributions_paid import enrolment_payment_record
from gonghui.mutual_aid.models import Enrolment, EnrolmentPayment, SchemeYear
from gonghui.mutual_aid.services import Shares
from gonghui.mutual_aid.tests.helpers import enrol_union, make_scheme, two_years
from gonghui.testing import Federation, make_member


@pytest.fixture
def years(fed: Federation, monkeypatch) -> tuple[SchemeYear, SchemeYear]:
    return two_years(fed, monkeypatch)


def pay(fed: Federation, scheme: SchemeYear, union=None, *, user=None, key: str = "k-0001", **extra):
    return enrolment_payment_record(
        scope=fed.scope(user or fed.union_a1_officer),
        scheme_year=scheme,
        union=union or fed.union_a1,
        paid_on=extra.pop("paid_on", date(2025, 11, 1)),
        reference=extra.pop("reference", "HK20251101001"),
        request_key=key,
        **extra,
    )


def test_a_payment_pays_the_unions_enrolments_and_posts_outside_to_pool(fed, years):
    _, scheme = years
    make_member(union=fed.union_a1, name="王秀英", sex="F")
    enrol_union(fed, scheme, fed.union_a1)
    payment = pay(fed, scheme, expected_count=2)
    assert (payment.count, payment.amount, payment.union_part, payment.payer) == (
        2,
        Decimal("120.00"),
        Decimal("120.00"),
        "union",
    )
    rows = Enrolment.objects.filter(scheme_year=scheme, union=fed.union_a1)
    assert {(row.payment_id, row.payment_status, row.paid_on) for row in rows} == {
        (payment.pk, "paid", date(2025, 11, 1))
    }
    assert Enrolment.objects.get(scheme_year=scheme, union=fed.union_b1).payment_status == "unpaid"
    entry = ledger_entry_for(Source.of(payment, "contribution"))
    assert entry is not None and entry.posted_on == date(2025, 11, 1)
    assert fund_balance(funds.scheme_pool(fed.city)) == Decimal("120.00")
    assert fund_balance(funds.scheme_outside(fed.city)) == Decimal("-120.00")
    assert ledger_discrepancies() == []


def test_a_doubled_request_changes_nothing(fed, years):
    _, scheme = years
    first = pay(fed, scheme)
    again = pay(fed, scheme)
    assert again.pk == first.pk
    assert EnrolmentPayment.objects.count() == 1 and LedgerEntry.objects.count() == 1
    assert fund_balance(funds.scheme_pool(fed.city)) == Decimal("60.00")
    with pytest.raises(ValidationFailed, match="没有待缴费的参保人员"):
        pay(fed, scheme, key="k-0002")  # a new request: nothing is left to pay


def test_a_list_changed_since_it_was_shown_records_nothing(fed, years):
    _, scheme = years
    with pytest.raises(Conflict, match="待缴费人数已变为 1 人"):
        pay(fed, scheme, expected_count=3)
    assert not EnrolmentPayment.objects.exists() and not LedgerEntry.objects.exists()


def test_a_split_contribution_is_recorded_by_payer(fed, monkeypatch):
    monkeypatch.setattr(services, "today", lambda: date(2025, 11, 1))
    scheme = make_scheme(fed, 2026, payer="split", shares=Shares(Decimal(50), Decimal(30), Decimal(20)))
    make_member(union=fed.union_a1, name="王秀英", sex="F")
    enrol_union(fed, scheme, fed.union_a1)
    payment = pay(fed, scheme, user=fed.town_a_staff)
    assert (payment.union_part, payment.employer_part, payment.member_part) == (
        Decimal("60.00"),
        Decimal("36.00"),
        Decimal("24.00"),
    )
    assert fund_balance(funds.scheme_pool(fed.city)) == Decimal("120.00")


def test_only_whoever_covers_the_union_records_its_payment(fed, years):
    _, scheme = years
    with pytest.raises(Forbidden):
        pay(fed, scheme, fed.union_b1)  # 海宁皮革城工会's officer, for 许村家纺工会
    with pytest.raises(Forbidden):
        pay(fed, scheme, user=fed.town_b_staff)
    with pytest.raises(Forbidden):
        pay(fed, scheme, user=fed.member_user)
    with pytest.raises(ValidationFailed, match="缴费日期不能晚于今天"):
        pay(fed, scheme, paid_on=date(2025, 11, 2))
    assert not EnrolmentPayment.objects.exists()


def test_the_demo_pays_every_union_and_year_once(fed, years):
    last_year, scheme = years
    ctx = DemoContext(seed=7, as_of=date(2026, 1, 20), log=lambda line: None)
    ctx.city = SimpleNamespace(node=SimpleNamespace(org=fed.city))
    payments_demo(ctx)
    payments_demo(ctx)  # nothing left to pay: nothing added
    assert EnrolmentPayment.objects.count() == 3  # (2025: a1), (2026: a1, b1)
    assert not Enrolment.objects.filter(payment__isnull=True).exists()
    assert not Enrolment.objects.exclude(payment_status="paid").exists()
    assert fund_balance(funds.scheme_pool(fed.city)) == Decimal("180.00")
    for payment in EnrolmentPayment.objects.all():
        assert payment.paid_on >= max(e.enrolled_on for e in payment.enrolments.all())
        assert payment.paid_on == payment.enrolments.get().paid_on
    assert ledger_discrepancies() == []


def test_the_demo_leaves_some_unions_unpaid_while_the_window_is_open(fed, years, monkeypatch):
    _, scheme = years
    ctx = DemoContext(seed=7, as_of=date(2025, 11, 20), log=lambda line: None)
    ctx.city = SimpleNamespace(node=SimpleNamespace(org=fed.city))
    monkeypatch.setattr(ctx, "chance", lambda p: True)  # every union draws "not paid yet"
    payments_demo(ctx)
    assert set(Enrolment.objects.filter(scheme_year=scheme).values_list("payment_status", "paid_on")) == {
        ("unpaid", None)
    }
    assert EnrolmentPayment.objects.get().scheme_year.year == 2025  # the year before, long closed, is paid
