"""Medical mutual aid (职工医疗互助保障): the scheme a city federation runs each year, its
benefit rules in versions, and members' enrolments. Claims and payments come later and
post their money through the core ledger (core/ledger.py). See docs/mutual-aid.md."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Round
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from gonghui.core.crypto import EncryptedTextField
from gonghui.core.masking import mask_account
from gonghui.core.models import TimeStampedModel
from gonghui.core.money import ZERO, MoneyField
from gonghui.mutual_aid.calculator import Cover, Step
from gonghui.mutual_aid.rules import Rules, rules_parse


class Payer(models.TextChoices):
    UNION = "union", _("工会")
    EMPLOYER = "employer", _("用人单位")
    MEMBER = "member", _("个人")
    SPLIT = "split", _("分摊")


class SchemeYear(TimeStampedModel):
    """One year of a federation's scheme: when unions enrol their members, what it costs and
    who pays, when coverage runs, and the waiting period of first-time enrolees. Its
    benefit rules are BenefitRuleSet versions."""

    federation = models.ForeignKey(
        "organisations.Organisation", verbose_name="主办总工会", on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField("年度")
    enrolment_opens_on = models.DateField("参保登记开始")
    enrolment_closes_on = models.DateField("参保登记截止")
    coverage_starts_on = models.DateField("保障开始")
    coverage_ends_on = models.DateField("保障结束")
    contribution = MoneyField("每人每年互助金")
    payer = models.CharField("缴费方", max_length=10, choices=Payer.choices)
    # Percentages of the contribution each side pays; they add up to 100.
    union_share = models.DecimalField("工会承担（%）", max_digits=5, decimal_places=2)
    employer_share = models.DecimalField("单位承担（%）", max_digits=5, decimal_places=2)
    member_share = models.DecimalField("个人承担（%）", max_digits=5, decimal_places=2)
    waiting_days = models.PositiveSmallIntegerField("首次参保等待期（天）")

    class Meta:
        verbose_name = "互助保障年度"
        verbose_name_plural = "互助保障年度"
        ordering = ["federation_id", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["federation", "year"], name="scheme_year_once_per_federation"),
            models.CheckConstraint(
                name="scheme_year_window_in_order", condition=Q(enrolment_opens_on__lte=F("enrolment_closes_on"))
            ),
            models.CheckConstraint(
                name="scheme_year_coverage_in_order", condition=Q(coverage_starts_on__lte=F("coverage_ends_on"))
            ),
            models.CheckConstraint(name="scheme_year_contribution_not_negative", condition=Q(contribution__gte=0)),
            models.CheckConstraint(
                name="scheme_year_shares_make_100",
                condition=Q(union_share__gte=0, employer_share__gte=0, member_share__gte=0)
                # Rounded to the cent: SQLite keeps decimals as binary floats, whose sums are not exact.
                & Q(union_share=Round(Value(100) - F("employer_share") - F("member_share"), 2)),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}年度职工医疗互助保障"


class BenefitRuleSet(models.Model):
    """One version of a year's benefit rules (rules.py: the document and its check). A
    version applies to care admitted from its `effective_from` until the next version's.
    Once a claim is paid under it, it is frozen (`frozen_at`): never changed again, and a
    change makes a new version with its own start date (services.rule_set_change). On
    PostgreSQL a trigger refuses changing a frozen version's rules or start date."""

    scheme_year = models.ForeignKey(SchemeYear, verbose_name="年度", on_delete=models.PROTECT, related_name="rule_sets")
    version = models.PositiveSmallIntegerField("版本")
    effective_from = models.DateField("生效日期")
    rules = models.JSONField("补助规则")
    note = models.CharField("修改说明", max_length=200, blank=True)
    frozen_at = models.DateTimeField("冻结时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="创建人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "补助规则版本"
        verbose_name_plural = "补助规则版本"
        ordering = ["scheme_year_id", "version"]
        constraints = [
            models.UniqueConstraint(fields=["scheme_year", "version"], name="rule_set_version_once"),
            models.UniqueConstraint(fields=["scheme_year", "effective_from"], name="rule_set_start_once"),
            models.CheckConstraint(name="rule_set_version_positive", condition=Q(version__gte=1)),
        ]

    def __str__(self) -> str:
        return f"{self.scheme_year.year}年度规则 第{self.version}版"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            stored = type(self).objects.filter(pk=self.pk).values("frozen_at", "rules", "effective_from").first()
            if stored and stored["frozen_at"] is not None:
                kept = (stored["rules"], stored["effective_from"], stored["frozen_at"])
                if kept != (self.rules, self.effective_from, self.frozen_at):
                    raise RuleSetFrozen("该版本规则已冻结（已有按此版本支付的补助），不能修改")
        super().save(*args, **kwargs)

    @property
    def is_frozen(self) -> bool:
        return self.frozen_at is not None

    def parsed(self) -> Rules:
        return rules_parse(self.rules)


class RuleSetFrozen(Exception):
    """A frozen rule-set version was about to be changed (services raise a Conflict first)."""


class PaymentStatus(models.TextChoices):
    UNPAID = "unpaid", _("未缴费")
    PAID = "paid", _("已缴费")


class Enrolment(TimeStampedModel):
    """A member enrolled for one scheme year (one row per person and year: a person-time in
    the figures). Moving unions changes `union` (kept in the history); leaving ends the
    coverage early (`coverage_to`)."""

    person = models.ForeignKey(
        "members.Person", verbose_name="职工", on_delete=models.PROTECT, related_name="mutual_aid_enrolments"
    )
    scheme_year = models.ForeignKey(
        SchemeYear, verbose_name="年度", on_delete=models.PROTECT, related_name="enrolments"
    )
    union = models.ForeignKey(
        "organisations.Organisation", verbose_name="参保工会", on_delete=models.PROTECT, related_name="+"
    )
    employer = models.ForeignKey(
        "organisations.Employer",
        verbose_name="工作单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    enrolled_on = models.DateField("参保日期")
    coverage_from = models.DateField("保障起始")
    coverage_to = models.DateField("保障截止")
    first_time = models.BooleanField("首次参保", default=False)  # no cover the year before: the waiting period applies
    payment_status = models.CharField(
        "缴费状态", max_length=10, choices=PaymentStatus.choices, default=PaymentStatus.UNPAID
    )
    paid_on = models.DateField("缴费日期", null=True, blank=True)
    payment = models.ForeignKey(
        "EnrolmentPayment",
        verbose_name="缴费记录",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="enrolments",
    )
    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    class Meta:
        verbose_name = "互助保障参保"
        verbose_name_plural = "互助保障参保"
        ordering = ["scheme_year_id", "union_id", "pk"]
        indexes = [
            models.Index(fields=["scheme_year", "union"], name="enrolment_year_union_idx"),
            models.Index(fields=["person", "coverage_from"], name="enrolment_person_cover_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["person", "scheme_year"], name="enrolment_once_per_year"),
            models.CheckConstraint(name="enrolment_cover_in_order", condition=Q(coverage_from__lte=F("coverage_to"))),
            models.CheckConstraint(
                name="enrolment_paid_has_date",
                condition=Q(payment_status="paid", paid_on__isnull=False) | Q(payment_status="unpaid", paid_on=None),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.scheme_year.year}"

    def cover(self, *, waiting_days: int) -> Cover:
        """The dates this enrolment covers care, for the calculator."""
        return Cover.of(self.coverage_from, self.coverage_to, first_time=self.first_time, waiting_days=waiting_days)


# --- claims from settlement files (settlements.py) ----------------------------------------


class ClaimStatus(models.TextChoices):
    PENDING_REVIEW = "pending_review", _("待审核")
    APPROVED = "approved", _("已批准")
    REFUSED = "refused", _("不予补助")  # the rules give nothing: what it adds to the year still counts
    REJECTED = "rejected", _("审核未通过")  # a reviewer said no: it counts for nothing (accumulators.py)
    PAID = "paid", _("已支付")
    SUBMITTED = "submitted", _("待工会审核")  # filed by the member (member_claims.py)
    CHECKED = "checked", _("待审批")  # checked by the union's officer, awaiting the town or city


class BatchStatus(models.TextChoices):
    PENDING = "pending", _("等待处理")
    RUNNING = "running", _("处理中")
    DONE = "done", _("已完成")
    REJECTED = "rejected", _("文件有误")
    FAILED = "failed", _("失败")


class SettlementBatch(TimeStampedModel):
    """One uploaded medical-insurance settlement file and what its run made of it. The file is
    kept sealed (like an uploaded roster) only while its job waits or runs."""

    scheme_year = models.ForeignKey(SchemeYear, verbose_name="年度", on_delete=models.PROTECT, related_name="batches")
    organisation = models.ForeignKey(
        "organisations.Organisation", verbose_name="上传单位", on_delete=models.PROTECT, related_name="+"
    )
    scope_path = models.CharField("辖区路径", max_length=255)  # records match enrolments of unions under it
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="上传人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    filename = models.CharField("文件名", max_length=200)
    file = models.FileField(upload_to="settlements/", blank=True)
    job = models.ForeignKey("core.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField("状态", max_length=20, choices=BatchStatus.choices, default=BatchStatus.PENDING)
    record_count = models.PositiveIntegerField("记录数", default=0)
    claim_count = models.PositiveIntegerField("生成理赔", default=0)
    refused_count = models.PositiveIntegerField("补助为零", default=0)
    adjustment_count = models.PositiveIntegerField("冲销调整", default=0)
    issue_count = models.PositiveIntegerField("未匹配或拒绝", default=0)
    amount = MoneyField("补助合计", default=ZERO)
    error = models.TextField("文件错误", blank=True)  # the file as a whole could not be read
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "医保结算批次"
        verbose_name_plural = "医保结算批次"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"


class Claim(TimeStampedModel):
    """A benefit claim: from a settlement record (no visit, `settlement_number` set, unique)
    or, later, filed by a member. The bill is kept as the insurer gave it; an insurer's
    correction never edits it but adds a ClaimAdjustment. `added_*` are what the claim adds
    to the member's year (the calculator's `adds`), so accumulators are sums of columns."""

    # Fewer indexes make a million claims a file cheaper to store: the batch and the year are
    # led by the composite indexes below, and a rule version is never deleted once used.
    batch = models.ForeignKey(
        SettlementBatch,
        verbose_name="结算批次",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="claims",
        db_index=False,
    )
    settlement_number = models.CharField("结算单号", max_length=40, null=True, blank=True)
    enrolment = models.ForeignKey(Enrolment, verbose_name="参保", on_delete=models.PROTECT, related_name="claims")
    person = models.ForeignKey("members.Person", verbose_name="职工", on_delete=models.PROTECT, related_name="+")
    scheme_year = models.ForeignKey(
        SchemeYear, verbose_name="年度", on_delete=models.PROTECT, related_name="claims", db_index=False
    )
    rule_set = models.ForeignKey(
        BenefitRuleSet, verbose_name="规则版本", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    visit_type = models.CharField("就诊类型", max_length=20)
    hospital = models.CharField("医院", max_length=100, blank=True)
    diagnosis = models.CharField("诊断编码", max_length=40, blank=True)
    admitted_on = models.DateField("入院日期")
    discharged_on = models.DateField("出院日期", null=True, blank=True)
    settled_on = models.DateField("结算日期", null=True, blank=True)
    total_cost = MoneyField("总费用")
    fund_paid = MoneyField("统筹支付")
    in_policy_self_paid = MoneyField("政策内自付")
    out_of_policy_self_paid = MoneyField("政策外自付")
    amount = MoneyField("补助金额")
    reason = models.PositiveSmallIntegerField("原因", null=True, blank=True)  # calculator.Reason when nothing is paid
    explanation = models.JSONField("计算过程", default=list)  # [Step.as_data(), ...]
    added_inpatient = MoneyField("计入住院累计", default=ZERO)
    added_outpatient = MoneyField("计入门诊特殊病累计", default=ZERO)
    added_deductible = MoneyField("计入年度起付线", default=ZERO)
    added_critical = MoneyField("计入重大疾病补助", default=ZERO)
    status = models.CharField("状态", max_length=20, choices=ClaimStatus.choices, default=ClaimStatus.PENDING_REVIEW)
    paid_on = models.DateField("支付日期", null=True, blank=True)  # the bank's day: "claims paid" counts by it
    # A claim the member filed (member_claims.py): who filed it, the invoice it is for, a note.
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="申请人账号",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    invoice_number = models.CharField("发票号", max_length=40, null=True, blank=True)
    # db_default: the settlement run's bulk path (COPY) writes only the columns it knows.
    note = models.CharField("申请说明", max_length=200, blank=True, default="", db_default="")
    # The benefit as computed when it was filed; approval recomputes it against the year then.
    filed_amount = MoneyField("申请时计算金额", null=True, blank=True)

    class Meta:
        verbose_name = "互助保障理赔"
        verbose_name_plural = "互助保障理赔"
        ordering = ["-pk"]
        indexes = [
            models.Index(fields=["scheme_year", "enrolment"], name="claim_year_enrolment_idx"),
            models.Index(fields=["batch", "status"], name="claim_batch_status_idx"),
        ]
        constraints = [
            # A settlement is claimed at most once, however often its file is uploaded.
            models.UniqueConstraint(
                fields=["settlement_number"],
                condition=Q(settlement_number__isnull=False),
                name="claim_settlement_number_once",
            ),
            # An invoice is claimed at most once; a claim turned down frees it to be filed again.
            models.UniqueConstraint(
                fields=["invoice_number"],
                condition=Q(invoice_number__isnull=False) & ~Q(status="rejected"),
                name="claim_invoice_number_once",
            ),
            models.CheckConstraint(name="claim_amount_not_negative", condition=Q(amount__gte=0)),
            models.CheckConstraint(
                name="claim_paid_has_date",
                condition=Q(status="paid", paid_on__isnull=False) | (~Q(status="paid") & Q(paid_on=None)),
            ),
        ]

    def __str__(self) -> str:
        return self.settlement_number or f"#{self.pk}"

    def explanation_lines(self) -> list[str]:
        """How the benefit was computed, a sentence a step, in the reader's language."""
        return explanation_lines(self.explanation)


def explanation_lines(explanation: list[dict[str, Any]]) -> list[str]:
    """Stored steps (`[Step.as_data(), ...]`) as sentences in the reader's language."""
    return [Step(step["text"], step.get("params") or {}).text() for step in explanation]


class ClaimAdjustment(TimeStampedModel):
    """An insurer's correction or refund of a settlement already claimed: the claim is never
    edited; this row carries the change to its bill, the recomputed benefit's difference
    (negative for a refund) and what that changes in the member's year."""

    claim = models.ForeignKey(Claim, verbose_name="理赔", on_delete=models.PROTECT, related_name="adjustments")
    batch = models.ForeignKey(
        SettlementBatch,
        verbose_name="结算批次",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="adjustments",
    )
    settlement_number = models.CharField("冲销结算单号", max_length=40, unique=True)
    rule_set = models.ForeignKey(BenefitRuleSet, verbose_name="规则版本", on_delete=models.PROTECT, related_name="+")
    total_cost_change = MoneyField("总费用变动")
    fund_paid_change = MoneyField("统筹支付变动")
    in_policy_change = MoneyField("政策内自付变动")
    out_of_policy_change = MoneyField("政策外自付变动")
    amount = MoneyField("补助变动")
    reason = models.PositiveSmallIntegerField("原因", null=True, blank=True)
    explanation = models.JSONField("重新计算过程", default=list)
    added_inpatient = MoneyField("住院累计变动", default=ZERO)
    added_outpatient = MoneyField("门诊特殊病累计变动", default=ZERO)
    added_deductible = MoneyField("年度起付线变动", default=ZERO)
    added_critical = MoneyField("重大疾病补助变动", default=ZERO)
    status = models.CharField("状态", max_length=20, choices=ClaimStatus.choices, default=ClaimStatus.PENDING_REVIEW)

    class Meta:
        verbose_name = "理赔冲销调整"
        verbose_name_plural = "理赔冲销调整"
        ordering = ["claim_id", "pk"]

    def __str__(self) -> str:
        return self.settlement_number


class SettlementRecordIssue(models.Model):
    """A record of a batch that gave no claim, with its numbered reason (calculator.Reason)
    and where it is in the file."""

    batch = models.ForeignKey(SettlementBatch, verbose_name="结算批次", on_delete=models.CASCADE, related_name="issues")
    row = models.PositiveIntegerField("行号")
    column = models.CharField("列", max_length=20, blank=True)
    settlement_number = models.CharField("结算单号", max_length=40, blank=True)
    name = models.CharField("姓名", max_length=50, blank=True)
    reason = models.PositiveSmallIntegerField("原因编号")
    message = models.CharField("说明", max_length=300)  # a source text (marked for translation)
    params = models.JSONField("说明参数", default=dict)

    class Meta:
        verbose_name = "结算记录问题"
        verbose_name_plural = "结算记录问题"
        ordering = ["batch_id", "row", "pk"]

    def __str__(self) -> str:
        return f"{self.row}: {self.text()}"

    def text(self) -> str:
        """The message in the reader's language."""
        return gettext(self.message) % self.params if self.params else gettext(self.message)


# --- review (reviewing.py) -----------------------------------------------------------------


def _reviewer(verbose_name: str) -> Any:
    """The user who took a review step (none for the demo's system steps)."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )


class BatchApproval(models.Model):
    """A settlement batch approved on review (one at most: the batch is the key). Its
    pending claims and adjustments became approved in the same transaction; the counts and
    the sum are what the approval took."""

    batch = models.OneToOneField(
        SettlementBatch, verbose_name="结算批次", on_delete=models.PROTECT, related_name="approval", primary_key=True
    )
    approved_by = _reviewer("审核人")
    approved_at = models.DateTimeField("审核通过时间", auto_now_add=True)
    claim_count = models.PositiveIntegerField("批准理赔", default=0)
    adjustment_count = models.PositiveIntegerField("批准冲销调整", default=0)
    amount = MoneyField("批准金额", default=ZERO)

    class Meta:
        verbose_name = "结算批次审核"
        verbose_name_plural = "结算批次审核"

    def __str__(self) -> str:
        return f"{self.batch} ✓"


class ClaimRejection(models.Model):
    """Why a reviewer rejected a claim of a settlement batch (the claim's status says
    rejected; what it added to the member's year no longer counts, accumulators.py)."""

    claim = models.OneToOneField(
        Claim, verbose_name="理赔", on_delete=models.PROTECT, related_name="rejection", primary_key=True
    )
    reason = models.CharField("驳回理由", max_length=500)
    rejected_by = _reviewer("驳回人")
    rejected_at = models.DateTimeField("驳回时间", auto_now_add=True)

    class Meta:
        verbose_name = "理赔驳回"
        verbose_name_plural = "理赔驳回"

    def __str__(self) -> str:
        return f"{self.claim}: {self.reason}"


# --- memberclaims ----------------------------------------------------------------------


class MemberClaim(Claim):
    """A claim as the member-claim process (claim_workflow.py) takes it. core.workflow keeps
    one process per model, so this proxy carries the filing, check and approval, and the
    settlement review can register its own process for Claim itself; both record their
    decisions against the same claim row."""

    class Meta:
        proxy = True
        verbose_name = "职工申请理赔"
        verbose_name_plural = "职工申请理赔"


class ClaimInvoice(models.Model):
    """A photo of an invoice a member filed with a claim. The bytes are sealed with the field
    key (core.crypto.encrypt_bytes) and served only by the claim's invoice view, which checks
    who asks; nothing is routed under MEDIA_URL."""

    claim = models.ForeignKey(Claim, verbose_name="理赔", on_delete=models.CASCADE, related_name="invoices")
    file = models.FileField("发票照片", upload_to="claim_invoices/")
    content_type = models.CharField("图片类型", max_length=30)  # read from the bytes, never the upload's word
    size = models.PositiveIntegerField("大小（字节）")
    width = models.PositiveIntegerField("宽")
    height = models.PositiveIntegerField("高")
    created_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "发票照片"
        verbose_name_plural = "发票照片"
        ordering = ["claim_id", "pk"]

    def __str__(self) -> str:
        return f"{self.claim} #{self.pk}"


# --- payments ---------------------------------------------------------------------------


class BankAccount(TimeStampedModel):
    """The account a member's benefits are paid into (one per member). The number is sealed
    at rest (core.crypto) and shown masked (masking.mask_account) except to holders of the
    reveal permission, each look audited. Its history is kept, sealed too: a changed payee
    account is the first thing asked about when money goes astray."""

    person = models.OneToOneField(
        "members.Person", verbose_name="职工", on_delete=models.PROTECT, related_name="mutual_aid_bank_account"
    )
    holder_name = models.CharField("户名", max_length=50)
    bank_name = models.CharField("开户行", max_length=100)
    account_number = EncryptedTextField("账号", max_length=30)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    class Meta:
        verbose_name = "收款银行账户"
        verbose_name_plural = "收款银行账户"

    def __str__(self) -> str:
        return f"{self.holder_name} {mask_account(self.account_number)}"


class PaymentBatchStatus(models.TextChoices):
    DRAFT = "draft", _("待支付")
    PAID = "paid", _("已支付")
    CANCELLED = "cancelled", _("已作废")


class PaymentBatch(TimeStampedModel):
    """Approved claims paid together by one bank transfer file. Made by city staff for the
    whole city or by town staff for their town (`scope_path`); marked paid with the bank's
    reference, which posts its lines to the ledger (payments.py)."""

    federation = models.ForeignKey(
        "organisations.Organisation", verbose_name="主办总工会", on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(
        "organisations.Organisation", verbose_name="制单单位", on_delete=models.PROTECT, related_name="+"
    )
    scope_path = models.CharField("辖区路径", max_length=255)
    status = models.CharField(
        "状态", max_length=10, choices=PaymentBatchStatus.choices, default=PaymentBatchStatus.DRAFT
    )
    note = models.CharField("说明", max_length=200, blank=True)
    line_count = models.PositiveIntegerField("笔数", default=0)
    total = MoneyField("金额合计", default=ZERO)
    held = models.JSONField("暂缓支付", default=list)  # what was left out when it was made, and why
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="制单人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    bank_reference = models.CharField("银行流水号", max_length=40, blank=True)
    paid_on = models.DateField("支付日期", null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="确认人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    cancelled_at = models.DateTimeField("作废时间", null=True, blank=True)

    class Meta:
        verbose_name = "补助支付批次"
        verbose_name_plural = "补助支付批次"
        ordering = ["-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["federation", "bank_reference"],
                condition=~Q(bank_reference=""),
                name="payment_batch_bank_reference_once",
            ),
            models.CheckConstraint(
                name="payment_batch_paid_has_reference",
                condition=Q(status="paid", paid_on__isnull=False) & ~Q(bank_reference="")
                | ~Q(status="paid") & Q(paid_on=None, bank_reference=""),
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        """批次号, e.g. ZF2026-00012: the year it was made and its key."""
        return f"ZF{self.created_at:%Y}-{self.pk:05d}"


class PaymentLine(models.Model):
    """One transfer of a batch: a claim's benefit with its approved adjustments netted in
    (`pays_claim`), or only adjustments approved after the claim was paid. The payee account
    is copied (sealed) when the batch is made, so the file and the books say where the money
    went even if the member changes their account later. `live` is false once its batch is
    cancelled: a claim is on at most one live line that pays it, so never paid twice."""

    batch = models.ForeignKey(PaymentBatch, verbose_name="支付批次", on_delete=models.PROTECT, related_name="lines")
    claim = models.ForeignKey(Claim, verbose_name="理赔", on_delete=models.PROTECT, related_name="payment_lines")
    person = models.ForeignKey("members.Person", verbose_name="职工", on_delete=models.PROTECT, related_name="+")
    pays_claim = models.BooleanField("支付补助本身", default=True)
    claim_amount = MoneyField("补助金额", default=ZERO)
    adjustment_amount = MoneyField("调整金额", default=ZERO)
    amount = MoneyField("支付金额")
    holder_name = models.CharField("户名", max_length=50)
    bank_name = models.CharField("开户行", max_length=100)
    account_number = EncryptedTextField("账号", max_length=30)
    live = models.BooleanField("有效", default=True)

    class Meta:
        verbose_name = "补助支付明细"
        verbose_name_plural = "补助支付明细"
        ordering = ["batch_id", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["claim"], condition=Q(live=True, pays_claim=True), name="payment_line_claim_once_live"
            ),
            models.CheckConstraint(name="payment_line_amount_positive", condition=Q(amount__gt=0)),
            models.CheckConstraint(
                # Rounded to the fen: on SQLite the sum of two stored decimals is a binary float.
                name="payment_line_amount_adds_up",
                condition=Q(amount=Round(F("claim_amount") + F("adjustment_amount"), 2)),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.batch} {self.claim}"


class PaymentLineAdjustment(models.Model):
    """An approved adjustment a line pays (or nets into its claim): on at most one live line."""

    line = models.ForeignKey(PaymentLine, verbose_name="支付明细", on_delete=models.PROTECT, related_name="adjustments")
    adjustment = models.ForeignKey(
        ClaimAdjustment, verbose_name="冲销调整", on_delete=models.PROTECT, related_name="payment_links"
    )
    live = models.BooleanField("有效", default=True)

    class Meta:
        verbose_name = "支付明细所含调整"
        verbose_name_plural = "支付明细所含调整"
        constraints = [
            models.UniqueConstraint(fields=["adjustment"], condition=Q(live=True), name="payment_adjustment_once_live"),
        ]

    def __str__(self) -> str:
        return f"{self.line} {self.adjustment}"


# --- coverage ------------------------------------------------------------------------------


class EnrolmentPayment(TimeStampedModel):
    """A union's payment of its enrolments' contributions for a year (contributions_paid.py):
    the enrolments it pays point at it, each paid at most once (one foreign key), and its
    money is one ledger entry, outside -> the scheme's pool. `request_key` is the form's
    one-time key, so a doubled request finds the payment already recorded."""

    union = models.ForeignKey(
        "organisations.Organisation", verbose_name="缴费工会", on_delete=models.PROTECT, related_name="+"
    )
    scheme_year = models.ForeignKey(SchemeYear, verbose_name="年度", on_delete=models.PROTECT, related_name="payments")
    count = models.PositiveIntegerField("人数")
    amount = MoneyField("缴费金额")
    union_part = MoneyField("工会承担", default=ZERO)
    employer_part = MoneyField("单位承担", default=ZERO)
    member_part = MoneyField("个人承担", default=ZERO)
    payer = models.CharField("缴费方", max_length=10, choices=Payer.choices)
    paid_on = models.DateField("缴费日期")
    reference = models.CharField("缴费凭证号", max_length=60)
    request_key = models.CharField("请求标识", max_length=40, unique=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = "互助保障缴费"
        verbose_name_plural = "互助保障缴费"
        ordering = ["scheme_year_id", "union_id", "-paid_on", "-pk"]
        indexes = [models.Index(fields=["scheme_year", "union"], name="enrol_payment_year_union_idx")]
        constraints = [
            # (The parts add up to the amount: checked by the service; SQLite adds decimals
            # as floating point, so a CHECK could refuse 22.52 + 22.53.)
            models.CheckConstraint(name="enrol_payment_count_positive", condition=Q(count__gte=1)),
        ]

    def __str__(self) -> str:
        return f"{self.scheme_year.year} {self.reference}"
