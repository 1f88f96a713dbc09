"""How web pages turn service errors into what the user sees, the same way on every page:
NotFound is a 404 page, Forbidden a 403 page, a failed check a message beside its field."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.translation import gettext

from gonghui.core.access import request_scope
from gonghui.core.audit import audit_service_refusal
from gonghui.core.errors import ServiceError
from gonghui.core.registry import Registry

View = Callable[..., HttpResponse]


@dataclass(frozen=True)
class PageGuard:
    """A check every signed-in page makes before its view runs: while `blocks` says so, the
    page gives `answer` instead (the second-factor step, for a staff session without it)."""

    key: str
    blocks: Callable[[HttpRequest], bool]
    answer: Callable[[HttpRequest], HttpResponse]
    order: int = 100


def blocking_guard(request: HttpRequest) -> PageGuard | None:
    """The first guard that holds this request back, if any; what it may not see yet (even
    a count in the navigation) is shown as nothing."""
    return next((guard for guard in page_guards.all() if guard.blocks(request)), None)


# The accounts app adds the second-factor guard (accounts/contributions.py).
page_guards: Registry[PageGuard] = Registry("page guards")


def is_htmx(request: HttpRequest) -> bool:
    """An htmx request wanting a fragment; restoring history needs the whole page."""
    return request.headers.get("HX-Request") == "true" and not request.headers.get("HX-History-Restore-Request")


def query_without_page(data: QueryDict) -> str:
    """A list page's query string for its pager's links, which add their own page number."""
    query = data.copy()
    query.pop("page", None)
    return query.urlencode()


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
        guard = blocking_guard(request)  # SecondFactorMiddleware sends staff away first
        if guard is not None:
            return guard.answer(request)
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
