"""The enrolment pages: a union officer (or the town or city above) enrols the union's
members for a year (all of them, a selection, or an uploaded list of ID numbers, as a job
with progress), reads and prints the list, and records the payment; a member reads their own
cover on the phone. Views parse input, call one service or selector and render."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gonghui.core.access import Role, request_scope
from gonghui.core.errors import Conflict, ValidationFailed
from gonghui.core.jobs import jobs_for
from gonghui.core.pages import form_error, is_htmx, page, query_without_page, staff_page
from gonghui.mutual_aid import contributions_paid, enrolling
from gonghui.mutual_aid import enrolment_selectors as reads
from gonghui.mutual_aid.enrolment_forms import IdListForm, PaymentForm
from gonghui.mutual_aid.models import SchemeYear
from gonghui.mutual_aid.selectors import scheme_year_get
from gonghui.organisations.models import Organisation

PAGE_SIZE = 50
CHOICES_SHOWN = 200
JOBS_SHOWN = 5
UNIONS_SHOWN = 30
Refused = (ValidationFailed, Conflict)  # shown as a message; 403 and 404 stay error pages


def _union_year(request: HttpRequest, year: int, union_id: int) -> tuple[Any, SchemeYear, Organisation]:
    scope = request_scope(request)
    union = reads.enrol_union_get(scope=scope, union_id=union_id)
    return scope, scheme_year_get(scope=scope, year=year), union


@staff_page
@require_GET
def enrol_index(request: HttpRequest) -> HttpResponse:
    """The open years, and the unions the viewer may enrol (an officer: their own)."""
    scope = request_scope(request)
    staff = scope.require_staff()
    query = request.GET.get("q", "")
    unions = reads.enrol_unions(scope=scope, query=query)[:UNIONS_SHOWN]
    if staff.role == Role.UNION:
        unions = reads.enrol_unions(scope=scope).filter(pk=staff.organisation_id)
    years = [(year, reads.window_state(year)) for year in reads.enrol_years(scope=scope)]
    context = {"years": years, "unions": unions, "q": query, "is_officer": staff.role == Role.UNION}
    return render(request, "mutual_aid/enrol_index.html", context)


@staff_page
@require_GET
def enrol_list(request: HttpRequest, year: int, union_id: int) -> HttpResponse:
    scope, scheme_year, union = _union_year(request, year, union_id)
    rows = Paginator(reads.enrolments_of(scheme_year=scheme_year, union=union), PAGE_SIZE)
    jobs = jobs_for(scope).filter(kind=enrolling.ENROL_KIND, scope_path=union.path, params__scheme_year=scheme_year.pk)[
        :JOBS_SHOWN
    ]
    context = {
        "scheme": scheme_year,
        "union": union,
        "state": reads.window_state(scheme_year),
        "summary": reads.union_year_summary(scheme_year=scheme_year, union=union),
        "page_obj": rows.get_page(request.GET.get("page")),
        "query": query_without_page(request.GET),
        "jobs": jobs,
    }
    return render(request, "mutual_aid/enrol_list.html", context)


def _submitted(request: HttpRequest, year: int, union_id: int, **which: Any) -> HttpResponse:
    scope, scheme_year, union = _union_year(request, year, union_id)
    try:
        job = enrolling.enrolment_job_submit(scope=scope, scheme_year=scheme_year, union=union, **which)
    except Refused as err:
        messages.error(request, gettext(err.message))
        return redirect("mutual_aid:enrol_list", year, union_id)
    return redirect("job_detail", pk=job.pk)


@staff_page
@require_POST
def enrol_all(request: HttpRequest, year: int, union_id: int) -> HttpResponse:
    return _submitted(request, year, union_id)


@staff_page
@require_http_methods(["GET", "POST"])
def enrol_select(request: HttpRequest, year: int, union_id: int) -> HttpResponse:
    """A checkbox list of the union's members not enrolled yet, searched as one types."""
    scope, scheme_year, union = _union_year(request, year, union_id)
    if request.method == "POST":
        chosen = [int(pk) for pk in request.POST.getlist("person") if pk.isdigit()]
        if not chosen:
            messages.error(request, gettext("请至少勾选一名会员"))
            return redirect("mutual_aid:enrol_select", year, union_id)
        return _submitted(request, year, union_id, person_ids=chosen)
    query = request.GET.get("q", "")
    found = reads.members_to_choose(scheme_year=scheme_year, union=union, query=query)
    context = {
        "scheme": scheme_year,
        "union": union,
        "q": query,
        "choices": found[:CHOICES_SHOWN],
        "more": found.count() > CHOICES_SHOWN,
        "shown": CHOICES_SHOWN,
    }
    template = "mutual_aid/_enrol_choices.html" if is_htmx(request) else "mutual_aid/enrol_select.html"
    return render(request, template, context)


@staff_page
@require_http_methods(["GET", "POST"])
def enrol_upload(request: HttpRequest, year: int, union_id: int) -> HttpResponse:
    scope, scheme_year, union = _union_year(request, year, union_id)
    form = IdListForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            uploaded = form.cleaned_data["file"]
            try:
                numbers = enrolling.id_numbers_read(uploaded, uploaded.name)
            except ValidationFailed as err:
                form_error(form, err)
            else:
                return _submitted(request, year, union_id, id_numbers=numbers)
    context = {"scheme": scheme_year, "union": union, "form": form}
    return render(request, "mutual_aid/enrol_upload.html", context, status=status)


@staff_page
@require_GET
def enrol_print(request: HttpRequest, year: int, union_id: int) -> HttpResponse:
    """The year's list for the union on A4 paper: every enrolment, no navigation."""
    scope, scheme_year, union = _union_year(request, year, union_id)
    context = {
        "scheme": scheme_year,
        "union": union,
        "rows": reads.enrolments_of(scheme_year=scheme_year, union=union),
        "summary": reads.union_year_summary(scheme_year=scheme_year, union=union),
        "printed_at": timezone.localtime(),
        "viewer": scope.user,
    }
    return render(request, "mutual_aid/enrol_print.html", context)


@staff_page
@require_http_methods(["GET", "POST"])
def enrol_pay(request: HttpRequest, year: int, union_id: int) -> HttpResponse:
    """Record the union's payment for its unpaid enrolments of the year."""
    scope, scheme_year, union = _union_year(request, year, union_id)
    summary = reads.union_year_summary(scheme_year=scheme_year, union=union)
    initial = {"request_key": uuid4().hex, "expected_count": summary.unpaid, "paid_on": timezone.localdate()}
    form = PaymentForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                payment = contributions_paid.enrolment_payment_record(
                    scope=scope, scheme_year=scheme_year, union=union, **form.cleaned_data
                )
            except Refused as err:
                form_error(form, err)
            else:
                messages.success(
                    request,
                    gettext("已登记缴费：%(count)s 人，%(amount)s 元")
                    % {"count": payment.count, "amount": payment.amount},
                )
                return redirect("mutual_aid:enrol_list", year, union_id)
    context = {"scheme": scheme_year, "union": union, "summary": summary, "form": form}
    return render(request, "mutual_aid/enrol_pay.html", context, status=status)


@page
@require_GET
def my_cover(request: HttpRequest) -> HttpResponse:
    """The member's own cover, year by year, on the phone."""
    scope = request_scope(request)
    if scope.role != Role.MEMBER:
        return redirect("home")
    return render(request, "mutual_aid/my_cover.html", {"covers": reads.my_cover(scope=scope)})
