"""Reviewing a settlement batch (the officer's side of no-visit claims): who sees which
batches, the batch's claims and listed records, and the review as a core workflow process
(`mutual_aid.settlement_batch`): before approval a reviewer may reject single claims with a
reason; approval turns every pending claim and adjustment of the batch into approved at
once, in one statement each. A rejected claim counts for nothing towards the member's year
(accumulators.py). Who may review: city staff of the scheme's city, or staff of the
organisation that uploaded the batch. See docs/mutual-aid.md, "Review"."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop, pgettext

from gonghui.core import workflow
from gonghui.core.access import Role, Scope, StaffScope
from gonghui.core.audit import audit_record
from gonghui.core.demo import DemoContext
from gonghui.core.errors import Conflict, Forbidden, NotFound
from gonghui.core.masking import mask_name, mask_numbers
from gonghui.core.models import AuditEntry
from gonghui.core.money import ZERO
from gonghui.core.tree import STEPLEN
from gonghui.core.workflow import Process, Step
from gonghui.core.xlsx import Book
from gonghui.mutual_aid.calculator import Reason
from gonghui.mutual_aid.models import (
    BatchApproval,
    BatchStatus,
    Claim,
    ClaimAdjustment,
    ClaimRejection,
    ClaimStatus,
    SettlementBatch,
    SettlementRecordIssue,
)

KIND = "mutual_aid.settlement_batch"
TO_REVIEW, APPROVED = "to_review", "approved"  # the states of a done batch
REVIEWERS = {Role.CITY, Role.TOWN}
REVIEWERS_ONLY = gettext_noop("只有市、镇（街道）总工会工作人员可以查看医保结算批次")
NOT_YOURS = gettext_noop("只有市总工会或上传该批次的单位可以审核该批次")
BATCH_NOT_FOUND = gettext_noop("没有找到该结算批次，或不在您的管辖范围内")
CLAIM_NOT_FOUND = gettext_noop("该批次中没有这条理赔")
CLAIM_NOT_PENDING = gettext_noop("该理赔已不是待审核状态，不能驳回")
# Issue parameters that are the insurer's own numbers, shown as they are.
PLAIN_PARAMS = {"number", "original", "row", "column", "on"}


# --- who sees what -------------------------------------------------------------------------


def _reviewer(scope: Scope) -> StaffScope:
    staff = scope.require_staff()
    if staff.role not in REVIEWERS:
        raise Forbidden(REVIEWERS_ONLY)
    return staff


def batch_list(*, scope: Scope) -> QuerySet[SettlementBatch]:
    """Batches of the viewer's city uploaded within their subtree (a town its own, the city
    all), newest first; a union officer or a member is refused (403)."""
    staff = _reviewer(scope)
    path = staff.organisation_path
    federations = [path[:end] for end in range(STEPLEN, len(path) + 1, STEPLEN)]  # the scheme's city is above
    return SettlementBatch.objects.filter(
        scope_path__startswith=path, scheme_year__federation__path__in=federations
    ).select_related("scheme_year__federation", "organisation", "uploaded_by", "job", "approval")


def batch_get(*, scope: Scope, pk: int) -> SettlementBatch:
    found = batch_list(scope=scope).filter(pk=pk).first()
    if found is None:
        raise NotFound(BATCH_NOT_FOUND, field="batch")
    return found


def _require_visible(scope: Scope, batch: SettlementBatch) -> None:
    if not batch_list(scope=scope).filter(pk=batch.pk).exists():
        raise NotFound(BATCH_NOT_FOUND, field="batch")


def review_state(batch: SettlementBatch) -> str:
    """The batch's status while it runs or when it ended unread; once done, whether it is
    approved (an approval row) or waits for review."""
    if batch.status != BatchStatus.DONE:
        return str(batch.status)
    return APPROVED if BatchApproval.objects.filter(batch_id=batch.pk).exists() else TO_REVIEW


def may_review(scope: Scope, batch: SettlementBatch) -> bool:
    if not isinstance(scope, StaffScope):
        return False
    city = scope.role == Role.CITY and scope.organisation_path == batch.scheme_year.federation.path
    return city or scope.organisation_id == batch.organisation_id


def batch_claims(batch: SettlementBatch, *, status: str = "", visit_type: str = "") -> QuerySet[Claim]:
    claims = Claim.objects.filter(batch=batch).select_related("person", "rejection").order_by("pk")
    if status:
        claims = claims.filter(status=status)
    if visit_type:
        claims = claims.filter(visit_type=visit_type)
    return claims


def batch_adjustments(batch: SettlementBatch) -> QuerySet[ClaimAdjustment]:
    return ClaimAdjustment.objects.filter(batch=batch).select_related("claim__person").order_by("pk")


def batch_issues(batch: SettlementBatch) -> QuerySet[SettlementRecordIssue]:
    return SettlementRecordIssue.objects.filter(batch=batch).order_by("row", "pk")


def batch_claim_counts(batch: SettlementBatch) -> dict[str, int]:
    """How many of the batch's claims are in each status (for the page's summary)."""
    rows = Claim.objects.filter(batch=batch).values_list("status").annotate(n=Count("pk")).order_by()
    return {status: n for status, n in rows}


def issue_text(issue: SettlementRecordIssue) -> str:
    """The issue's message in the reader's language, with names masked and any number that
    could be an identity number masked in the quoted cells."""
    params = {
        key: value if key in PLAIN_PARAMS else mask_name(value) if key == "name" else mask_numbers(str(value))
        for key, value in (issue.params or {}).items()
    }
    return gettext(issue.message) % params if params else gettext(issue.message)


def reason_label(number: int | None) -> str:
    """ "4 已达年度封顶": a numbered reason as officers quote it."""
    if number is None:
        return ""
    try:
        return f"{number} {Reason(number).label}"
    except ValueError:
        return str(number)


def issues_xlsx(batch: SettlementBatch) -> bytes:
    """The batch's listed records as a workbook, names and identity numbers masked."""
    book = Book()
    sheet = book.table(
        gettext("未匹配或拒绝的记录"),
        [
            (gettext("行号"), 8),
            (gettext("列"), 14),
            (gettext("结算单号"), 22),
            (gettext("姓名"), 10),
            (gettext("原因编号"), 10),
            (gettext("原因"), 24),
            (pgettext("import report column", "说明"), 70),
        ],
        text_columns=frozenset({gettext("结算单号")}),
    )
    for issue in batch_issues(batch).iterator(chunk_size=2000):
        label = Reason(issue.reason).label if issue.reason in Reason.values else ""
        sheet.append(
            [
                issue.row,
                issue.column,
                issue.settlement_number,
                mask_name(issue.name),
                issue.reason,
                label,
                issue_text(issue),
            ]
        )
    return book.content()


