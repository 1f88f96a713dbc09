"""Member pages: search, the one-page view of a worker, transfers, leave, roster import and
a member's own "my membership" page. Each view parses input, calls a selector or service
and renders; the rules and the scoping live in selectors.py and services.py."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from django.views.decorators.http import require_GET, require_POST

from gonghui.core.access import Role, Scope, request_scope
from gonghui.core.downloads import attachment
from gonghui.core.errors import NotFound, ServiceError
from gonghui.core.pages import form_error, is_htmx, page, query_without_page, staff_page
from gonghui.core.sections import member_sections_for
from gonghui.core.xlsx import XLSX_TYPE
from gonghui.members import exports, importing, selectors, services
from gonghui.members.forms import (
    ImportFilterForm,
    ImportForm,
    LeaveForm,
    MemberAddForm,
    MemberEditForm,
    MemberSearchForm,
    RevealForm,
    TransferConfirmForm,
    TransferFilterForm,
    TransferRefuseForm,
    TransferRequestForm,
    TransferStartForm,
)
from gonghui.members.models import TransferStatus
from gonghui.members.selectors import TransferFilter
from gonghui.organisations.selectors import scope_root

PAGE_SIZE = 25
JOBS_SHOWN = 20
IMPORT_ERRORS_SHOWN = 1000
TEMPLATE_TYPES = {"xlsx": XLSX_TYPE, "csv": exports.CSV_TYPE}


# Search and export


@staff_page
@require_GET
def member_list(request: HttpRequest) -> HttpResponse:
    """Search as you type: htmx asks for the results fragment, a plain GET gets the page."""
    scope = request_scope(request)
    form = MemberSearchForm(request.GET, scope=scope)
    results = selectors.member_search(scope=scope, filters=form.to_filter()) if form.is_valid() else None
    context = {
        "form": form,
        "page_obj": Paginator(results, PAGE_SIZE).get_page(request.GET.get("page")) if results is not None else None,
        "query": query_without_page(request.GET),
    }
    template = "members/_results.html" if is_htmx(request) else "members/list.html"
    return render(request, template, context, status=200 if form.is_valid() else 400)


@staff_page
@require_GET
def member_export(request: HttpRequest) -> HttpResponse:
    scope = request_scope(request)
    form = MemberSearchForm(request.GET, scope=scope)
    if not form.is_valid():
        return render(request, "members/list.html", {"form": form, "page_obj": None}, status=400)
    content = exports.members_export_xlsx(scope=scope, filters=form.to_filter(), request=request)
    return attachment(content, XLSX_TYPE, f"会员名单-{timezone.localdate():%Y%m%d}.xlsx")


@staff_page
@require_POST
def member_export_start(request: HttpRequest) -> HttpResponse:
    """Export the filtered list in the background; its job page shows the progress bar."""
    scope = request_scope(request)
    form = MemberSearchForm(request.GET, scope=scope)  # the list's own query string
    if not form.is_valid():
        return render(request, "members/list.html", {"form": form, "page_obj": None}, status=400)
    job = exports.member_export_submit(scope=scope, filters=form.to_filter())
    return redirect("job_detail", pk=job.pk)


# One worker


def _detail_context(scope: Scope, pk: int, **extra: Any) -> dict[str, Any]:
    detail = selectors.person_detail(scope=scope, pk=pk)
    current = detail.current
    transfers = list(selectors.transfer_list(scope=scope).filter(membership__person=detail.person))
    return {
        "person": detail.person,
        "memberships": detail.memberships,
        "events": detail.events,
        "current": current,
        "past_only": detail.past_only,
        "can_manage": current is not None and scope.covers_path(current.union.path),
        # One pending transfer at a time: while one waits, it is shown rather than a new start.
        "transfer_pending": current is not None and any(t.membership_id == current.pk for t in transfers),
        "transfers": transfers,
        "sections": member_sections_for(scope=scope, person=detail.person),
        "reveal_form": RevealForm(),
        **extra,
    }


@page
@require_GET
def member_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "members/detail.html", _detail_context(request_scope(request), pk))


@page
@require_POST
def member_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """Show the full identity and mobile numbers: the service checks the permission and
    writes the audit entry, refusals included."""
    scope = request_scope(request)
    person = selectors.person_get(scope=scope, pk=pk)
    form = RevealForm(request.POST)
    revealed, status = None, 400
    if form.is_valid():
        try:
            revealed = services.person_reveal_identity(
                scope=scope, person=person, reason=form.cleaned_data["reason"], request=request
            )
            status = 200
        except ServiceError as err:
            form_error(form, err)
            status = err.status_code
    if is_htmx(request):
        context = {"person": person, "revealed": revealed, "reveal_form": form}
        return render(request, "members/_identity.html", context, status=status)
    context = _detail_context(scope, pk, revealed=revealed, reveal_form=form)
    return render(request, "members/detail.html", context, status=status)


# Adding and correcting a member

CONFIRMS = {"name_differs": "confirm_name_change", "mobile_differs": "confirm_mobile_change"}


def _member_add_initial(request: HttpRequest, scope: Scope) -> dict[str, Any]:
    """A union officer adds to their own union; others choose, or come from a union's page."""
    if request.GET.get("union"):
        return {"union": request.GET["union"]}
    return {"union": scope_root(scope=scope).name} if scope.role == Role.UNION else {}


