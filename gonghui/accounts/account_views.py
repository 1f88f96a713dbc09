"""The account pages of city and town staff (create, list, one account, disable, enable,
reset the second factor, a new activation code) and the public activation page. Each view
parses input, calls one selector or service and renders; the rule of who may manage whom is
accounts.rules, applied by the selectors and services, so a union officer or a member is
refused here with the 403 page whatever they post."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext, gettext_noop
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gonghui.accounts import activation, administration, rules, selectors
from gonghui.accounts.activation import IssuedCode
from gonghui.accounts.forms import AccountCreateForm, AccountSearchForm, ActivationForm, CodeReissueForm
from gonghui.accounts.models import Account
from gonghui.core.access import Role, request_scope
from gonghui.core.errors import ServiceError
from gonghui.core.pages import form_error, is_htmx, query_without_page, staff_page
from gonghui.organisations.selectors import organisation_get

PAGE_SIZE = 25


@staff_page
@require_GET
def account_list(request: HttpRequest) -> HttpResponse:
    """Search as you type, like the member list: htmx asks for the results fragment."""
    scope = request_scope(request)
    rules.require_manager(scope)
    form = AccountSearchForm(request.GET)
    results = selectors.account_search(scope=scope, filters=form.to_filter()) if form.is_valid() else None
    context = {
        "form": form,
        "page_obj": Paginator(results, PAGE_SIZE).get_page(request.GET.get("page")) if results is not None else None,
        "query": query_without_page(request.GET),
    }
    template = "accounts/_account_results.html" if is_htmx(request) else "accounts/account_list.html"
    return render(request, template, context, status=200 if form.is_valid() else 400)


@staff_page
@require_http_methods(["GET", "POST"])
def account_new(request: HttpRequest) -> HttpResponse:
    scope = request_scope(request)
    rules.require_manager(scope)
    form = AccountCreateForm(request.POST if request.method == "POST" else None, scope=scope)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                created = _create(request, form.cleaned_data)
                context = issued_context(request, created.account, created.code, new=True)
                return render(request, "accounts/code_issued.html", context, status=201)
            except ServiceError as err:
                form_error(form, err)
                status = err.status_code
    return render(request, "accounts/account_new.html", {"form": form}, status=status)


def issued_context(request: HttpRequest, account: Account, issued: IssuedCode, **extra: Any) -> dict[str, Any]:
    """What a page showing a code just issued needs (also the enrolment's accept page)."""
    return {"account": account, "issued": issued, "activate_url": activate_url(request), **extra}


def activate_url(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("accounts:activate"))


def _create(request: HttpRequest, data: dict[str, Any]) -> administration.NewAccount:
    scope = request_scope(request)
    organisation = organisation_get(scope=scope, pk=data["organisation"])
    return administration.account_create(
        scope=scope,
        username=data["username"],
        name=data["name"],
        mobile=data["mobile"],
        role=data["role"],
        organisation=organisation,
        delivery=data["delivery"],
        request=request,
    )


def _detail_context(request: HttpRequest, user_id: int, **extra: Any) -> dict[str, Any]:
    scope = request_scope(request)
    detail = selectors.account_detail(scope=scope, user_id=user_id)
    return {
        "detail": detail,
        "account": detail.account,
        "may_manage": rules.outranks(scope, detail.account.role),
        "is_staff_account": detail.account.role != Role.MEMBER,
        "reissue_form": CodeReissueForm(),
        **extra,
    }


@staff_page
@require_GET
def account_detail(request: HttpRequest, user_id: int) -> HttpResponse:
    return render(request, "accounts/account_detail.html", _detail_context(request, user_id))


def _refused_on_detail(request: HttpRequest, user_id: int, err: ServiceError) -> HttpResponse:
    """A button's refusal shown above the account page's buttons; a 403 or 404 stays the
    error page (staff_page renders it)."""
    if err.status_code in (403, 404):
        raise err
    context = _detail_context(request, user_id, action_error=gettext(err.message))
    return render(request, "accounts/account_detail.html", context, status=err.status_code)


def _account_action(request: HttpRequest, user_id: int, action: Callable[..., Any], done: str) -> HttpResponse:
    """A button on the account's page: one service, then back to the page with a message, or
    the page again with the service's refusal above its buttons."""
    scope = request_scope(request)
    account = selectors.account_get(scope=scope, user_id=user_id)
    try:
        action(scope=scope, account=account, request=request)
    except ServiceError as err:
        return _refused_on_detail(request, user_id, err)
    messages.success(request, gettext(done))
    return redirect("accounts:account_detail", user_id=user_id)


@staff_page
@require_POST
def account_disable(request: HttpRequest, user_id: int) -> HttpResponse:
    done = gettext_noop("账号已停用，其所有登录会话已结束，API 令牌已作废")
    return _account_action(request, user_id, administration.account_deactivate, done)


@staff_page
@require_POST
def account_enable(request: HttpRequest, user_id: int) -> HttpResponse:
    return _account_action(request, user_id, administration.account_reactivate, gettext_noop("账号已启用"))


@staff_page
@require_POST
def account_reset_second_factor(request: HttpRequest, user_id: int) -> HttpResponse:
    done = gettext_noop("动态验证码已重置，本人下次登录时重新设置")
    return _account_action(request, user_id, administration.account_second_factor_reset, done)


@staff_page
@require_POST
def account_code(request: HttpRequest, user_id: int) -> HttpResponse:
    """A new activation code, shown once on the answer to this POST (never stored in clear)."""
    scope = request_scope(request)
    account: Account = selectors.account_get(scope=scope, user_id=user_id)
    form = CodeReissueForm(request.POST)
    if not form.is_valid():
        return render(request, "accounts/account_detail.html", _detail_context(request, user_id), status=400)
    try:
        issued = administration.account_code_reissue(
            scope=scope, account=account, delivery=form.cleaned_data["delivery"], request=request
        )
    except ServiceError as err:
        return _refused_on_detail(request, user_id, err)
    return render(request, "accounts/code_issued.html", issued_context(request, account, issued))


# --- activation (public) -------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def activate(request: HttpRequest) -> HttpResponse:
    """Where the holder of an activation code sets their password; no sign-in needed."""
    form = ActivationForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                user = activation.account_activate(
                    code=data["code"], proof=data["proof"], password=data["password"], request=request
                )
                return render(request, "accounts/activated.html", {"username": user.get_username()})
            except ServiceError as err:
                form_error(form, err)
                status = err.status_code
    return render(request, "accounts/activate.html", {"form": form}, status=status)
