"""The books every money programme shares (mutual-aid benefits, hardship grants, union funds):
post an entry, reverse one, read a balance. Tables in core/ledger_models.py.

Rules, and what holds each one:
- An entry's lines add up to zero: checked here before anything is stored; on PostgreSQL a
  deferred constraint trigger checks it again at commit (migration core 0007).
- A posted entry is never changed or removed: the models refuse save and delete, their
  querysets refuse update and delete, and on PostgreSQL a trigger refuses UPDATE and DELETE.
  A mistake is undone by `ledger_reverse`, a new entry pointing at the old one; the database
  allows one reversal per entry (a one-to-one key).
- The same event is posted once: (source_type, source_id, purpose) is unique. Posting it again
  with the same legs returns the entry already posted and changes nothing, so a retried or
  doubled request is harmless; with other legs it is refused.
- No fund but an outside one goes below zero. Here: the funds an entry touches are locked in
  key order (select_for_update: on PostgreSQL a row lock, so two postings to one fund queue
  and the second reads the balance the first left; the fixed order means two postings
  never wait for each other in a circle), their balances are checked, and the new balances
  written in the same transaction as the lines. On SQLite select_for_update does nothing, but
  every transaction begins IMMEDIATE (config/settings.py), taking the database's one write
  lock at its start, so postings run one after another there too. Under both, the CHECK
  constraint fund_never_below_zero refuses a negative balance whatever path wrote it.
- Balances come from the lines: `fund_balance` sums them (as of any date); `Fund.balance` is
  that sum kept on the row so the CHECK above can see it, and `ledger_discrepancies` proves
  the two agree.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import IntegrityError, models, transaction
from django.db.models import F, Q, QuerySet, Sum
from django.db.models.functions import Round
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from gonghui.core.access import Role, Scope, StaffScope
from gonghui.core.errors import Conflict, ValidationFailed
from gonghui.core.ledger_models import Fund, FundKind, LedgerEntry, LedgerLine
from gonghui.core.money import CENT, ZERO, MoneyError, format_money, money

if TYPE_CHECKING:
    from django.contrib.auth.models import User


@dataclass(frozen=True)
class Source:
    """What an entry records: the row it is about, and what it did to it."""

    type: str  # "app_label.model"
    id: str
    purpose: str

    @classmethod
    def of(cls, row: models.Model, purpose: str) -> Source:
        return cls(row._meta.label_lower, str(row.pk), purpose)


@dataclass(frozen=True)
class Leg:
    fund: Fund
    amount: Decimal  # into the fund (positive) or out of it (negative)


@dataclass(frozen=True)
class Draft:
    """An entry before it is posted."""

    source: Source
    legs: tuple[Leg, ...]
    description: str
    posted_on: date | None = None
    reverses: LedgerEntry | None = None


class Overdrawn(Conflict):
    code = "overdrawn"


class AlreadyPosted(Conflict):
    code = "already_posted"


class AlreadyReversed(Conflict):
    code = "already_reversed"


# --- funds -------------------------------------------------------------------------------


def fund_open(*, code: str, name: str, kind: str, owner_path: str = "") -> Fund:
    """The fund under `code`, opened if it is new. A programme calls this where it needs its
    fund (a scheme year's pool), so opening twice is harmless."""
    if kind not in FundKind.values:
        raise ValidationFailed(gettext_noop("资金账户类别不正确"), field="kind")
    fund, created = Fund.objects.get_or_create(
        code=code, defaults={"name": name, "kind": kind, "owner_path": owner_path}
    )
    if not created and (fund.kind != kind or fund.owner_path != owner_path):
        raise Conflict(gettext_noop("该编码的资金账户已存在，类别或所属组织不同"), field="code")
    return fund


# --- posting -----------------------------------------------------------------------------


def ledger_post(
    *,
    source: Source,
    legs: Sequence[Leg],
    description: str,
    by: User | None = None,
    posted_on: date | None = None,
) -> LedgerEntry:
    """Post one entry (see ledger_post_many)."""
    draft = Draft(source=source, legs=tuple(legs), description=description, posted_on=posted_on)
    return ledger_post_many(drafts=[draft], by=by)[0]


@transaction.atomic
def ledger_post_many(*, drafts: Sequence[Draft], by: User | None = None) -> list[LedgerEntry]:
    """Post entries together, all or none, in one lock of their funds and a few queries
    whatever their number (a payment batch). Each draft already posted with the same legs
    gives back its entry; the entries come back in the drafts' order."""
    for draft in drafts:
        _check_draft(draft)
    _check_distinct_sources(drafts)
    funds = _lock_funds({leg.fund.pk for draft in drafts for leg in draft.legs})
    posted = _posted(drafts)
    new = [draft for draft in drafts if draft.source not in posted]
    if new:
        balances = _balances_after(funds, new)
        try:
            with transaction.atomic():
                created = _insert(new, by=by)
        except IntegrityError:
            # Posted by someone else since we looked (on funds we did not lock), or a second
            # reversal of one entry: give back theirs if it is the same event, else refuse.
            return _after_race(drafts)
        _write_balances(funds, balances)
        posted.update({draft.source: entry for draft, entry in zip(new, created, strict=True)})
    return [posted[draft.source] for draft in drafts]


def ledger_reverse(
    *,
    entry: LedgerEntry,
    description: str,
    by: User | None = None,
    source: Source | None = None,
    posted_on: date | None = None,
) -> LedgerEntry:
    """Undo `entry` by a new entry with every line negated, pointing at it. `source` names
    what caused the reversal (an insurer's correction record); by default the reversed
    entry itself. An entry is reversed at most once, and a reversal is not reversed."""
    if entry.reverses_id is not None:
        raise Conflict(gettext_noop("冲销凭证不能再冲销"), code="reversal_of_reversal")
    wanted = source or Source.of(entry, "reversal")
    existing = LedgerEntry.objects.filter(reverses=entry).first()
    if existing is not None:
        if Source(existing.source_type, existing.source_id, existing.purpose) == wanted:
            return existing  # the same reversal asked for again
        raise AlreadyReversed(gettext_noop("该凭证已冲销"))
    legs = tuple(Leg(fund=line.fund, amount=-line.amount) for line in entry.lines.select_related("fund"))
    draft = Draft(source=wanted, legs=legs, description=description, posted_on=posted_on, reverses=entry)
    return ledger_post_many(drafts=[draft], by=by)[0]


def _check_draft(draft: Draft) -> None:
    source = draft.source
    if not (source.type and source.id and source.purpose):
        raise ValidationFailed(gettext_noop("记账凭证须注明来源类型、来源编号和用途"), field="source")
    if len(source.type) > 60 or len(source.id) > 64 or len(source.purpose) > 40:
        raise ValidationFailed(gettext_noop("记账来源过长"), field="source")
    if not draft.description.strip() or len(draft.description) > 200:
        raise ValidationFailed(gettext_noop("摘要不能为空，最多200个字"), field="description")
    if len(draft.legs) < 2:
        raise ValidationFailed(gettext_noop("一笔记账至少涉及两个资金账户"), field="legs")
    try:
        amounts = [money(leg.amount) for leg in draft.legs]
    except MoneyError as err:
        raise ValidationFailed(str(err), field="legs") from None
    if any(amount == 0 for amount in amounts):
        raise ValidationFailed(gettext_noop("记账金额不能为零"), field="legs")
    if sum(amounts, ZERO) != 0:
        raise ValidationFailed(gettext_noop("借贷不平：各分录金额合计应为零"), field="legs")
    if len({leg.fund.currency for leg in draft.legs}) != 1:
        raise ValidationFailed(gettext_noop("一笔记账只能使用一种币种"), field="legs")


def _check_distinct_sources(drafts: Sequence[Draft]) -> None:
    sources = [draft.source for draft in drafts]
    if len(set(sources)) != len(sources):
        raise ValidationFailed(gettext_noop("同一来源在一次记账中出现了两次"), field="source")


def _lock_funds(fund_ids: Iterable[int]) -> dict[int, Fund]:
    """The funds, locked in key order, with the balances the last committed posting left."""
    rows = Fund.objects.select_for_update().filter(pk__in=list(fund_ids)).order_by("pk")
    return {fund.pk: fund for fund in rows}


def _source_q(sources: Iterable[Source]) -> Q:
    q = Q(pk__in=[])
    for source in sources:
        q |= Q(source_type=source.type, source_id=source.id, purpose=source.purpose)
    return q


def _posted(drafts: Sequence[Draft]) -> dict[Source, LedgerEntry]:
    """The drafts' events already in the books, each checked to be the same posting."""
    posted: dict[Source, LedgerEntry] = {}
    by_source = {draft.source: draft for draft in drafts}
    for start in range(0, len(drafts), 500):  # keeps each query's parameters few
        chunk = [draft.source for draft in drafts[start : start + 500]]
        for entry in LedgerEntry.objects.filter(_source_q(chunk)).prefetch_related("lines"):
            source = Source(entry.source_type, entry.source_id, entry.purpose)
            _require_same(entry, by_source[source])
            posted[source] = entry
    return posted


def _require_same(entry: LedgerEntry, draft: Draft) -> None:
    stored = sorted((line.fund_id, line.amount) for line in entry.lines.all())
    wanted = sorted((leg.fund.pk, money(leg.amount)) for leg in draft.legs)
    reverses = draft.reverses.pk if draft.reverses is not None else None
    if stored != wanted or entry.reverses_id != reverses:
        raise AlreadyPosted(gettext_noop("该来源已记过一笔金额不同的账目，请先冲销原凭证"), field="source")


def _balances_after(funds: dict[int, Fund], drafts: Sequence[Draft]) -> dict[int, Decimal]:
    change: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for draft in drafts:
        for leg in draft.legs:
            change[leg.fund.pk] += money(leg.amount)
    after = {}
    for fund_id, delta in change.items():
        fund = funds[fund_id]
        after[fund_id] = fund.balance + delta
        if fund.kind != FundKind.OUTSIDE and after[fund_id] < 0:
            raise Overdrawn(
                gettext("「%(fund)s」余额不足：余额 %(balance)s 元，本次支出 %(amount)s 元")
                % {"fund": fund.name, "balance": format_money(fund.balance), "amount": format_money(-delta)}
            )
    return after


def _insert(drafts: Sequence[Draft], *, by: User | None) -> list[LedgerEntry]:
    today = timezone.localdate()
    entries = LedgerEntry.objects.bulk_create(
        [
            LedgerEntry(
                posted_on=draft.posted_on or today,
                description=draft.description.strip(),
                source_type=draft.source.type,
                source_id=draft.source.id,
                purpose=draft.source.purpose,
                reverses=draft.reverses,
                created_by=by,
            )
            for draft in drafts
        ]
    )
    LedgerLine.objects.bulk_create(
        [
            LedgerLine(entry=entry, fund_id=leg.fund.pk, amount=money(leg.amount), currency=leg.fund.currency)
            for draft, entry in zip(drafts, entries, strict=True)
            for leg in draft.legs
        ]
    )
    return entries


def _write_balances(funds: dict[int, Fund], balances: dict[int, Decimal]) -> None:
    # The new balance itself, not balance + delta in SQL: SQLite adds decimals as floating
    # point, and the error would grow with every posting; the row is locked, so it is exact.
    for fund_id, balance in balances.items():
        Fund.objects.filter(pk=fund_id).update(balance=balance)
        funds[fund_id].balance = balance


def _after_race(drafts: Sequence[Draft]) -> list[LedgerEntry]:
    posted = _posted(drafts)
    if len(posted) != len(drafts):
        raise AlreadyPosted(gettext_noop("同时有另一笔相同的记账，请重试"), field="source")
    return [posted[draft.source] for draft in drafts]


# --- reading -----------------------------------------------------------------------------


def ledger_entry_for(source: Source) -> LedgerEntry | None:
    """The entry posted for this event, if any."""
    return LedgerEntry.objects.filter(source_type=source.type, source_id=source.id, purpose=source.purpose).first()


def _exact_sum(lines: QuerySet[LedgerLine]) -> Decimal:
    # Summed in whole fen: SQLite keeps decimals as floating point and would add them with
    # rounding error; whole numbers add exactly (below 2**53 fen) there and in PostgreSQL.
    fen = lines.aggregate(total=Sum(Round(F("amount") * 100), output_field=models.BigIntegerField()))["total"]
    return (Decimal(int(fen or 0)) * CENT).quantize(CENT)


def fund_balance(fund: Fund, *, as_of: date | None = None) -> Decimal:
    """The fund's balance from its lines, at the end of `as_of` (default: now)."""
    lines = LedgerLine.objects.filter(fund=fund)
    if as_of is not None:
        lines = lines.filter(entry__posted_on__lte=as_of)
    return _exact_sum(lines)


def fund_flows(fund: Fund, *, start: date, end: date) -> tuple[Decimal, Decimal]:
    """Money into and out of the fund in [start, end] (out as a positive amount)."""
    lines = LedgerLine.objects.filter(fund=fund, entry__posted_on__range=(start, end))
    return _exact_sum(lines.filter(amount__gt=0)), -_exact_sum(lines.filter(amount__lt=0))


def ledger_discrepancies() -> list[tuple[Fund, Decimal, Decimal]]:
    """Funds whose kept balance differs from the sum of their lines: (fund, kept, summed).
    Empty unless something wrote around the posting service."""
    return [
        (fund, fund.balance, summed) for fund in Fund.objects.all() if (summed := fund_balance(fund)) != fund.balance
    ]


def fund_list(*, scope: Scope) -> QuerySet[Fund]:
    """Funds of organisations in the scope; funds of no organisation only to city staff."""
    if not isinstance(scope, StaffScope):
        return Fund.objects.none()
    owned = Q(owner_path__startswith=scope.organisation_path) & ~Q(owner_path="")
    return Fund.objects.filter(owned | Q(owner_path="") if scope.role == Role.CITY else owned)


def entry_list(*, scope: Scope) -> QuerySet[LedgerEntry]:
    """Entries with a line on a fund the scope sees."""
    return LedgerEntry.objects.filter(lines__fund__in=fund_list(scope=scope)).distinct()