# --- the review as a process ---------------------------------------------------------------


def _lock(batch: SettlementBatch, step: str) -> SettlementBatch:
    """The batch's row, locked: two reviewers of one batch take their turns. Claims are
    locked after it (the payments' order: batch, then claim)."""
    return (
        SettlementBatch.objects.select_for_update(of=("self",))
        .select_related("scheme_year__federation", "organisation")
        .get(pk=batch.pk)
    )


def _closed(batch: SettlementBatch, state: str) -> str:
    if state in (BatchStatus.PENDING, BatchStatus.RUNNING):
        return gettext_noop("该批次还在理赔计算中，完成后才能审核")
    if state == APPROVED:
        return gettext_noop("该批次已审核通过，不能再更改")
    return gettext_noop("该批次的文件有误或处理失败，没有可审核的理赔")


REVIEWER: dict[str, Any] = {"may": may_review, "refusal": NOT_YOURS}  # both steps: the same reviewers
BATCH_REVIEW = workflow.register(
    Process(
        kind=KIND,
        model=SettlementBatch,
        state_of=review_state,
        lock=_lock,
        field="batch",
        closed_message=_closed,
        subject_label=lambda batch: f"医保结算批次 {batch.filename}",
        audit_detail=lambda batch: {"batch": batch.pk, "scheme_year": batch.scheme_year.year},
        steps=(
            Step(
                name="approve",
                label="审核通过",
                from_states=frozenset({TO_REVIEW}),
                to_states=frozenset({APPROVED}),
                **REVIEWER,
                repeated=gettext_noop("该批次已审核通过"),
            ),
            Step(
                name="reject_claim",
                label="驳回理赔",
                from_states=frozenset({TO_REVIEW}),
                to_states=frozenset({TO_REVIEW}),
                **REVIEWER,
                needs_reason=True,
                reason_message=gettext_noop("请填写驳回理由"),
            ),
        ),
    )
)


