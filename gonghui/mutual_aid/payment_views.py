"""Pages for paying claims (city and town staff: batches, the bank file, marking paid) and
for payee bank accounts (staff over the member, and the member on the phone). Views parse
input, call one service of payments.py or bank_accounts.py and render."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gonghui.core.access import MemberScope, Role, Scope, request_scope
from gonghui.core.downloads import attachment
from gonghui.core.errors import Conflict, NotFound, ServiceError
from gonghui.core.ledger import Overdrawn
from gonghui.core.masking import mask_account
from gonghui.core.pages import form_error, page, staff_page
from gonghui.core.text import LineField
from gonghui.core.xlsx import XLSX_TYPE
from gonghui.members.exports import CSV_TYPE
from gonghui.members.forms import DateInput, RevealForm
from gonghui.members.models import Person
from gonghui.mutual_aid import bank_accounts, payments
from gonghui.mutual_aid.models import BankAccount, PaymentBatch

# --- forms ---------------------------------------------------------------------------------


class BatchForm(forms.Form):
    settled_to = forms.DateField(
        label=_("结算日期截至"), required=False, widget=DateInput(), help_text=_("留空则收入全部已批准的理赔")
    )
    note = LineField(label=_("说明"), required=False, max_length=200)


class PaidForm(forms.Form):
    bank_reference = LineField(label=_("银行流水号"), max_length=40)
    paid_on = forms.DateField(label=_("银行支付日期"), widget=DateInput())


class BankAccountForm(forms.Form):
    holder_name = LineField(label=_("户名"), max_length=50)
    bank_name = LineField(label=_("开户行"), max_length=100, help_text=_("如：中国工商银行海宁支行"))
    account_number = LineField(
        label=_("银行账号"),
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        help_text=_("12 到 30 位数字"),
    )

    def details(self) -> bank_accounts.AccountDetails:
        return bank_accounts.AccountDetails(**self.cleaned_data)


# --- batches -------------------------------------------------------------------------------


@staff_page
@require_GET
def payment_batch_list(request: HttpRequest) -> HttpResponse:
    batches = payments.payment_batch_list(scope=request_scope(request))
    return render(request, "mutual_aid/payment_batches.html", {"batches": batches[:200]})


@staff_page
@require_http_methods(["GET", "POST"])
def payment_batch_new(request: HttpRequest) -> HttpResponse:
    scope = request_scope(request)
    form = BatchForm(request.POST or request.GET or None)
    settled_to = form.cleaned_data["settled_to"] if form.is_valid() else None
    if request.method == "POST" and form.is_valid():
        try:
            batch = payments.payment_batch_create(scope=scope, settled_to=settled_to, note=form.cleaned_data["note"])
            messages.success(request, gettext("支付批次 %(number)s 已生成") % {"number": batch.number})
            return redirect("mutual_aid:payment_batch", batch.pk)
        except ServiceError as err:
            form_error(form, err)
    plan = payments.payment_plan(scope=scope, settled_to=settled_to)
    context = {
        "form": form,
        "lines": [(item, mask_account(account.account_number)) for item, account in plan.lines],
        "held": _held(plan.held),
        "total": plan.total,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "mutual_aid/payment_new.html", context, status=status)


def _held(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**row, "text": payments.held_text(row)} for row in rows]


def _batch_context(batch: PaymentBatch, **extra: Any) -> dict[str, Any]:
    lines = [(line, mask_account(line.account_number)) for line in payments.payment_lines(batch)]
    return {"batch": batch, "lines": lines, "held": _held(batch.held), "draft": batch.status == "draft", **extra}


@staff_page
@require_GET
def payment_batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = payments.payment_batch_get(scope=request_scope(request), pk=pk)
    paid_form = PaidForm(initial={"paid_on": timezone.localdate()})
    return render(request, "mutual_aid/payment_batch.html", _batch_context(batch, paid_form=paid_form))


@staff_page
@require_GET
def payment_transfer_file(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    scope = request_scope(request)
    batch = payments.payment_batch_get(scope=scope, pk=pk)
    content, filename = payments.transfer_file(scope=scope, batch=batch, fmt=fmt, request=request)
    return attachment(content, XLSX_TYPE if fmt == "xlsx" else CSV_TYPE, filename)


@staff_page
@require_POST
def payment_batch_paid(request: HttpRequest, pk: int) -> HttpResponse:
    scope = request_scope(request)
    batch = payments.payment_batch_get(scope=scope, pk=pk)
    form = PaidForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            payments.payment_batch_mark_paid(scope=scope, batch=batch, **form.cleaned_data)
            messages.success(request, gettext("批次 %(number)s 已标记为已支付") % {"number": batch.number})
            return redirect("mutual_aid:payment_batch", batch.pk)
        except Overdrawn as err:
            # Nothing was posted or changed: say so beside the reason.
            form.add_error(None, gettext("资金不足，未作任何支付：%(why)s") % {"why": err.message})
            status = err.status_code
        except Conflict as err:  # about the batch, not a field: shown above the form
            form.add_error(None, gettext(err.message))
            status = err.status_code
        except ServiceError as err:
            form_error(form, err)
            status = err.status_code
    batch.refresh_from_db()
    context = _batch_context(batch, paid_form=form)
    return render(request, "mutual_aid/payment_batch.html", context, status=status)


@staff_page
@require_POST
def payment_batch_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    scope = request_scope(request)
    batch = payments.payment_batch_get(scope=scope, pk=pk)
    payments.payment_batch_cancel(scope=scope, batch=batch)
    messages.success(request, gettext("批次 %(number)s 已作废，其中的理赔可重新生成批次") % {"number": batch.number})
    return redirect("mutual_aid:payment_batch", batch.pk)


# --- bank accounts -------------------------------------------------------------------------


def _person(person_id: int) -> Person:
    person = Person.objects.filter(pk=person_id).first()
    if person is None:
        raise NotFound(gettext("没有找到该会员，或不在您的管辖范围内"), field="person")
    return person


def _account_page(
    request: HttpRequest, scope: Scope, person: Person, form: BankAccountForm, *, status: int = 200, **extra: Any
) -> HttpResponse:
    account = bank_accounts.bank_account_of(scope=scope, person=person)
    context = {
        "person": person,
        "account": account,
        "masked": mask_account(account.account_number) if account else "",
        "form": form,
        "reveal_form": extra.pop("reveal_form", RevealForm()),
        "own": scope.role == Role.MEMBER,
        **extra,
    }
    return render(request, "mutual_aid/payment_bank_account.html", context, status=status)


def _initial(account: BankAccount | None, person: Person) -> dict[str, str]:
    if account is None:
        return {"holder_name": person.name}
    return {"holder_name": account.holder_name, "bank_name": account.bank_name}


def _account_form_view(request: HttpRequest, scope: Scope, person: Person, done: str, **kwargs: Any) -> HttpResponse:
    if request.method != "POST":
        account = bank_accounts.bank_account_of(scope=scope, person=person)
        return _account_page(request, scope, person, BankAccountForm(initial=_initial(account, person)))
    form = BankAccountForm(request.POST)
    if form.is_valid():
        try:
            bank_accounts.bank_account_set(scope=scope, person=person, details=form.details())
            messages.success(request, gettext("收款银行账户已保存"))
            return redirect(done, **kwargs)
        except ServiceError as err:
            form_error(form, err)
    return _account_page(request, scope, person, form, status=400)


@staff_page
@require_http_methods(["GET", "POST"])
def bank_account_edit(request: HttpRequest, person_id: int) -> HttpResponse:
    scope = request_scope(request)
    person = _person(person_id)
    return _account_form_view(request, scope, person, "mutual_aid:bank_account", person_id=person.pk)


@staff_page
@require_POST
def bank_account_reveal(request: HttpRequest, person_id: int) -> HttpResponse:
    scope = request_scope(request)
    person = _person(person_id)
    form = RevealForm(request.POST)
    revealed, status = "", 400
    if form.is_valid():
        try:
            revealed = bank_accounts.bank_account_reveal(
                scope=scope, person=person, reason=form.cleaned_data["reason"], request=request
            )
            status = 200
        except ServiceError as err:
            if err.status_code in (403, 404):
                raise
            form_error(form, err)
    account_form = BankAccountForm(initial=_initial(bank_accounts.bank_account_of(scope=scope, person=person), person))
    return _account_page(request, scope, person, account_form, status=status, revealed=revealed, reveal_form=form)


@page
@require_http_methods(["GET", "POST"])
def my_bank_account(request: HttpRequest) -> HttpResponse:
    scope = request_scope(request)
    if not isinstance(scope, MemberScope):
        return redirect("home")
    person = Person.objects.get(pk=scope.person_id)
    return _account_form_view(request, scope, person, "mutual_aid:my_bank_account")
