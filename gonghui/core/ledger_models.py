"""The ledger's tables: funds, and entries made of lines that balance to zero (double entry).
Written only by the services in core/ledger.py; imported by core/models.py so Django sees them.

Why double entry rather than single-sided postings: every yuan that leaves a fund arrives
somewhere the ledger can name (owed to a payee, then paid to the outside world), so "how much
is owed and not yet paid" and "how much came in" are balances like any other, and an entry
that does not add up is refused before it is stored.

Why the source reference sits on the entry, not on each line: one business event (this
claim's benefit, this batch's payment of this claim) is one entry, whose lines are its legs;
the event is what must happen at most once, so (source_type, source_id, purpose) is unique
per entry. Two legs of one event would otherwise need different "purposes" only to pass a
per-line constraint.

Why the owner is a tree path, not a key: core holds no key into a domain app (as Job and
AuditEntry); the path is what a Scope checks, and the programme's own rows (a scheme year,
a union's accounts) keep the key to their fund.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gonghui.core.money import CURRENCIES, CURRENCY, ZERO, MoneyField


class LedgerIsAppendOnly(Exception):
    """A posted entry or line was about to be changed or removed."""


class FundKind(models.TextChoices):
    POOL = "pool", _("资金池")  # money held for a purpose: what can be paid out from it
    PAYABLE = "payable", _("应付款")  # granted to payees and not yet paid to them
    OUTSIDE = "outside", _("外部往来")  # the world beyond the ledger: money comes from it and goes to it


class Fund(models.Model):
    """An account of the ledger. Its balance is the sum of its lines; `balance` is that sum
    kept on the row by the posting service in the same transaction, so the database itself
    can refuse an overdraft (the CHECK below) on PostgreSQL and SQLite alike. Only an outside
    fund, which stands for everyone else, goes below zero."""

    code = models.CharField("编码", max_length=80, unique=True)  # a programme's stable key, e.g. "mutual_aid:HN:pool"
    name = models.CharField("名称", max_length=200)
    kind = models.CharField("类别", max_length=10, choices=FundKind.choices)
    owner_path = models.CharField("所属组织路径", max_length=255, blank=True)
    currency = models.CharField("币种", max_length=3, default=CURRENCY)
    balance = MoneyField("余额", default=ZERO, editable=False)
    created_at = models.DateTimeField("开立时间", auto_now_add=True)

    class Meta:
        verbose_name = "资金账户"
        verbose_name_plural = "资金账户"
        ordering = ["code"]
        indexes = [models.Index(fields=["owner_path"], name="fund_owner_path_idx", opclasses=["varchar_pattern_ops"])]
        constraints = [
            models.CheckConstraint(name="fund_never_below_zero", condition=Q(kind="outside") | Q(balance__gte=0)),
            models.CheckConstraint(name="fund_currency_known", condition=Q(currency__in=CURRENCIES)),
            models.CheckConstraint(name="fund_kind_known", condition=Q(kind__in=FundKind.values)),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A rename must not write back a balance read before someone else's posting.
        if not self._state.adding and kwargs.get("update_fields") is None:
            names = [f.name for f in self._meta.concrete_fields if not f.primary_key and f.name != "balance"]
            kwargs["update_fields"] = names
        super().save(*args, **kwargs)


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise LedgerIsAppendOnly("记账凭证一经过账不能修改，请做冲销")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise LedgerIsAppendOnly("记账凭证一经过账不能删除，请做冲销")


class AppendOnly(models.Model):
    """Rows that are written once. On PostgreSQL a trigger refuses UPDATE and DELETE as well
    (migration core 0007), so not even raw SQL from the application rewrites the books."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise LedgerIsAppendOnly("记账凭证一经过账不能修改，请做冲销")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise LedgerIsAppendOnly("记账凭证一经过账不能删除，请做冲销")


class LedgerEntry(AppendOnly):
    """One business event in the books: its lines move money between funds and add up to
    zero. A mistake is undone by a reversal, a new entry pointing at this one (at most one)."""

    posted_on = models.DateField("记账日期", db_index=True)
    description = models.CharField("摘要", max_length=200)
    source_type = models.CharField("来源类型", max_length=60)  # "app_label.model", e.g. "mutual_aid.claim"
    source_id = models.CharField("来源编号", max_length=64)
    purpose = models.CharField("用途", max_length=40)  # what the event did to the source: "benefit", "payment"
    reverses = models.OneToOneField(
        "self", verbose_name="冲销的凭证", null=True, blank=True, on_delete=models.PROTECT, related_name="reversal"
    )
    created_at = models.DateTimeField("过账时间", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="过账人",
        null=True,
        blank=True,  # blank: the system (a scheduled batch)
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = "记账凭证"
        verbose_name_plural = "记账凭证"
        ordering = ["-posted_on", "-pk"]
        constraints = [
            # The same event (this claim's benefit, this claim's payment) is posted once.
            models.UniqueConstraint(fields=["source_type", "source_id", "purpose"], name="ledger_entry_source_once"),
            models.CheckConstraint(
                name="ledger_entry_has_source", condition=~Q(source_type="") & ~Q(source_id="") & ~Q(purpose="")
            ),
            models.CheckConstraint(name="ledger_entry_not_self_reversal", condition=~Q(reverses=models.F("pk"))),
        ]

    def __str__(self) -> str:
        return f"{self.posted_on:%Y-%m-%d} {self.description}"


class LedgerLine(AppendOnly):
    """One leg of an entry: money into (positive) or out of (negative) one fund."""

    entry = models.ForeignKey(LedgerEntry, verbose_name="凭证", on_delete=models.PROTECT, related_name="lines")
    fund = models.ForeignKey(Fund, verbose_name="资金账户", on_delete=models.PROTECT, related_name="lines")
    amount = MoneyField("金额")
    currency = models.CharField("币种", max_length=3, default=CURRENCY)

    class Meta:
        verbose_name = "记账分录"
        verbose_name_plural = "记账分录"
        ordering = ["entry_id", "pk"]
        indexes = [models.Index(fields=["fund", "entry"], name="ledger_line_fund_idx")]
        constraints = [
            models.CheckConstraint(name="ledger_line_not_zero", condition=~Q(amount=0)),
            models.CheckConstraint(name="ledger_line_currency_known", condition=Q(currency__in=CURRENCIES)),
        ]

    def __str__(self) -> str:
        return f"{self.fund} {self.amount}"
