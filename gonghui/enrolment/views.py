"""The public application page (no account needed) and the officers' list of applications.
Views parse input, call one service or selector and render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gonghui.accounts.account_views import activate_url
from gonghui.core.access import request_scope
from gonghui.core.audit import client_ip
from gonghui.core.errors import ServiceError
from gonghui.core.masking import mask_mobile
from gonghui.core.pages import form_error, staff_page
from gonghui.enrolment import selectors, services
from gonghui.enrolment.forms import AcceptForm, ApplicationForm, RefuseForm, StatusForm
from gonghui.enrolment.models import CONSENT_VERSION, Application
from gonghui.enrolment.services import Acceptance
from gonghui.members.services import member_join_check

PAGE_SIZE = 50
CONFIRMABLE = {"name_differs", "mobile_differs"}  # refusals the officer may override by confirming


# The reference of the application just sent from this browser, for the done page.
SUBMITTED_REFERENCE = "enrolment_reference"
# The application form's fields the service checks on their own (services.FIELD_CHECKS).
CHECKED_FIELDS = ("name", "id_number", "mobile", "employer_name")


@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest) -> HttpResponse:
    """The public form a worker fills in on a phone. Every problem is shown at once: those
    the form finds, and the service's for the fields the form let through."""
    form = ApplicationForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                application = _submit(request, form.cleaned_data)
                request.session[SUBMITTED_REFERENCE] = application.reference
                for warning in services.application_id_check(form.cleaned_data["id_number"]).warnings:
                    messages.warning(request, warning)
                return redirect("enrolment:done")
            except ServiceError as err:
                for problem in getattr(err, "problems", [err]):
                    form_error(form, problem)
                status = err.status_code
        else:
            _add_service_problems(form)
    return render(request, "enrolment/apply.html", {"form": form, "consent_version": CONSENT_VERSION}, status=status)


def _submit(request: HttpRequest, data: dict[str, Any]) -> Application:
    return services.application_submit(
        union_code=data["union"].code,
        name=data["name"],
        id_number=data["id_number"],
        mobile=data["mobile"],
        employer_name=data["employer_name"],
        consented=data["consent"],
        client_ip=client_ip(request),
    )


def _add_service_problems(form: ApplicationForm) -> None:
    """The service's problems with the fields the form accepted (it checks only those)."""
    given = {field: form.cleaned_data[field] for field in CHECKED_FIELDS if field in form.cleaned_data}
    if "consent" not in form.errors:
        given["consent"] = form.cleaned_data.get("consent", False)
    _, problems = services.application_problems(**given)
    for problem in problems:
        form_error(form, problem)


@require_GET
def done(request: HttpRequest) -> HttpResponse:
    return render(request, "enrolment/done.html", {"reference": request.session.get(SUBMITTED_REFERENCE, "")})


@require_http_methods(["GET", "POST"])
def status(request: HttpRequest) -> HttpResponse:
    """How an application stands, for whoever has both its reference and its phone number;
    anyone else learns nothing, not even whether the reference exists."""
    form = StatusForm(
        request.POST if request.method == "POST" else None,
        initial={"reference": request.session.get(SUBMITTED_REFERENCE, "")},
    )
    application, code = None, 200
    if request.method == "POST":
        code = 400
        if form.is_valid():
            try:
                application = selectors.application_find_own(
                    reference=form.cleaned_data["reference"],
                    mobile=form.cleaned_data["mobile"],
                    client_ip=client_ip(request),
                )
                code = 200
            except ServiceError as err:
                form_error(form, err)
                code = err.status_code
    return render(request, "enrolment/status.html", {"form": form, "application": application}, status=code)


@require_GET
def union_options(request: HttpRequest) -> HttpResponse:
    """<option>s for the public union picker: names and towns of open grassroots unions only."""
    try:
        unions = selectors.public_union_options(query=request.GET.get("union", ""), client_ip=client_ip(request))
    except ServiceError as err:
        return HttpResponse(status=err.status_code)  # the picker stays empty; the form still works
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
    """Accepting answers with a page of its own rather than a redirect: it may carry the new
    member's activation code, which is shown this once and kept nowhere in clear."""
    scope = request_scope(request)
    application = selectors.application_get(scope=scope, pk=pk)
    form = AcceptForm(request.POST)
    confirming = bool(request.POST.get("confirm_name_change") or request.POST.get("confirm_mobile_change"))
    if form.is_valid():
        try:
            accepted = services.application_accept(scope=scope, application=application, **form.cleaned_data)
            membership = accepted.membership
            for warning in member_join_check(
                id_number=membership.person.id_number, joined_on=membership.joined_on
            ).warnings:
                messages.warning(request, warning)
            return render(request, "enrolment/accepted.html", _accepted_context(request, application, accepted))
        except ServiceError as err:
            form_error(form, err)
            confirming = confirming or err.code in CONFIRMABLE
    context = {"application": application, "accept_form": form, "refuse_form": RefuseForm(), "confirming": confirming}
    return render(request, "enrolment/detail.html", context, status=400)


def _accepted_context(request: HttpRequest, application: Application, accepted: Acceptance) -> dict[str, Any]:
    application.refresh_from_db()
    return {
        "application": application,
        "membership": accepted.membership,
        "issued": accepted.sign_in,
        "activate_url": activate_url(request),
        "masked_mobile": mask_mobile(application.mobile),
    }


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