@staff_page
def member_add(request: HttpRequest) -> HttpResponse:
    """One worker, with the import's checks (services.member_join); what the check only
    warns about (an upgraded 15-digit number, an age over the warning age) is shown after
    saving, on the member's page."""
    scope = request_scope(request)
    initial = _member_add_initial(request, scope) if request.method == "GET" else None
    form = MemberAddForm(request.POST or None, scope=scope, initial=initial)
    status, confirms = 200, []
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                warnings = services.member_join_check(
                    id_number=form.cleaned_data["id_number"], joined_on=form.cleaned_data["joined_on"]
                ).warnings
                membership = services.member_join(scope=scope, **form.cleaned_data)
            except ServiceError as err:
                form_error(form, err)
                status = err.status_code
                confirms = [CONFIRMS[err.code]] if err.code in CONFIRMS else []
            else:
                messages.success(request, gettext("已登记为会员。"))
                for warning in warnings:
                    messages.warning(request, warning)
                return redirect("members:detail", pk=membership.person_id)
    shown = [form[name] for name in CONFIRMS.values() if name in confirms or form.data.get(name)]
    context = {"form": form, "confirm_fields": shown}
    return render(request, "members/add.html", context, status=status)


@staff_page
def member_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct a member's details; the identity number, and with it the birth date and sex,
    is not edited here (services.person_update says why)."""
    scope = request_scope(request)
    membership = selectors.person_active_membership(scope=scope, pk=pk)
    person = membership.person
    initial = {name: getattr(person, name) for name in MemberEditForm.base_fields}
    form = MemberEditForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            changed = {name: form.cleaned_data[name] for name in form.changed_data}
            try:
                services.person_update(scope=scope, person=person, **changed)
            except ServiceError as err:
                form_error(form, err)
                status = err.status_code
            else:
                messages.success(request, gettext("资料已保存。") if changed else gettext("资料没有变化。"))
                return redirect("members:detail", pk=pk)
    context = {"form": form, "person": person, "membership": membership}
    return render(request, "members/edit.html", context, status=status)


# Transfers and leave


def _membership_action(
    request: HttpRequest, pk: int, form_class: type, action: Callable[..., object], done: str, template: str
) -> HttpResponse:
    """A form about a person's active membership, handed to one service on a valid POST."""
    scope = request_scope(request)
    membership = selectors.person_active_membership(scope=scope, pk=pk)
    form = form_class(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                action(scope=scope, membership=membership, **form.cleaned_data)
            except ServiceError as err:
                form_error(form, err)
                status = err.status_code
            else:
                messages.success(request, done)
                return redirect("members:detail", pk=pk)
    context = {"form": form, "membership": membership, "person": membership.person}
    return render(request, template, context, status=status)


@staff_page
def transfer_start(request: HttpRequest, pk: int) -> HttpResponse:
    """The start form, unless a transfer is already waiting: then that one is shown instead
    (the service refuses a second one in any case)."""
    scope = request_scope(request)
    membership = selectors.person_active_membership(scope=scope, pk=pk)
    pending = selectors.pending_transfer(membership=membership)
    if pending is not None:
        context = {"membership": membership, "person": membership.person, "pending": pending, "pending_rows": [pending]}
        status = 409 if request.method == "POST" else 200
        return render(request, "members/transfer_start.html", context, status=status)
    return _membership_action(
        request,
        pk,
        TransferStartForm,
        services.transfer_start,
        gettext("已发起转接，等待转入工会确认。"),
        "members/transfer_start.html",
    )


@staff_page
def member_leave(request: HttpRequest, pk: int) -> HttpResponse:
    return _membership_action(
        request, pk, LeaveForm, services.membership_leave, gettext("已办理退会。"), "members/leave.html"
    )


def _inbox(request: HttpRequest, scope: Scope, status: int = 200) -> HttpResponse:
    """What waits for a decision, then the record of every transfer, filtered."""
    transfers = list(selectors.transfer_list(scope=scope))
    employers = selectors.receiving_employers(scope=scope, transfers=transfers)
    rows = [(t, services.transfer_sides(scope=scope, transfer=t), employers.get(t.to_union_id, [])) for t in transfers]
    history_form = TransferFilterForm(request.GET)
    history = selectors.transfer_history(
        scope=scope, filters=history_form.to_filter() if history_form.is_valid() else TransferFilter()
    )
    context = {
        "rows": rows,
        "refuse_form": TransferRefuseForm(),
        "history_form": history_form,
        "history": Paginator(history, PAGE_SIZE).get_page(request.GET.get("page")),
        "query": query_without_page(request.GET),
    }
    return render(request, "members/transfers.html", context, status=status)


@staff_page
@require_GET
def transfer_inbox(request: HttpRequest) -> HttpResponse:
    return _inbox(request, request_scope(request))


def _after_transfer_action(request: HttpRequest, scope: Scope) -> HttpResponse:
    return redirect("members:my_membership" if scope.role == Role.MEMBER else "members:transfers")


def _transfer_action_failed(request: HttpRequest, scope: Scope, err: ServiceError) -> HttpResponse:
    messages.error(request, gettext(err.message))
    if scope.role == Role.MEMBER:
        return _my_membership_page(request, scope, TransferRequestForm(), status=err.status_code)
    return _inbox(request, scope, status=err.status_code)


@page
@require_POST
def transfer_decide(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Confirm, refuse or cancel a pending transfer; the service decides who may."""
    scope = request_scope(request)
    transfer = selectors.transfer_get(scope=scope, pk=pk)
    try:
        if action == "confirm":
            to_employer = TransferConfirmForm(request.POST).employer()
            transfer = services.transfer_confirm(scope=scope, transfer=transfer, to_employer=to_employer)
        elif action == "refuse":
            services.transfer_refuse(scope=scope, transfer=transfer, reason=request.POST.get("reason", ""))
        else:
            services.transfer_cancel(scope=scope, transfer=transfer)
    except ServiceError as err:
        return _transfer_action_failed(request, scope, err)
    done = {
        "confirm": gettext("已完成转接。")
        if transfer.status == TransferStatus.COMPLETED
        else gettext("已确认，等待对方确认。"),
        "refuse": gettext("已拒绝该转接。"),
        "cancel": gettext("已撤回该转接。"),
    }
    messages.success(request, done[action])
    return _after_transfer_action(request, scope)


# Roster import


def _default_union_code(request: HttpRequest, scope: Scope) -> str:
    if request.GET.get("union"):
        return request.GET["union"]
    return scope_root(scope=scope).name if scope.role == Role.UNION else ""


@staff_page
def roster_import(request: HttpRequest) -> HttpResponse:
    scope = request_scope(request)
    initial = {"union": _default_union_code(request, scope)} if request.method == "GET" else None
    form = ImportForm(request.POST or None, request.FILES or None, scope=scope, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                job = importing.import_job_submit(
                    scope=scope,
                    union=form.cleaned_data["union"],
                    uploaded_file=upload,
                    filename=upload.name,
                    sheet=form.cleaned_data["sheet"],
                )
            except ServiceError as err:
                form_error(form, err)
                status = err.status_code
            else:
                return redirect("members:import_job", pk=job.pk)
    jobs_form = ImportFilterForm(request.GET)
    jobs = importing.import_job_list(scope=scope)
    if jobs_form.is_valid() and jobs_form.cleaned_data["status"]:
        jobs = jobs.filter(status=jobs_form.cleaned_data["status"])
    context = {
        "form": form,
        "jobs_form": jobs_form,
        "jobs": Paginator(jobs, JOBS_SHOWN).get_page(request.GET.get("page")),
        "query": query_without_page(request.GET),
        "formats": list(TEMPLATE_TYPES),
    }
    return render(request, "members/import.html", context, status=status)


@staff_page
@require_GET
def import_job(request: HttpRequest, pk: int) -> HttpResponse:
    """A job's status and error report; while it is still checking, htmx polls this page."""
    job = importing.import_job_get(scope=request_scope(request), pk=pk)
    context = {
        "job": job,
        "errors": job.errors[:IMPORT_ERRORS_SHOWN],
        "warnings": job.warnings[:IMPORT_ERRORS_SHOWN],
        "errors_shown": IMPORT_ERRORS_SHOWN,
    }
    template = "members/_import_job.html" if is_htmx(request) else "members/import_job.html"
    return render(request, template, context)


@staff_page
@require_POST
def import_retry(request: HttpRequest, pk: int) -> HttpResponse:
    """Run an import again after its run stopped (its worker died, the database was busy),
    or on the sheet the officer chose when two looked like rosters."""
    scope = request_scope(request)
    import_job = importing.import_job_get(scope=scope, pk=pk)
    try:
        importing.import_job_retry(scope=scope, import_job=import_job, sheet=request.POST.get("sheet", ""))
    except ServiceError as err:
        messages.error(request, gettext(err.message))
    return redirect("members:import_job", pk=pk)


@staff_page
@require_GET
def import_errors(request: HttpRequest, pk: int) -> HttpResponse:
    """A job's error report as .xlsx, for those who may see the job (numbers in it are masked)."""
    job = importing.import_job_get(scope=request_scope(request), pk=pk)
    return attachment(exports.import_errors_xlsx(job), XLSX_TYPE, f"导入错误报告-{job.pk}.xlsx")


@page
@require_GET
def import_template(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in TEMPLATE_TYPES:
        raise NotFound(gettext_noop("没有这种格式的模板"), field="format")
    return attachment(exports.roster_template(fmt), TEMPLATE_TYPES[fmt], f"会员花名册模板.{fmt}")


# The member's own page


def _my_membership_page(
    request: HttpRequest, scope: Scope, form: TransferRequestForm, status: int = 200
) -> HttpResponse:
    detail = selectors.own_person_detail(scope=scope)
    context = {
        "person": detail.person,
        "memberships": detail.memberships,
        "events": detail.events,
        "current": detail.current,
        "transfers": selectors.transfer_list(scope=scope),
        "form": form,
    }
    return render(request, "members/my_membership.html", context, status=status)


@page
def my_membership(request: HttpRequest) -> HttpResponse:
    scope = request_scope(request)
    if scope.role != Role.MEMBER:
        return redirect("home")
    form = TransferRequestForm(request.POST or None)
    if request.method != "POST":
        return _my_membership_page(request, scope, form)
    if not form.is_valid():
        return _my_membership_page(request, scope, form, status=400)
    try:
        services.transfer_request_by_member(scope=scope, **form.cleaned_data)
    except ServiceError as err:
        form_error(form, err)
        return _my_membership_page(request, scope, form, status=err.status_code)
    messages.success(request, gettext("转接申请已提交，等待转出和转入工会确认。"))
    return redirect("members:my_membership")
