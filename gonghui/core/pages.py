"""How web pages turn service errors into what the user sees, the same way on every page:
NotFound is a 404 page, Forbidden a 403 page, a failed check a message beside its field."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext

from gonghui.accounts.second_factor import redirect_to_second_factor, second_factor_missing
from gonghui.core.access import request_scope
from gonghui.core.audit import audit_service_refusal
from gonghui.core.errors import ServiceError

View = Callable[..., HttpResponse]


def is_htmx(request: HttpRequest) -> bool:
    """An htmx request wanting a fragment; restoring history needs the whole page."""
    return request.headers.get("HX-Request") == "true" and not request.headers.get("HX-History-Restore-Request")


def error_page(request: HttpRequest, err: ServiceError) -> HttpResponse:
    audit_service_refusal(request=request, err=err)
    template = "core/_error.html" if is_htmx(request) else "core/error.html"
    context = {"status": err.status_code, "message": gettext(err.message)}
    return render(request, template, context, status=err.status_code)


def page(view: View) -> View:
    """A signed-in page (for staff, with the second factor) whose service errors become an
    error page with the right status."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if second_factor_missing(request):  # SecondFactorMiddleware sends staff away first
            return redirect_to_second_factor(request)
        try:
            return view(request, *args, **kwargs)
        except ServiceError as err:
            return error_page(request, err)

    return login_required(wrapped)


def staff_page(view: View) -> View:
    """A page for union staff only; members get a 403 page."""

    @wraps(view)
    def staff_only(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        request_scope(request).require_staff()
        return view(request, *args, **kwargs)

    return page(staff_only)


def form_error(form: forms.Form, err: ServiceError) -> None:
    """Show a service's refusal beside the field it names, or above the form."""
    field = err.field if err.field in form.fields else None
    form.add_error(field, gettext(err.message))
