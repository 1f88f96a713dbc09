"""The books: entries balance, are posted once, never change, and no fund is overdrawn.
The money moves like a mutual-aid year's: contributions in, a benefit granted, then paid."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from gonghui.core import ledger
from gonghui.core.errors import Conflict, ValidationFailed
from gonghui.core.ledger import Leg, Source
from gonghui.core.ledger_models import Fund, FundKind, LedgerEntry, LedgerIsAppendOnly, LedgerLine
from gonghui.core.money import MoneyError
from gonghui.testing import run_together

D = Decimal


@dataclass
class Books:
    outside: Fund
    pool: Fund
    payable: Fund


def open_books(owner_path: str = "0001", code: str = "HN") -> Books:
    return Books(
        outside=ledger.fund_open(
            code=f"test:{code}:outside", name="外部往来", kind=FundKind.OUTSIDE, owner_path=owner_path
        ),
        pool=ledger.fund_open(code=f"test:{code}:pool", name="互助资金", kind=FundKind.POOL, owner_path=owner_path),
        payable=ledger.fund_open(
            code=f"test:{code}:payable", name="应付补助", kind=FundKind.PAYABLE, owner_path=owner_path
        ),
    )


def contribute(books: Books, amount: str, *, ref: str = "2026-A1") -> LedgerEntry:
    return ledger.ledger_post(
        source=Source("test.contribution", ref, "contribution"),
        legs=[Leg(books.outside, -D(amount)), Leg(books.pool, D(amount))],
        description="2026年度互助会费",
        posted_on=date(2025, 12, 1),
    )


def grant(books: Books, amount: str, *, claim: str = "1") -> LedgerEntry:
    return ledger.ledger_post(
        source=Source("test.claim", claim, "benefit"),
        legs=[Leg(books.pool, -D(amount)), Leg(books.payable, D(amount))],
        description=f"住院补助 第{claim}号",
        posted_on=date(2026, 3, 10),
    )


@pytest.fixture
def books(db) -> Books:
    return open_books()


def fresh(fund: Fund) -> Fund:
    return Fund.objects.get(pk=fund.pk)


def test_money_moves_in_granted_and_paid_and_every_balance_follows(books: Books) -> None:
    contribute(books, "60000.00")
    grant(books, "6500.00")
    ledger.ledger_post(
        source=Source("test.claim", "1", "payment"),
        legs=[Leg(books.payable, D("-6500.00")), Leg(books.outside, D("6500.00"))],
        description="补助发放",
    )
    assert [ledger.fund_balance(f) for f in (books.outside, books.pool, books.payable)] == [D("-53500"), D("53500"), 0]
    assert [fresh(f).balance for f in (books.outside, books.pool, books.payable)] == [D("-53500"), D("53500"), 0]
    assert ledger.fund_balance(books.pool, as_of=date(2025, 12, 31)) == D("60000.00")
    assert ledger.fund_flows(books.pool, start=date(2026, 1, 1), end=date(2026, 12, 31)) == (D(0), D("6500.00"))
    assert ledger.ledger_discrepancies() == []


@pytest.mark.parametrize(
    ("amounts", "field"),
    [
        (("-60.00", "50.00"), "legs"),  # does not balance
        (("0", "0"), "legs"),
        (("-0.005", "0.005"), "legs"),  # fractions of a fen
    ],
)
def test_an_entry_that_does_not_add_up_is_refused_and_nothing_is_written(books: Books, amounts, field) -> None:
    with pytest.raises(ValidationFailed) as refused:
        ledger.ledger_post(
            source=Source("test.contribution", "x", "contribution"),
            legs=[Leg(books.outside, D(amounts[0])), Leg(books.pool, D(amounts[1]))],
            description="会费",
        )
    assert refused.value.field == field
    assert LedgerEntry.objects.count() == LedgerLine.objects.count() == 0


def test_an_entry_needs_two_funds_a_source_and_a_description(books: Books) -> None:
    one_leg = [Leg(books.pool, D("10"))]
    legs = [Leg(books.outside, D("-10")), Leg(books.pool, D("10"))]
    cases = [
        dict(source=Source("test.x", "1", "c"), legs=one_leg, description="会费"),
        dict(source=Source("test.x", "", "c"), legs=legs, description="会费"),
        dict(source=Source("test.x", "1", "c"), legs=legs, description="  "),
    ]
    for case in cases:
        with pytest.raises(ValidationFailed):
            ledger.ledger_post(**case)  # type: ignore[arg-type]
    floats = [Leg(books.outside, -0.1), Leg(books.pool, 0.1)]  # type: ignore[arg-type]
    with pytest.raises(ValidationFailed, match="float"):
        ledger.ledger_post(source=Source("test.x", "1", "c"), legs=floats, description="x")
    assert LedgerEntry.objects.count() == 0


def test_a_fund_is_never_overdrawn(books: Books) -> None:
    contribute(books, "5000.00")
    with pytest.raises(Conflict) as refused:
        grant(books, "5000.01")
    assert refused.value.code == "overdrawn"
    assert "互助资金" in refused.value.message and "5,000.00" in refused.value.message
    assert fresh(books.pool).balance == D("5000.00") and LedgerEntry.objects.count() == 1
    grant(books, "5000.00")  # to the fen is fine
    assert fresh(books.pool).balance == 0


def test_the_database_refuses_a_negative_balance_whatever_writes_it(books: Books) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Fund.objects.filter(pk=books.pool.pk).update(balance=D("-0.01"))
    Fund.objects.filter(pk=books.outside.pk).update(balance=D("-0.01"))  # the outside world may


def test_posting_the_same_event_again_changes_nothing(books: Books) -> None:
    contribute(books, "60000.00")
    first = grant(books, "6500.00")
    again = grant(books, "6500.00")
    assert again.pk == first.pk
    assert LedgerEntry.objects.count() == 2 and fresh(books.pool).balance == D("53500.00")
    with pytest.raises(Conflict) as refused:
        grant(books, "6400.00")
    assert refused.value.code == "already_posted"
    assert fresh(books.pool).balance == D("53500.00")


def test_a_batch_posts_all_or_nothing(books: Books) -> None:
    contribute(books, "10000.00")
    drafts = [
        ledger.Draft(
            source=Source("test.claim", str(n), "benefit"),
            legs=(Leg(books.pool, D("-3000")), Leg(books.payable, D("3000"))),
            description=f"补助 {n}",
        )
        for n in range(1, 5)
    ]
    with pytest.raises(Conflict):
        ledger.ledger_post_many(drafts=drafts)  # 12,000 out of 10,000
    assert LedgerEntry.objects.count() == 1
    posted = ledger.ledger_post_many(drafts=drafts[:3])
    assert [e.source_id for e in posted] == ["1", "2", "3"]
    assert ledger.ledger_post_many(drafts=drafts[:3]) == posted
    assert fresh(books.pool).balance == D("1000.00")


def test_a_reversal_undoes_an_entry_once(books: Books) -> None:
    contribute(books, "60000.00")
    benefit = grant(books, "6500.00")
    reversal = ledger.ledger_reverse(
        entry=benefit, description="医保退费冲销", source=Source("test.settlement", "JS2026-88", "correction")
    )
    assert reversal.reverses == benefit and benefit.reversal == reversal
    assert sorted(line.amount for line in reversal.lines.all()) == [D("-6500.00"), D("6500.00")]
    assert fresh(books.pool).balance == D("60000.00") and fresh(books.payable).balance == 0
    again = ledger.ledger_reverse(
        entry=benefit, description="医保退费冲销", source=Source("test.settlement", "JS2026-88", "correction")
    )
    assert again == reversal
    with pytest.raises(Conflict) as refused:
        ledger.ledger_reverse(entry=benefit, description="再次冲销")
    assert refused.value.code == "already_reversed"
    with pytest.raises(Conflict):
        ledger.ledger_reverse(entry=reversal, description="冲销的冲销")
    assert LedgerEntry.objects.count() == 3


def test_the_database_allows_one_reversal_per_entry(books: Books) -> None:
    entry = contribute(books, "60.00")
    LedgerEntry.objects.create(
        posted_on=date(2026, 1, 1), description="冲销", source_type="t", source_id="1", purpose="r", reverses=entry
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(
            posted_on=date(2026, 1, 1), description="冲销", source_type="t", source_id="2", purpose="r", reverses=entry
        )


def test_a_reversal_that_would_overdraw_is_refused(books: Books) -> None:
    contribution = contribute(books, "5000.00")
    grant(books, "4000.00")
    with pytest.raises(Conflict):
        ledger.ledger_reverse(entry=contribution, description="退回会费")
    assert not LedgerEntry.objects.filter(reverses=contribution).exists()


def test_a_posted_entry_is_never_changed_nor_removed_through_the_orm(books: Books) -> None:
    entry = contribute(books, "60.00")
    line = entry.lines.first()
    assert line is not None
    entry.description = "改过的摘要"
    line.amount = D("61.00")
    for attempt in (entry.save, entry.delete, line.save, line.delete):
        with pytest.raises(LedgerIsAppendOnly):
            attempt()
    with pytest.raises(LedgerIsAppendOnly):
        LedgerLine.objects.filter(pk=line.pk).update(amount=D("1.00"))
    with pytest.raises(LedgerIsAppendOnly):
        LedgerEntry.objects.all().delete()
    assert LedgerEntry.objects.get(pk=entry.pk).description == "2026年度互助会费"


def test_amounts_with_more_than_two_places_are_refused_on_save(books: Books) -> None:
    entry = contribute(books, "60.00")
    with pytest.raises(MoneyError):
        LedgerLine.objects.create(entry=entry, fund=books.pool, amount=D("0.005"))


def test_renaming_a_fund_leaves_its_balance_alone(books: Books) -> None:
    stale = Fund.objects.get(pk=books.pool.pk)
    contribute(books, "60.00")
    stale.name = "职工医疗互助资金"
    stale.save()
    assert fresh(books.pool).balance == D("60.00") and fresh(books.pool).name == "职工医疗互助资金"


def test_a_balance_written_around_the_service_is_found(books: Books) -> None:
    contribute(books, "60.00")
    Fund.objects.filter(pk=books.pool.pk).update(balance=D("70.00"))
    assert ledger.ledger_discrepancies() == [(fresh(books.pool), D("70.00"), D("60.00"))]


def test_the_sum_is_exact_to_the_fen_over_many_lines(books: Books) -> None:
    """SQLite keeps decimals as floating point: 0.10 added a thousand times is not 100 there."""
    drafts = [
        ledger.Draft(
            source=Source("test.contribution", str(n), "contribution"),
            legs=(Leg(books.outside, D("-0.10")), Leg(books.pool, D("0.10"))),
            description="会费",
        )
        for n in range(1000)
    ]
    ledger.ledger_post_many(drafts=drafts)
    assert ledger.fund_balance(books.pool) == D("100.00") == fresh(books.pool).balance


def test_fund_open_is_repeatable_and_refuses_a_clash(books: Books) -> None:
    assert ledger.fund_open(code="test:HN:pool", name="互助资金", kind=FundKind.POOL, owner_path="0001") == books.pool
    with pytest.raises(Conflict):
        ledger.fund_open(code="test:HN:pool", name="互助资金", kind=FundKind.PAYABLE, owner_path="0001")


def test_each_officer_sees_the_funds_of_their_own_subtree(fed) -> None:
    city = open_books(owner_path=fed.city.path, code="HN")
    town_b = open_books(owner_path=fed.town_b.path, code="XC")
    contribute(town_b, "60.00")
    assert set(ledger.fund_list(scope=fed.scope(fed.city_staff))) >= {city.pool, town_b.pool}
    assert town_b.pool not in ledger.fund_list(scope=fed.scope(fed.town_a_staff))
    assert town_b.pool in ledger.fund_list(scope=fed.scope(fed.town_b_staff))
    assert city.pool not in ledger.fund_list(scope=fed.scope(fed.town_b_staff))
    assert not ledger.fund_list(scope=fed.scope(fed.member_user)).exists()
    assert not ledger.entry_list(scope=fed.scope(fed.town_a_staff)).exists()
    assert ledger.entry_list(scope=fed.scope(fed.town_b_staff)).count() == 1


# --- PostgreSQL's own guards ---------------------------------------------------------------


@pytest.mark.postgres_only
def test_postgresql_refuses_raw_updates_and_deletes_of_posted_rows(books: Books) -> None:
    entry = contribute(books, "60.00")
    for sql in (
        "UPDATE core_ledgerline SET amount = 61 WHERE entry_id = %s",
        "DELETE FROM core_ledgerline WHERE entry_id = %s",
        "UPDATE core_ledgerentry SET description = 'x' WHERE id = %s",
        "DELETE FROM core_ledgerentry WHERE id = %s",
    ):
        with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [entry.pk])


@pytest.mark.postgres_only
def test_postgresql_refuses_at_commit_an_entry_that_does_not_balance(books: Books) -> None:
    entry = contribute(books, "60.00")
    with pytest.raises(IntegrityError, match="does not balance"), transaction.atomic():
        LedgerLine.objects.create(entry=entry, fund=books.pool, amount=D("1.00"))
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


# --- many at once --------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_parallel_grants_never_overdraw_the_pool() -> None:
    books = open_books()
    contribute(books, "5000.00")
    results = run_together(10, lambda n: grant(books, "1000.00", claim=str(n)))
    granted = [r for r in results if isinstance(r, LedgerEntry)]
    assert len(granted) == 5, results
    assert all(isinstance(r, Conflict) or "locked" in str(r) for r in results if r not in granted)
    assert fresh(books.pool).balance == 0 == ledger.fund_balance(books.pool)


@pytest.mark.django_db(transaction=True)
def test_the_same_payment_sent_twenty_times_at_once_is_posted_once() -> None:
    books = open_books()
    contribute(books, "5000.00")
    results = run_together(20, lambda n: grant(books, "1000.00", claim="88"))
    entries = {r.pk for r in results if isinstance(r, LedgerEntry)}
    assert len(entries) == 1, results
    assert LedgerEntry.objects.filter(purpose="benefit").count() == 1
    assert fresh(books.pool).balance == D("4000.00") == ledger.fund_balance(books.pool)