def batch_approve(*, scope: Scope, batch: SettlementBatch) -> BatchApproval:
    """Approve the batch: its pending claims and adjustments become approved (an adjustment
    of a claim rejected meanwhile is rejected with it). 404 outside the viewer's batches,
    403 for one who may see but not review it, 409 when it is not waiting for review."""
    _require_visible(scope, batch)
    user = scope.user if getattr(scope.user, "is_authenticated", False) else None

    def approve(locked: SettlementBatch) -> None:
        now = timezone.now()
        pending = Q(batch=locked, status=ClaimStatus.PENDING_REVIEW)
        claims = Claim.objects.filter(pending)
        claim_sum = claims.aggregate(s=Sum("amount"))["s"] or ZERO
        claim_count = claims.update(status=ClaimStatus.APPROVED, updated_at=now)
        adjustments = ClaimAdjustment.objects.filter(pending)
        adjustments.filter(claim__status=ClaimStatus.REJECTED).update(status=ClaimStatus.REJECTED, updated_at=now)
        adjustment_sum = adjustments.aggregate(s=Sum("amount"))["s"] or ZERO
        adjustment_count = adjustments.update(status=ClaimStatus.APPROVED, updated_at=now)
        BatchApproval.objects.create(
            batch=locked,
            approved_by=user,
            claim_count=claim_count,
            adjustment_count=adjustment_count,
            amount=Decimal(claim_sum + adjustment_sum).quantize(Decimal("0.01")),
        )

    locked = workflow.decide(batch, "approve", scope=scope, change=approve)
    return BatchApproval.objects.get(batch=locked)


def claim_reject(*, scope: Scope, batch: SettlementBatch, claim_id: int, reason: str) -> Claim:
    """Reject one pending claim of a batch not yet approved, with the reviewer's reason: it
    then counts for nothing. The same refusals as approval; 409 too for a claim no longer
    pending (rejected already, or valued at nothing)."""
    _require_visible(scope, batch)
    user = scope.user if getattr(scope.user, "is_authenticated", False) else None
    rejected: list[Claim] = []

    def reject(locked: SettlementBatch) -> None:
        claim = Claim.objects.select_for_update().filter(pk=claim_id, batch=locked).first()
        if claim is None:
            raise NotFound(CLAIM_NOT_FOUND, field="claim")
        if claim.status != ClaimStatus.PENDING_REVIEW:
            raise Conflict(CLAIM_NOT_PENDING, field="claim")
        Claim.objects.filter(pk=claim.pk).update(status=ClaimStatus.REJECTED, updated_at=timezone.now())
        ClaimRejection.objects.create(claim=claim, reason=reason.strip()[:500], rejected_by=user)
        audit_record(
            actor=user,
            action=AuditEntry.Action.DECISION,
            subject=claim,
            subject_label=f"驳回理赔 {claim.settlement_number}",
            reason=reason.strip(),
            detail={"process": KIND, "step": "reject_claim", "batch": locked.pk, "claim": claim.pk},
            data_subject_id=claim.person_id,
        )
        rejected.append(claim)

    workflow.decide(batch, "reject_claim", scope=scope, reason=reason, change=reject)
    claim = rejected[0]
    claim.refresh_from_db()
    return claim


# --- the demo ------------------------------------------------------------------------------


def review_demo(ctx: DemoContext) -> None:
    """Approve the city's done batches (the figures' demo writes them, order 40) through the
    service, as the city's staff would: so later contributions find approved claims."""
    city = ctx.city.node.org
    waiting = (
        SettlementBatch.objects.filter(
            scheme_year__federation__path__startswith=city.path, status=BatchStatus.DONE, approval__isnull=True
        )
        .select_related("scheme_year__federation")
        .order_by("pk")
    )
    approved = [batch_approve(scope=_city_staff(batch), batch=batch) for batch in waiting]
    if approved:
        ctx.log(f"医保结算批次审核通过 {len(approved)} 批，理赔 {sum(a.claim_count for a in approved)} 件")


def _city_staff(batch: SettlementBatch) -> StaffScope:
    """The scheme's city federation as the system acting for its staff (no user)."""
    federation = batch.scheme_year.federation
    return StaffScope(user=None, role=Role.CITY, organisation_id=federation.pk, organisation_path=federation.path)
