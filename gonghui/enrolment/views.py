"""The public application page (no account needed) and the officers' list of applications.
Views parse input, call one service or selector and render."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gonghui.core.access import request_scope
from gonghui.core.audit import client_ip
from gonghui.core.errors import ServiceError
from gonghui.core.pages import form_error, staff_page
from gonghui.enrolment import selectors, services
from gonghui.enrolment.forms import AcceptForm, ApplicationForm, RefuseForm
from gonghui.enrolment.models import CONSENT_VERSION
from gonghui.members.services import member_join_check
from gonghui.organisations.selectors import union_directory

OPTIONS_SHOWN = 20
PAGE_SIZE = 50
CONFIRMABLE = {"name_differs", "mobile_differs"}  # refusals the officer may override by confirming


@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest) -> HttpResponse:
    """The public form a worker fills in on a phone."""
    form = ApplicationForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.application_submit(
                union_code=data["union"].code,
                name=data["name"],
                id_number=data["id_number"],
                mobile=data["mobile"],
                employer_name=data["employer_name"],
                consented=data["consent"],
                client_ip=client_ip(request),
            )
            for warning in services.application_id_check(data["id_number"]).warnings:
                messages.warning(request, warning)
            return redirect("enrolment:done")
        except ServiceError as err:
            form_error(form, err)
            status = err.status_code
    elif request.method == "POST":
        status = 400
    return render(request, "enrolment/apply.html", {"form": form, "consent_version": CONSENT_VERSION}, status=status)


@require_GET
def done(request: HttpRequest) -> HttpResponse:
    return render(request, "enrolment/done.html")


@require_GET
def union_options(request: HttpRequest) -> HttpResponse:
    """<option>s for the public union picker: names and codes of open grassroots unions only."""
    query = request.GET.get("union", "").strip()[:50]
    unions = list(union_directory(query=query)[:OPTIONS_SHOWN]) if query else []
    return render(request, "organisations/_union_options.html", {"unions": unions})


@staff_page
@require_GET
def application_list(request: HttpRequest) -> HttpResponse:
    applications = selectors.application_list(scope=request_scope(request))[:PAGE_SIZE]
    return render(request, "enrolment/list.html", {"applications": applications})


@staff_page
@require_GET
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = selectors.application_get(scope=request_scope(request), pk=pk)
    context = {"application": application, "accept_form": AcceptForm(), "refuse_form": RefuseForm()}
    return render(request, "enrolment/detail.html", context)


@staff_page
@require_POST
def application_accept(request: HttpRequest, pk: int) -> HttpResponse:
    scope = request_scope(request)
    application = selectors.application_get(scope=scope, pk=pk)
    form = AcceptForm(request.POST)
    confirming = bool(request.POST.get("confirm_name_change") or request.POST.get("confirm_mobile_change"))
    if form.is_valid():
        try:
            membership = services.application_accept(scope=scope, application=application, **form.cleaned_data)
            messages.success(request, gettext("已接收入会申请"))
            person = membership.person
            for warning in member_join_check(id_number=person.id_number, joined_on=membership.joined_on).warnings:
                messages.warning(request, warning)
            return redirect("members:detail", membership.person_id)
        except ServiceError as err:
            form_error(form, err)
            confirming = confirming or err.code in CONFIRMABLE
    context = {"application": application, "accept_form": form, "refuse_form": RefuseForm(), "confirming": confirming}
    return render(request, "enrolment/detail.html", context, status=400)


@staff_page
@require_POST
def application_refuse(request: HttpRequest, pk: int) -> HttpResponse:
    scope = request_scope(request)
    application = selectors.application_get(scope=scope, pk=pk)
    form = RefuseForm(request.POST)
    if form.is_valid():
        try:
            services.application_refuse(scope=scope, application=application, reason=form.cleaned_data["reason"])
            messages.success(request, gettext("已拒绝入会申请"))
            return redirect("enrolment:list")
        except ServiceError as err:
            form_error(form, err)
    context = {"application": application, "accept_form": AcceptForm(), "refuse_form": form}
    return render(request, "enrolment/detail.html", context, status=400)
