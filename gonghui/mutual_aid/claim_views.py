"""Pages of member claims: the member's own on the phone (my claims, filing one, a claim
with how it was computed and what was decided), the staff's queue and a claim with its
invoices and the check / approve / reject buttons, and the invoice photos themselves,
opened only for whoever may see the claim. Views read input, call member_claims and render."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gonghui.core import workflow
from gonghui.core.access import MemberScope, request_scope
from gonghui.core.audit import audit_record
from gonghui.core.errors import Forbidden, NotFound, ServiceError
from gonghui.core.models import AuditEntry
from gonghui.core.money import format_money
from gonghui.core.pages import form_error, page, staff_page
from gonghui.mutual_aid import claim_invoices
from gonghui.mutual_aid import member_claims as claims
from gonghui.mutual_aid.claim_forms import ClaimForm, RejectForm
from gonghui.mutual_aid.models import Claim, ClaimStatus

STEPS = ("check", "approve", "reject")


def member_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A member's own page; staff are refused (403): they have the queue."""

    @wraps(view)
    def members_only(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        scope = request_scope(request)
        if not isinstance(scope, MemberScope):
            raise Forbidden(gettext("仅限会员本人查看"))
        return view(request, scope, *args, **kwargs)

    return page(members_only)


# --- the member's pages ---------------------------------------------------------------------


@member_page
@require_GET
def my_claims(request: HttpRequest, scope: MemberScope) -> HttpResponse:
    return render(request, "mutual_aid/my_claims.html", {"claims": claims.my_claims(scope=scope)})


@member_page
@require_http_methods(["GET", "POST"])
def my_claim_new(request: HttpRequest, scope: MemberScope) -> HttpResponse:
    form = ClaimForm(request.POST or None, request.FILES or None, diagnoses=claims.diagnosis_codes(scope=scope))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                claim = claims.claim_file(scope=scope, bill=form.bill(), photos=form.uploads())
            except ServiceError as err:
                form_error(form, err)
                status = err.status_code
            else:
                messages.success(request, gettext("补助申请已提交，等待工会审核。"))
                return redirect("mutual_aid:my_claim", claim.pk)
    limits = {
        "max_files": settings.GONGHUI_INVOICE_MAX_FILES,
        "max_mb": claim_invoices.megabytes(settings.GONGHUI_INVOICE_MAX_BYTES),
    }
    return render(request, "mutual_aid/my_claim_new.html", {"form": form, **limits}, status=status)


@member_page
@require_GET
def my_claim(request: HttpRequest, scope: MemberScope, claim_id: int) -> HttpResponse:
    claim = claims.claim_get(scope=scope, claim_id=claim_id)
    return render(request, "mutual_aid/my_claim_detail.html", _claim_context(claim))


# --- the staff's pages ----------------------------------------------------------------------


@staff_page
@require_GET
def claim_queue(request: HttpRequest) -> HttpResponse:
    scope = request_scope(request)
    status = request.GET.get("status", claims.waiting_status(scope))
    if status not in ClaimStatus.values and status != "all":
        status = claims.waiting_status(scope)
    queue = claims.claim_queue(scope=scope, status=None if status == "all" else status)
    choices = [(s, ClaimStatus(s).label) for s in claims.QUEUE_STATUSES]
    context = {"claims": queue[:500], "status": status, "choices": choices}
    return render(request, "mutual_aid/claim_queue.html", context)


@staff_page
@require_GET
def claim_detail(request: HttpRequest, claim_id: int) -> HttpResponse:
    scope = request_scope(request)
    claim = claims.claim_get(scope=scope, claim_id=claim_id)
    context = _claim_context(claim)
    context["can"] = {step: workflow.may(claim, step, scope=scope) and workflow.is_open(claim, step) for step in STEPS}
    context["reject_form"] = RejectForm()
    return render(request, "mutual_aid/claim_detail.html", context)


@staff_page
@require_POST
def claim_check(request: HttpRequest, claim_id: int) -> HttpResponse:
    scope = request_scope(request)
    claims.claim_check(scope=scope, claim=claims.claim_get(scope=scope, claim_id=claim_id))
    messages.success(request, gettext("已审核，等待镇（街道）总工会审批。"))
    return redirect("mutual_aid:claim_detail", claim_id)


@staff_page
@require_POST
def claim_approve(request: HttpRequest, claim_id: int) -> HttpResponse:
    scope = request_scope(request)
    approval = claims.claim_approve(scope=scope, claim=claims.claim_get(scope=scope, claim_id=claim_id))
    messages.success(request, _approved_message(approval))
    return redirect("mutual_aid:claim_detail", claim_id)


@staff_page
@require_POST
def claim_reject(request: HttpRequest, claim_id: int) -> HttpResponse:
    scope = request_scope(request)
    claim = claims.claim_get(scope=scope, claim_id=claim_id)
    form = RejectForm(request.POST)
    if form.is_valid():
        try:
            claims.claim_reject(scope=scope, claim=claim, reason=form.cleaned_data["reason"])
        except ServiceError as err:
            if err.status_code != 400:
                raise
            form_error(form, err)
        else:
            messages.success(request, gettext("已退回该申请。"))
            return redirect("mutual_aid:claim_detail", claim_id)
    context = _claim_context(claim) | {"reject_form": form}
    context["can"] = {step: workflow.may(claim, step, scope=scope) and workflow.is_open(claim, step) for step in STEPS}
    return render(request, "mutual_aid/claim_detail.html", context, status=400)


# --- the invoice photos ---------------------------------------------------------------------


@page
@require_GET
def claim_invoice(request: HttpRequest, claim_id: int, photo: int) -> HttpResponse:
    """The claim's `photo`th invoice photo (from 1), for the member or the staff over their
    union; never cached by the browser."""
    scope = request_scope(request)
    claim = claims.claim_get(scope=scope, claim_id=claim_id)
    invoice = claim.invoices.order_by("pk")[photo - 1 : photo].first() if photo >= 1 else None
    if invoice is None:
        raise NotFound(gettext("没有找到该发票照片"))
    if scope.is_staff:  # an invoice names the care: staff opening one is logged, like a full ID number
        audit_record(actor=scope.user, action=AuditEntry.Action.VIEW_SENSITIVE, subject=claim, request=request)
    response = HttpResponse(claim_invoices.invoice_open(invoice), content_type=invoice.content_type)
    response["Content-Disposition"] = f'inline; filename="{claim_invoices.invoice_filename(invoice)}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- shared ---------------------------------------------------------------------------------


def _claim_context(claim: Claim) -> dict[str, Any]:
    recomputed = claim.filed_amount is not None and claim.filed_amount != claim.amount
    return {
        "claim": claim,
        "amount": format_money(claim.amount),
        "filed_amount": format_money(claim.filed_amount) if claim.filed_amount is not None else "",
        "recomputed": recomputed,
        "explanation": claim.explanation_lines(),
        "reason": claims.reason_label(claim),
        "decisions": claims.decision_lines(claim),
        "invoices": list(claim.invoices.all()),
    }


def _approved_message(approval: claims.Approval) -> str:
    claim = approval.claim
    values = {"amount": format_money(claim.amount), "filed": format_money(claim.filed_amount or approval.before)}
    if claim.status == ClaimStatus.REFUSED:
        return gettext("已审批：按规则本次补助为零。")
    if approval.changed:
        return gettext("已批准。按审批时的本年度累计重新计算，补助由 %(filed)s 元改为 %(amount)s 元。") % values
    return gettext("已批准，补助 %(amount)s 元。") % values
