"""The demo's payments (core/demo.py, order 43, after the claims (40), the contributions
into the pool (41) and the review that approves them (42)): every member with an approved
claim gets a payee account, and each month's approved claims are paid in a batch on the
15th of the month after, marked paid with a bank reference like ICBC2023061500123, through
the same services a city's staff use. If the pool runs short the month's batch is cancelled
and paying stops there (logged): the books are never overdrawn, not even in a demo."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Min, QuerySet
from django.utils.translation import gettext_noop

from gonghui.core import demo
from gonghui.core.access import Role, StaffScope
from gonghui.core.ledger import Overdrawn
from gonghui.members.models import Person
from gonghui.mutual_aid import payments
from gonghui.mutual_aid.models import BankAccount, Claim, ClaimStatus, PaymentBatch

# (bank, card number prefix): the banks a county-level city's workers mostly hold cards of.
BANKS = (
    ("中国工商银行", "622202"),
    ("中国农业银行", "622848"),
    ("中国建设银行", "621700"),
    ("中国银行", "621661"),
    ("浙江农商银行", "621058"),
    ("中国邮政储蓄银行", "621799"),
)
BANK_WEIGHTS = (30, 25, 15, 10, 15, 5)
CARD_LENGTH = 19


def pay_demo_claims(ctx: demo.DemoContext) -> None:
    city = ctx.city.node.org
    claims = Claim.objects.filter(enrolment__union__path__startswith=city.path, status=ClaimStatus.APPROVED)
    first = claims.aggregate(first=Min("settled_on"))["first"]
    if first is None:
        ctx.log("  payments: no approved claims")
        return
    _give_accounts(ctx, claims)
    scope = StaffScope(user=None, role=Role.CITY, organisation_id=city.pk, organisation_path=city.path)
    month, paid = date(first.year, first.month, 1), 0
    while (paid_on := _next_month(month) + timedelta(days=14)) <= ctx.as_of:
        settled_to = _next_month(month) - timedelta(days=1)
        batch = None  # nothing settled that month; any other refusal is a bug and stops the demo
        if payments.payment_plan(scope=scope, settled_to=settled_to).lines:
            batch = payments.payment_batch_create(scope=scope, settled_to=settled_to)
        if batch is not None and not _pay(ctx, scope, batch, paid_on):
            break
        paid += batch.line_count if batch is not None else 0
        month = _next_month(month)
    ctx.log(f"  payments: {paid} claims paid")


def _pay(ctx: demo.DemoContext, scope: StaffScope, batch: PaymentBatch, paid_on: date) -> bool:
    reference = f"ICBC{paid_on:%Y%m%d}{ctx.city_number:02d}{batch.pk % 1000:03d}"
    try:
        payments.payment_batch_mark_paid(scope=scope, batch=batch, bank_reference=reference, paid_on=paid_on)
    except Overdrawn as err:
        payments.payment_batch_cancel(scope=scope, batch=batch)
        ctx.log(f"  payments: stopped at {paid_on}: {err.message}")
        return False
    return True


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _give_accounts(ctx: demo.DemoContext, claims: QuerySet[Claim]) -> None:
    without = (
        Person.objects.filter(pk__in=claims.values("person_id"))
        .exclude(mutual_aid_bank_account__isnull=False)
        .order_by("pk")
        .only("pk", "name")
    )
    place = ctx.city_spec.name.removesuffix("市") if ctx.city_spec is not None else ""
    rows = []
    for person in without:
        bank, prefix = ctx.rng.choices(BANKS, weights=BANK_WEIGHTS)[0]
        digits = "".join(str(ctx.rng.randrange(10)) for _ in range(CARD_LENGTH - len(prefix)))
        rows.append(
            BankAccount(
                person=person, holder_name=person.name, bank_name=f"{bank}{place}支行", account_number=prefix + digits
            )
        )
    BankAccount.objects.bulk_create(rows, batch_size=demo.BATCH)


PAYMENTS_DEMO = demo.DemoContribution(
    key="mutual_aid.payments",
    each_city=pay_demo_claims,
    counts=(
        demo.DemoCount(
            "mutual_aid_payment_batches", gettext_noop("补助支付批次"), PaymentBatch.objects.count, order=43
        ),
        demo.DemoCount(
            "mutual_aid_claims_paid",
            gettext_noop("已支付理赔"),
            lambda: Claim.objects.filter(status=ClaimStatus.PAID).count(),
            order=43,
        ),
    ),
    order=43,
)
