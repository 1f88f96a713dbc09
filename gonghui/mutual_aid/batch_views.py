"""The officer's pages for no-visit claims: upload a settlement file, the batches, one batch
(its progress bar while the job runs, polled by htmx; then its counts, claims and listed
records), the listed records as .xlsx, and the review (approve the batch, reject a claim).
Who may do what is decided in settlements.py (the upload) and reviewing.py (the rest)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gonghui.core.access import request_scope
from gonghui.core.downloads import attachment
from gonghui.core.errors import ServiceError, ValidationFailed
from gonghui.core.pages import form_error, is_htmx, query_without_page, staff_page
from gonghui.core.xlsx import XLSX_TYPE
from gonghui.mutual_aid import reviewing, selectors
from gonghui.mutual_aid.batch_forms import ClaimFilterForm, ClaimRejectForm, SettlementUploadForm
from gonghui.mutual_aid.models import BatchStatus, SettlementBatch
from gonghui.mutual_aid.settlements import settlement_batch_submit

BATCHES_SHOWN = 20
CLAIMS_SHOWN = 50
ISSUES_SHOWN = 200
UNFINISHED = (BatchStatus.PENDING, BatchStatus.RUNNING)


@staff_page
@require_http_methods(["GET", "POST"])
def batch_list(request: HttpRequest) -> HttpResponse:
    scope = request_scope(request)
    batches = reviewing.batch_list(scope=scope)  # 403 for a union officer, before anything
    form = SettlementUploadForm(
        request.POST or None, request.FILES or None, years=selectors.scheme_year_list(scope=scope)
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                batch = settlement_batch_submit(
                    scope=scope,
                    scheme_year=form.cleaned_data["scheme_year"],
                    uploaded_file=upload,
                    filename=upload.name or "",
                )
            except ServiceError as err:
                form_error(form, err)
                status = err.status_code
            else:
                return redirect("mutual_aid:batch", batch_id=batch.pk)
    context = {"form": form, "batches": Paginator(batches, BATCHES_SHOWN).get_page(request.GET.get("page"))}
    return render(request, "mutual_aid/batch_list.html", context, status=status)


@staff_page
@require_GET
def batch_detail(request: HttpRequest, batch_id: int) -> HttpResponse:
    """The batch; while its job waits or runs, htmx polls this page for the fragment."""
    scope = request_scope(request)
    batch = reviewing.batch_get(scope=scope, pk=batch_id)
    context: dict[str, Any] = {"batch": batch, "job": batch.job, "running": batch.status in UNFINISHED}
    if not context["running"]:
        context.update(_finished_context(request, scope, batch))
    template = "mutual_aid/batch_body.html" if is_htmx(request) else "mutual_aid/batch_detail.html"
    return render(request, template, context)


def _finished_context(request: HttpRequest, scope: Any, batch: SettlementBatch) -> dict[str, Any]:
    filters = ClaimFilterForm(request.GET)
    claims = reviewing.batch_claims(batch, **filters.values())
    state = reviewing.review_state(batch)
    return {
        "state": state,
        "may_review": state == reviewing.TO_REVIEW and reviewing.may_review(scope, batch),
        "filters": filters,
        "claims": Paginator(claims, CLAIMS_SHOWN).get_page(request.GET.get("page")),
        "query": query_without_page(request.GET),
        "status_counts": reviewing.batch_claim_counts(batch),
        "adjustments": reviewing.batch_adjustments(batch)[:ISSUES_SHOWN],
        "issues": reviewing.batch_issues(batch)[:ISSUES_SHOWN],
        "approval": getattr(batch, "approval", None) if state == reviewing.APPROVED else None,
    }


@staff_page
@require_GET
def batch_issues(request: HttpRequest, batch_id: int) -> HttpResponse:
    """The batch's listed records as .xlsx (names and identity numbers masked)."""
    batch = reviewing.batch_get(scope=request_scope(request), pk=batch_id)
    return attachment(reviewing.issues_xlsx(batch), XLSX_TYPE, f"结算未匹配记录-{batch.pk}.xlsx")


@staff_page
@require_POST
def batch_approve(request: HttpRequest, batch_id: int) -> HttpResponse:
    scope = request_scope(request)
    approval = reviewing.batch_approve(scope=scope, batch=reviewing.batch_get(scope=scope, pk=batch_id))
    messages.success(
        request,
        gettext("批次已审核通过：批准理赔 %(claims)s 件、冲销调整 %(adjustments)s 笔")
        % {"claims": approval.claim_count, "adjustments": approval.adjustment_count},
    )
    return redirect("mutual_aid:batch", batch_id=batch_id)


@staff_page
@require_POST
def claim_reject(request: HttpRequest, batch_id: int) -> HttpResponse:
    """Reject one claim of the batch (`claim` in the form) with a reason."""
    scope = request_scope(request)
    batch = reviewing.batch_get(scope=scope, pk=batch_id)
    form = ClaimRejectForm(request.POST)
    claim_id = request.POST.get("claim", "")
    if not claim_id.isdigit() or not form.is_valid():
        raise ValidationFailed(gettext("请选择要驳回的理赔并填写理由"), field="claim")
    try:
        claim = reviewing.claim_reject(
            scope=scope, batch=batch, claim_id=int(claim_id), reason=form.cleaned_data["reason"]
        )
    except ValidationFailed as err:
        messages.error(request, gettext(err.message))
    else:
        messages.success(request, gettext("已驳回理赔 %(number)s") % {"number": claim.settlement_number})
    return redirect(reverse("mutual_aid:batch", kwargs={"batch_id": batch_id}) + "#claims")
