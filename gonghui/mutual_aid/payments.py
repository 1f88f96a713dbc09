"""Paying approved claims: a batch of transfers, its bank file, and marking it paid.

Who: city staff for the whole city, town staff for their town's subtree (a town pays its
own members' claims; a city batch takes what no town batch holds). Union officers and
members are refused (403); a batch of another town is not found (404).

Exactly once, held by the database as well as here:
- a claim is on at most one live line that pays it (partial unique index), and an
  adjustment on at most one live line (likewise), so two batches never hold the same claim
  however they race; cancelling a batch makes its lines not live, releasing the claims;
- marking paid locks the batch row first, so requests for one batch queue; the second sees
  it paid with the same reference and changes nothing, with another reference it is refused;
- each line posts one ledger entry whose source is the claim (purpose "paid"; a line of
  later adjustments only: the line), unique in the ledger, so not even a path around this
  module pays a claim twice; the claim's CHECK ties status paid to a paid_on date.
If the pool lacks the money the ledger refuses (Overdrawn) and the transaction leaves
everything as it was: batch unpaid, claims approved, nothing posted.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from gonghui.accounts.models import Account
from gonghui.core.access import Role, Scope, StaffScope
from gonghui.core.audit import audit_record
from gonghui.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from gonghui.core.ledger import Draft, Leg, Source, ledger_post_many
from gonghui.core.models import AuditEntry
from gonghui.core.money import ZERO, format_money
from gonghui.core.notifications import notify
from gonghui.core.xlsx import Book
from gonghui.members.exports import csv_bytes
from gonghui.mutual_aid.funds import scheme_outside, scheme_pool
from gonghui.mutual_aid.models import (
    BankAccount,
    BenefitRuleSet,
    Claim,
    ClaimAdjustment,
    ClaimStatus,
    PaymentBatch,
    PaymentBatchStatus,
    PaymentLine,
    PaymentLineAdjustment,
)
from gonghui.mutual_aid.services import rule_set_freeze

EXPORT_PERMISSION = "members.view_full_identity"  # the file shows whole account numbers
PAYERS = gettext_noop("只有市、镇（街道）总工会工作人员可以办理补助支付")
PAID_PURPOSE = "paid"


class Held:
    """Why an item is left out of a batch (numbered like the calculator's reasons)."""

    NO_ACCOUNT = "no_account"
    NEGATIVE = "negative"
    ZERO = "zero"


HELD_TEXT = {
    Held.NO_ACCOUNT: gettext_noop("未登记收款银行账户"),
    Held.NEGATIVE: gettext_noop("调整后为负数（多付，待追回），不予支付"),
    Held.ZERO: gettext_noop("调整后金额为零，无需支付"),
}


@dataclass
class Planned:
    """One transfer a batch would make."""

    claim: Claim
    pays_claim: bool
    claim_amount: Decimal
    adjustments: list[ClaimAdjustment] = field(default_factory=list)

    @property
    def adjustment_amount(self) -> Decimal:
        return sum((a.amount for a in self.adjustments), ZERO)

    @property
    def amount(self) -> Decimal:
        return self.claim_amount + self.adjustment_amount


@dataclass(frozen=True)
class Plan:
    lines: list[tuple[Planned, BankAccount]]
    held: list[dict[str, Any]]
    federation_id: int | None = None

    @property
    def total(self) -> Decimal:
        return sum((planned.amount for planned, _ in self.lines), ZERO)


# --- who -----------------------------------------------------------------------------------


def require_payer(scope: Scope) -> StaffScope:
    staff = scope.require_staff()
    if staff.role not in (Role.CITY, Role.TOWN):
        raise Forbidden(PAYERS)
    return staff


def payment_batch_list(*, scope: Scope) -> QuerySet[PaymentBatch]:
    staff = require_payer(scope)
    return PaymentBatch.objects.filter(scope_path__startswith=staff.organisation_path).select_related(
        "organisation", "created_by", "paid_by"
    )


def payment_batch_get(*, scope: Scope, pk: int) -> PaymentBatch:
    found = payment_batch_list(scope=scope).filter(pk=pk).first()
    if found is None:
        raise NotFound(gettext_noop("没有找到该支付批次，或不在您的管辖范围内"), field="batch")
    return found


def payment_lines(batch: PaymentBatch) -> QuerySet[PaymentLine]:
    return batch.lines.select_related("claim").order_by("pk")


# What planning needs of a claim and its member (not the member's sealed numbers).
_PLAN_FIELDS = ("id", "person", "person__name", "amount", "settlement_number", "status", "rule_set_id")


# --- what a batch would hold ---------------------------------------------------------------


def _in_scope(staff: StaffScope, prefix: str = "") -> Q:
    return Q(**{f"{prefix}enrolment__union__path__startswith": staff.organisation_path})


def payment_plan(*, scope: Scope, settled_to: date | None = None) -> Plan:
    """What a batch made now would pay, and what it would hold back and why: approved claims
    on no live line, with their approved adjustments netted in, and approved adjustments of
    claims already paid (a top-up). `settled_to`: only what the insurer settled by then."""
    staff = require_payer(scope)
    claims = Claim.objects.filter(_in_scope(staff), status=ClaimStatus.APPROVED).exclude(
        pk__in=PaymentLine.objects.filter(live=True, pays_claim=True).values("claim_id")
    )
    adjustments = ClaimAdjustment.objects.filter(
        _in_scope(staff, "claim__"),
        status=ClaimStatus.APPROVED,
        claim__status__in=(ClaimStatus.APPROVED, ClaimStatus.PAID),
    ).exclude(pk__in=PaymentLineAdjustment.objects.filter(live=True).values("adjustment_id"))
    if settled_to is not None:
        claims = claims.filter(_settled_by(settled_to))
        adjustments = adjustments.filter(_settled_by(settled_to, "claim__"))
    # A batch pays out of one federation's pool (the scheme's): with more in the scope (a
    # province's staff), one at a time.
    federation = _first_federation(claims, adjustments)
    claims = claims.filter(scheme_year__federation_id=federation)
    adjustments = adjustments.filter(claim__scheme_year__federation_id=federation)
    planned = _planned(list(claims.select_related("person").only(*_PLAN_FIELDS).order_by("pk")), adjustments)
    return _split(planned, federation)


def _first_federation(claims: QuerySet[Claim], adjustments: QuerySet[ClaimAdjustment]) -> int | None:
    ids = [
        *claims.values_list("scheme_year__federation_id", flat=True).order_by("scheme_year__federation_id")[:1],
        *adjustments.values_list("claim__scheme_year__federation_id", flat=True).order_by(
            "claim__scheme_year__federation_id"
        )[:1],
    ]
    return min(ids) if ids else None


def _settled_by(day: date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}settled_on__lte": day}) | Q(**{f"{prefix}settled_on": None, f"{prefix}admitted_on__lte": day})


def _planned(claims: list[Claim], adjustments: QuerySet[ClaimAdjustment]) -> list[Planned]:
    by_claim = {claim.pk: Planned(claim, True, claim.amount) for claim in claims}
    for adjustment in (
        adjustments.select_related("claim__person")
        .only("id", "claim", "amount", "rule_set_id", *(f"claim__{name}" for name in _PLAN_FIELDS))
        .order_by("claim_id", "pk")
    ):
        planned = by_claim.get(adjustment.claim_id)
        if planned is None:
            if adjustment.claim.status == ClaimStatus.APPROVED:
                continue  # its claim is on a live line: the adjustment waits for the next batch
            planned = by_claim[adjustment.claim_id] = Planned(adjustment.claim, False, ZERO)
        planned.adjustments.append(adjustment)
    return sorted(by_claim.values(), key=lambda p: p.claim.pk)


def _split(planned: list[Planned], federation_id: int | None) -> Plan:
    accounts = {a.person_id: a for a in BankAccount.objects.filter(person_id__in={p.claim.person_id for p in planned})}
    lines, held = [], []
    for item in planned:
        account = accounts.get(item.claim.person_id)
        reason = (
            Held.NEGATIVE
            if item.amount < 0
            else Held.ZERO
            if item.amount == 0
            else Held.NO_ACCOUNT
            if account is None
            else None
        )
        if reason is None and account is not None:
            lines.append((item, account))
        else:
            held.append(_held_row(item, str(reason)))
    return Plan(lines, held, federation_id)


def _held_row(item: Planned, reason: str) -> dict[str, Any]:
    return {
        "claim": item.claim.pk,
        "settlement_number": item.claim.settlement_number or "",
        "name": item.claim.person.name,
        "amount": str(item.amount),
        "reason": reason,
    }


def held_text(row: dict[str, Any]) -> str:
    return gettext(HELD_TEXT.get(row["reason"], row["reason"]))


# --- making and cancelling -----------------------------------------------------------------


@transaction.atomic
def payment_batch_create(*, scope: Scope, settled_to: date | None = None, note: str = "") -> PaymentBatch:
    """A batch of everything the plan pays; refused if it would pay nothing. Two made at
    once never share a claim: the second meets the partial unique index and is refused."""
    staff = require_payer(scope)
    note = " ".join(note.split())
    if len(note) > 200:
        raise ValidationFailed(gettext_noop("说明最多200个字"), field="note")
    plan = payment_plan(scope=staff, settled_to=settled_to)
    if not plan.lines or plan.federation_id is None:
        raise Conflict(gettext_noop("没有可支付的已批准理赔"), field="claims")
    batch = PaymentBatch.objects.create(
        federation_id=plan.federation_id,
        organisation_id=staff.organisation_id,
        scope_path=staff.organisation_path,
        note=note,
        line_count=len(plan.lines),
        total=plan.total,
        held=plan.held,
        created_by=_user(staff),
    )
    try:
        with transaction.atomic():
            _write_lines(batch, plan)
    except IntegrityError:
        raise Conflict(gettext_noop("其中有理赔已被另一个支付批次收入，请刷新后重试"), field="claims") from None
    return batch


def _write_lines(batch: PaymentBatch, plan: Plan) -> None:
    rows = [
        PaymentLine(
            batch=batch,
            claim=item.claim,
            person_id=item.claim.person_id,
            pays_claim=item.pays_claim,
            claim_amount=item.claim_amount,
            adjustment_amount=item.adjustment_amount,
            amount=item.amount,
            holder_name=account.holder_name,
            bank_name=account.bank_name,
            account_number=account.account_number,
        )
        for item, account in plan.lines
    ]
    PaymentLine.objects.bulk_create(rows)
    links = [
        PaymentLineAdjustment(line=row, adjustment=adjustment)
        for row, (item, _) in zip(rows, plan.lines, strict=True)
        for adjustment in item.adjustments
    ]
    PaymentLineAdjustment.objects.bulk_create(links)


def _locked(scope: Scope, batch: PaymentBatch) -> tuple[StaffScope, PaymentBatch]:
    staff = require_payer(scope)
    payment_batch_get(scope=staff, pk=batch.pk)
    return staff, PaymentBatch.objects.select_for_update().get(pk=batch.pk)


@transaction.atomic
def payment_batch_cancel(*, scope: Scope, batch: PaymentBatch) -> PaymentBatch:
    """Cancel an unpaid batch: its claims and adjustments are free for the next one.
    Cancelling again changes nothing; a paid batch is never cancelled (reverse it instead)."""
    _staff, locked = _locked(scope, batch)
    if locked.status == PaymentBatchStatus.CANCELLED:
        return locked
    if locked.status == PaymentBatchStatus.PAID:
        raise Conflict(gettext_noop("该批次已支付，不能作废"), field="status")
    PaymentLine.objects.filter(batch=locked).update(live=False)
    PaymentLineAdjustment.objects.filter(line__batch=locked).update(live=False)
    locked.status, locked.cancelled_at = PaymentBatchStatus.CANCELLED, timezone.now()
    locked.save(update_fields=["status", "cancelled_at", "updated_at"])
    return locked


# --- paying --------------------------------------------------------------------------------


def _reference(value: str) -> str:
    reference = "".join(value.split())
    if not reference or len(reference) > 40 or not reference.isascii() or not reference.isalnum():
        raise ValidationFailed(gettext_noop("请填写银行流水号（字母和数字，最多40位）"), field="bank_reference")
    return reference.upper()


@transaction.atomic
def payment_batch_mark_paid(*, scope: Scope, batch: PaymentBatch, bank_reference: str, paid_on: date) -> PaymentBatch:
    """The bank has made the transfers: post each line pool -> outside, set its claims paid
    on the bank's day, freeze the rule versions they were valued under, tell the members.
    All in one transaction; asked again with the same reference, nothing changes."""
    reference = _reference(bank_reference)
    if paid_on > timezone.localdate():
        raise ValidationFailed(gettext_noop("支付日期不能晚于今天"), field="paid_on")
    staff, locked = _locked(scope, batch)
    if locked.status == PaymentBatchStatus.PAID:
        if (locked.bank_reference, locked.paid_on) == (reference, paid_on):
            return locked  # the same confirmation again: a retried or doubled request
        raise Conflict(
            gettext("该批次已于 %(day)s 支付（银行流水号 %(ref)s）")
            % {"day": locked.paid_on.isoformat() if locked.paid_on else "", "ref": locked.bank_reference},
            field="bank_reference",
        )
    if locked.status == PaymentBatchStatus.CANCELLED:
        raise Conflict(gettext_noop("该批次已作废，不能支付"), field="status")
    if PaymentBatch.objects.filter(federation_id=locked.federation_id, bank_reference=reference).exists():
        raise Conflict(gettext_noop("该银行流水号已用于另一个批次"), field="bank_reference")
    lines = list(payment_lines(locked).filter(live=True))
    _post(locked, lines, paid_on, staff)
    _settle(lines, paid_on)
    locked.status, locked.bank_reference, locked.paid_on = PaymentBatchStatus.PAID, reference, paid_on
    locked.paid_by = _user(staff)
    try:
        with transaction.atomic():
            locked.save(update_fields=["status", "bank_reference", "paid_on", "paid_by", "updated_at"])
    except IntegrityError:  # another batch took the reference meanwhile
        raise Conflict(gettext_noop("该银行流水号已用于另一个批次"), field="bank_reference") from None
    _tell_members(lines, paid_on)
    return locked


def line_source(line: PaymentLine) -> Source:
    """A claim's own payment is the claim's "paid" event (once in the ledger, whichever
    batch); a line of later adjustments only is its own event."""
    return Source.of(line.claim, PAID_PURPOSE) if line.pays_claim else Source.of(line, PAID_PURPOSE)


def _post(batch: PaymentBatch, lines: list[PaymentLine], paid_on: date, staff: StaffScope) -> None:
    pool, outside = scheme_pool(batch.federation), scheme_outside(batch.federation)
    drafts = [
        Draft(
            source=line_source(line),
            legs=(Leg(pool, -line.amount), Leg(outside, line.amount)),
            description=f"互助保障补助支付 {batch.number} {line.claim.settlement_number or line.claim.pk}",
            posted_on=paid_on,
        )
        for line in lines
    ]
    ledger_post_many(drafts=drafts, by=_user(staff))  # Overdrawn: the whole transaction is undone


def _settle(lines: list[PaymentLine], paid_on: date) -> None:
    claim_ids = [line.claim_id for line in lines if line.pays_claim]
    paid = Claim.objects.filter(pk__in=claim_ids, status=ClaimStatus.APPROVED).update(
        status=ClaimStatus.PAID, paid_on=paid_on, updated_at=timezone.now()
    )
    if paid != len(claim_ids):
        # A claim changed since the batch was made (rejected on a second look): nothing is paid.
        raise Conflict(gettext_noop("批次中有理赔的状态已改变，请作废本批次后重新生成"), field="claims")
    adjustment_ids = list(
        PaymentLineAdjustment.objects.filter(line__in=lines, live=True).values_list("adjustment_id", flat=True)
    )
    ClaimAdjustment.objects.filter(pk__in=adjustment_ids).update(status=ClaimStatus.PAID, updated_at=timezone.now())
    versions = {line.claim.rule_set_id for line in lines} | set(
        ClaimAdjustment.objects.filter(pk__in=adjustment_ids).values_list("rule_set_id", flat=True)
    )
    for rule_set in BenefitRuleSet.objects.filter(pk__in=versions, frozen_at__isnull=True):
        rule_set_freeze(rule_set=rule_set)


def _tell_members(lines: list[PaymentLine], paid_on: date) -> None:
    users = {
        account.person_id: account.user
        for account in Account.objects.filter(
            person_id__in={line.person_id for line in lines}, role=Role.MEMBER
        ).select_related("user")
    }
    for line in lines:
        user = users.get(line.person_id)
        if user is None:
            continue
        notify(
            users=[user],
            kind="mutual_aid.claim_paid",
            title=gettext_noop("医疗互助补助已发放"),
            body=gettext_noop("您的医疗互助补助 %(amount)s 元已于 %(day)s 转入您尾号 %(tail)s 的银行账户。"),
            params={"amount": format_money(line.amount), "day": paid_on.isoformat(), "tail": line.account_number[-4:]},
            link="/mutual-aid/me/bank-account/",
        )


def _user(staff: StaffScope) -> Any:
    return staff.user if getattr(staff.user, "is_authenticated", False) else None


# --- the bank's transfer file ---------------------------------------------------------------

TRANSFER_COLUMNS = (("序号", 6), ("户名", 12), ("账号", 26), ("开户行", 30), ("金额", 12), ("用途/摘要", 40))


def _purpose(line: PaymentLine) -> str:
    return f"医疗互助补助 {line.claim.settlement_number or line.claim.pk}"


def transfer_rows(batch: PaymentBatch) -> Iterable[list[Any]]:
    for n, line in enumerate(payment_lines(batch).filter(live=True), start=1):
        yield [n, line.holder_name, line.account_number, line.bank_name, line.amount, _purpose(line)]


def transfer_file(
    *, scope: Scope, batch: PaymentBatch, fmt: str, request: HttpRequest | None = None
) -> tuple[bytes, str]:
    """The file the bank's batch-transfer service takes (whole account numbers, hence the
    reveal permission), as .xlsx or .csv with its file name; each download audited."""
    staff = require_payer(scope)
    batch = payment_batch_get(scope=staff, pk=batch.pk)
    if not staff.has_perm(EXPORT_PERMISSION):
        raise Forbidden(gettext_noop("您没有导出完整银行账号的权限"))
    if fmt not in ("xlsx", "csv"):
        raise ValidationFailed(gettext_noop("文件格式只能是 xlsx 或 csv"), field="format")
    if batch.status == PaymentBatchStatus.CANCELLED:
        raise Conflict(gettext_noop("该批次已作废"), field="status")
    rows = list(transfer_rows(batch))
    content = csv_bytes([[h for h, _ in TRANSFER_COLUMNS], *rows]) if fmt == "csv" else _workbook(rows)
    audit_record(
        actor=staff.user,
        action=AuditEntry.Action.EXPORT,
        subject=batch,
        request=request,
        detail={"what": "payment_transfer_file", "format": fmt, "lines": len(rows), "total": str(batch.total)},
    )
    return content, f"{batch.number}-转账.{fmt}"


def _workbook(rows: list[list[Any]]) -> bytes:
    book = Book()
    sheet = book.table("转账明细", TRANSFER_COLUMNS, text_columns=frozenset({"账号"}))
    for row in rows:
        sheet.append(row)
    return book.content()
