"""Paying approved claims: what a batch takes and holds back, the bank file, marking paid
(ledger, claim status, rule freeze, notice), cancelling, who may, and paying exactly once."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.db import IntegrityError, transaction

from gonghui.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from gonghui.core.ledger import Overdrawn, fund_balance
from gonghui.core.ledger_models import LedgerEntry
from gonghui.core.models import AuditEntry, Notification
from gonghui.mutual_aid import payments
from gonghui.mutual_aid.funds import scheme_outside, scheme_pool
from gonghui.mutual_aid.models import (
    BenefitRuleSet,
    Claim,
    ClaimStatus,
    PaymentBatchStatus,
    PaymentLine,
    SchemeYear,
)
from gonghui.mutual_aid.tests.helpers import make_scheme
from gonghui.mutual_aid.tests.payment_helpers import (
    approved_adjustment,
    approved_claim,
    enrol,
    fund_pool,
    give_account,
)
from gonghui.testing import Federation, make_member, make_user

D = Decimal
PAID_ON = date(2026, 6, 15)


@pytest.fixture
def scheme(fed: Federation) -> SchemeYear:
    scheme = make_scheme(fed)
    fund_pool(fed.city, "100000.00")
    return scheme


@pytest.fixture
def claims(fed: Federation, scheme: SchemeYear) -> list[Claim]:
    """张伟 (town A) and 李娜 (town B), each with an approved claim and an account."""
    give_account(fed.member_a1)
    give_account(fed.member_b1, "6228480328012345678")
    return [
        approved_claim(enrol(scheme, fed.member_a1), "7500.00"),
        approved_claim(enrol(scheme, fed.member_b1), "3200.00"),
    ]


def city(fed: Federation):
    return fed.scope(fed.city_staff)


def mark_paid(fed: Federation, batch, ref: str = "ICBC2026061500123", on: date = PAID_ON):
    return payments.payment_batch_mark_paid(scope=city(fed), batch=batch, bank_reference=ref, paid_on=on)


def test_a_batch_takes_approved_claims_and_paying_it_posts_sets_paid_freezes_and_tells(fed, scheme, claims) -> None:
    member_user = fed.member_user
    batch = payments.payment_batch_create(scope=city(fed))
    assert (batch.line_count, batch.total, batch.held) == (2, D("10700.00"), [])
    mark_paid(fed, batch)
    batch.refresh_from_db()
    assert (batch.status, batch.bank_reference, batch.paid_on) == (
        PaymentBatchStatus.PAID,
        "ICBC2026061500123",
        PAID_ON,
    )
    for claim in claims:
        claim.refresh_from_db()
        assert (claim.status, claim.paid_on) == (ClaimStatus.PAID, PAID_ON)
        assert (
            LedgerEntry.objects.filter(source_type="mutual_aid.claim", source_id=str(claim.pk), purpose="paid").count()
            == 1
        )
    assert fund_balance(scheme_pool(fed.city)) == D("89300.00")
    assert fund_balance(scheme_outside(fed.city)) == D("-89300.00")
    assert BenefitRuleSet.objects.get(scheme_year=scheme, version=1).is_frozen
    notice = Notification.objects.get(recipient=member_user, kind="mutual_aid.claim_paid")
    assert notice.params == {"amount": "7,500.00", "day": "2026-06-15", "tail": "1234"}


def test_marking_paid_again_changes_nothing_and_another_reference_is_refused(fed, scheme, claims) -> None:
    batch = payments.payment_batch_create(scope=city(fed))
    mark_paid(fed, batch)
    mark_paid(fed, batch)
    assert LedgerEntry.objects.filter(purpose="paid").count() == 2
    assert Notification.objects.filter(kind="mutual_aid.claim_paid").count() == 1
    with pytest.raises(Conflict, match="已于 2026-06-15 支付"):
        mark_paid(fed, batch, ref="ICBC2026061500999")
    assert fund_balance(scheme_pool(fed.city)) == D("89300.00")


def test_claims_without_an_account_and_negative_nets_are_held_back_and_listed(fed, scheme, claims) -> None:
    fellow = make_member(union=fed.union_a1, name="陈静", employer=fed.employer_a1, sex="F")
    no_account = approved_claim(enrol(scheme, fellow), "1800.00")
    refunded = approved_claim(enrol(scheme, make_member(union=fed.union_a2, name="王强")), "500.00")
    give_account(refunded.enrolment.person.memberships.get(), "6217001540012345678")
    approved_adjustment(refunded, "-700.00")
    approved_adjustment(claims[0], "-1500.00")  # a partial refund before payment: netted in
    plan = payments.payment_plan(scope=city(fed))
    assert [(p.claim.pk, p.amount) for p, _ in plan.lines] == [
        (claims[0].pk, D("6000.00")),
        (claims[1].pk, D("3200.00")),
    ]
    assert [(row["name"], row["amount"], row["reason"]) for row in plan.held] == [
        ("陈静", "1800.00", "no_account"),
        ("王强", "-200.00", "negative"),
    ]
    assert [payments.held_text(row) for row in plan.held] == [
        "未登记收款银行账户",
        "调整后为负数（多付，待追回），不予支付",
    ]
    batch = payments.payment_batch_create(scope=city(fed))
    assert batch.held == plan.held
    mark_paid(fed, batch)
    no_account.refresh_from_db()
    assert no_account.status == ClaimStatus.APPROVED
    assert claims[0].adjustments.get().status == ClaimStatus.PAID


def test_an_adjustment_approved_after_payment_is_paid_as_a_top_up(fed, scheme, claims) -> None:
    mark_paid(fed, payments.payment_batch_create(scope=city(fed)))
    approved_adjustment(claims[1], "800.00")
    top_up = payments.payment_batch_create(scope=city(fed))
    line = top_up.lines.get()
    assert (line.claim_id, line.pays_claim, line.amount) == (claims[1].pk, False, D("800.00"))
    mark_paid(fed, top_up, ref="ICBC2026071500001", on=date(2026, 7, 15))
    assert fund_balance(scheme_pool(fed.city)) == D("88500.00")
    with pytest.raises(Conflict, match="没有可支付"):
        payments.payment_batch_create(scope=city(fed))


def test_town_staff_batch_their_own_town_and_the_city_the_rest(fed, scheme, claims) -> None:
    town = payments.payment_batch_create(scope=fed.scope(fed.town_a_staff))
    assert list(town.lines.values_list("claim_id", flat=True)) == [claims[0].pk]
    rest = payments.payment_batch_create(scope=city(fed))
    assert list(rest.lines.values_list("claim_id", flat=True)) == [claims[1].pk]
    with pytest.raises(NotFound):
        payments.payment_batch_get(scope=fed.scope(fed.town_b_staff), pk=town.pk)
    with pytest.raises(NotFound):
        payments.payment_batch_mark_paid(
            scope=fed.scope(fed.town_b_staff), batch=town, bank_reference="X1", paid_on=PAID_ON
        )
    assert payments.payment_batch_get(scope=city(fed), pk=town.pk) == town


def test_union_officers_and_members_are_refused(fed, scheme, claims) -> None:
    batch = payments.payment_batch_create(scope=city(fed))
    for user in (fed.union_a1_officer, fed.member_user):
        with pytest.raises(Forbidden):
            payments.payment_batch_create(scope=fed.scope(user))
        with pytest.raises(Forbidden):
            payments.payment_batch_mark_paid(scope=fed.scope(user), batch=batch, bank_reference="X1", paid_on=PAID_ON)
        with pytest.raises(Forbidden):
            payments.payment_batch_cancel(scope=fed.scope(user), batch=batch)
        with pytest.raises(Forbidden):
            payments.transfer_file(scope=fed.scope(user), batch=batch, fmt="csv")
    assert PaymentLine.objects.filter(batch=batch, live=True).count() == 2


def test_a_pool_short_of_money_refuses_and_nothing_changes(fed, claims) -> None:
    payments.payment_batch_create(scope=city(fed))  # another batch is not in the way
    batch = payments.payment_batch_list(scope=city(fed)).get()
    payments.payment_batch_cancel(scope=city(fed), batch=batch)
    big = approved_claim(claims[0].enrolment, "95000.00")
    batch = payments.payment_batch_create(scope=city(fed))
    assert batch.total == D("105700.00")
    with pytest.raises(Overdrawn, match="余额不足：余额 100,000.00 元，本次支出 105,700.00 元"):
        mark_paid(fed, batch)
    batch.refresh_from_db()
    big.refresh_from_db()
    assert (batch.status, big.status, big.paid_on) == (PaymentBatchStatus.DRAFT, ClaimStatus.APPROVED, None)
    assert not LedgerEntry.objects.filter(purpose="paid").exists()
    assert not BenefitRuleSet.objects.get(version=1).is_frozen
    assert fund_balance(scheme_pool(fed.city)) == D("100000.00")


def test_cancelling_releases_the_claims_and_a_paid_batch_is_not_cancelled(fed, scheme, claims) -> None:
    first = payments.payment_batch_create(scope=city(fed))
    with pytest.raises(Conflict, match="没有可支付"):
        payments.payment_batch_create(scope=city(fed))
    payments.payment_batch_cancel(scope=city(fed), batch=first)
    payments.payment_batch_cancel(scope=city(fed), batch=first)
    with pytest.raises(Conflict, match="已作废"):
        mark_paid(fed, first)
    second = payments.payment_batch_create(scope=city(fed))
    assert second.line_count == 2
    mark_paid(fed, second)
    with pytest.raises(Conflict, match="已支付，不能作废"):
        payments.payment_batch_cancel(scope=city(fed), batch=second)


def test_the_database_keeps_a_claim_on_one_live_line(fed, scheme, claims) -> None:
    batch = payments.payment_batch_create(scope=city(fed))
    line = batch.lines.first()
    assert line is not None
    copy = PaymentLine(
        batch=batch,
        claim=line.claim,
        person=line.person,
        amount=line.amount,
        claim_amount=line.amount,
        holder_name=line.holder_name,
        bank_name=line.bank_name,
        account_number=line.account_number,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        copy.save()
    copy.live = False
    copy.save()  # a cancelled line beside a live one is allowed
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.filter(pk=line.claim_id).update(status=ClaimStatus.PAID)  # paid needs its date


def test_a_claim_changed_since_the_batch_was_made_stops_the_payment(fed, scheme, claims) -> None:
    batch = payments.payment_batch_create(scope=city(fed))
    Claim.objects.filter(pk=claims[1].pk).update(status=ClaimStatus.REJECTED)
    with pytest.raises(Conflict, match="状态已改变"):
        mark_paid(fed, batch)
    assert not LedgerEntry.objects.filter(purpose="paid").exists()


def test_bad_references_and_future_dates_are_refused(fed, scheme, claims) -> None:
    batch = payments.payment_batch_create(scope=city(fed))
    with pytest.raises(ValidationFailed, match="银行流水号"):
        mark_paid(fed, batch, ref="工行-1")
    with pytest.raises(ValidationFailed, match="不能晚于今天"):
        mark_paid(fed, batch, on=date(2099, 1, 1))
    mark_paid(fed, batch)
    approved_claim(claims[0].enrolment, "100.00")
    other = payments.payment_batch_create(scope=city(fed))
    with pytest.raises(Conflict, match="已用于另一个批次"):
        mark_paid(fed, other)


def test_the_transfer_file_shows_whole_numbers_to_the_permission_only_and_is_audited(fed, scheme, claims) -> None:
    batch = payments.payment_batch_create(scope=city(fed))
    content, name = payments.transfer_file(scope=city(fed), batch=batch, fmt="csv")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0] == ["序号", "户名", "账号", "开户行", "金额", "用途/摘要"]
    assert rows[1][:5] == ["1", "张伟", "6222021202034561234", "中国工商银行海宁支行", "7500.00"]
    assert rows[1][5] == f"医疗互助补助 {claims[0].settlement_number}"
    assert name == f"{batch.number}-转账.csv"
    content, _ = payments.transfer_file(scope=city(fed), batch=batch, fmt="xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    assert [cell.value for cell in sheet[3]][:3] == [2, "李娜", "6228480328012345678"]
    exports = AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT, subject_type="mutual_aid.paymentbatch")
    assert exports.count() == 2
    without = make_user("city_clerk", role="city", organisation=fed.city)
    with pytest.raises(Forbidden, match="完整银行账号"):
        payments.transfer_file(scope=fed.scope(without), batch=batch, fmt="csv")


def test_a_refund_of_odd_cents_nets_into_its_line_on_either_database(fed, scheme) -> None:
    # 2,000.10 - 123.45 is not 1,876.65 in binary floats, which is how SQLite keeps decimals:
    # the line's "adds up" CHECK compares to the fen (found by the demo, which stopped paying).
    give_account(fed.member_a1)
    claim = approved_claim(enrol(scheme, fed.member_a1), "2000.10")
    approved_adjustment(claim, "-123.45")
    batch = payments.payment_batch_create(scope=city(fed))
    line = batch.lines.get()
    assert (line.claim_amount, line.adjustment_amount, line.amount) == (D("2000.10"), D("-123.45"), D("1876.65"))
    mark_paid(fed, batch)
    assert fund_balance(scheme_pool(fed.city)) == D("100000.00") - D("1876.65")
