"""Members' payee bank accounts: who sets one, what a valid number is, and who sees it whole.

- A member sets their own (/mutual-aid/me/bank-account/); staff whose subtree holds the
  member's present membership (the union's officer, its town, the city) set it for them.
- The number is 12 to 30 digits. No Luhn check: many Chinese debit cards and most
  passbook and corporate accounts do not carry one, and refusing a real account is worse
  than the bank bouncing a mistyped one (the batch then lists it).
- Shown masked (6222 **** **** 1234). The whole number is shown to staff holding
  members.view_full_identity (the permission that reveals an ID number), with a reason,
  each look audited like an ID number's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from gonghui.core.access import MemberScope, Scope
from gonghui.core.audit import audit_record
from gonghui.core.errors import Forbidden, ServiceError, ValidationFailed
from gonghui.core.masking import mask_account
from gonghui.core.models import AuditEntry
from gonghui.core.personal_data import PersonalData, row
from gonghui.core.text import has_control_characters
from gonghui.members.models import Person
from gonghui.members.selectors import person_get
from gonghui.mutual_aid.models import BankAccount

REVEAL_PERMISSION = "members.view_full_identity"
NUMBER_MIN, NUMBER_MAX = 12, 30


@dataclass(frozen=True)
class AccountDetails:
    holder_name: str
    bank_name: str
    account_number: str


def account_number_clean(value: str) -> str:
    """The number as stored: digits only, spaces and dashes people type between groups dropped."""
    number = "".join(value.split()).replace("-", "")
    if not number.isascii() or not number.isdigit():
        raise ValidationFailed(gettext_noop("银行账号只能由数字组成"), field="account_number")
    if not NUMBER_MIN <= len(number) <= NUMBER_MAX:
        raise ValidationFailed(gettext_noop("银行账号应为 12 到 30 位数字"), field="account_number")
    return number


def _line(text: str) -> str:
    return "" if has_control_characters(text) else " ".join(text.split())


def _checked(details: AccountDetails) -> AccountDetails:
    holder = _line(details.holder_name)
    bank = _line(details.bank_name)
    if not holder or len(holder) > 50:
        raise ValidationFailed(gettext_noop("请填写户名（最多50个字）"), field="holder_name")
    if not bank or len(bank) > 100:
        raise ValidationFailed(gettext_noop("请填写开户行（最多100个字）"), field="bank_name")
    return AccountDetails(holder, bank, account_number_clean(details.account_number))


def _person_for(scope: Scope, person: Person) -> Person:
    """The person, if the scope may manage their account: themselves, or staff over their
    present membership (elsewhere 404; a former member of the subtree 403)."""
    if isinstance(scope, MemberScope):
        if scope.person_id != person.pk:
            raise Forbidden(gettext_noop("只能登记本人的银行账户"), field="person")
        return person
    seen = person_get(scope=scope, pk=person.pk)
    if not seen.present_here:
        raise Forbidden(gettext_noop("该职工已不在您管辖范围内的工会，不能登记其银行账户"), field="person")
    return seen


def bank_account_of(*, scope: Scope, person: Person) -> BankAccount | None:
    """The person's account (to show masked), for whoever may manage it."""
    person = _person_for(scope, person)
    return BankAccount.objects.filter(person=person).first()


@transaction.atomic
def bank_account_set(*, scope: Scope, person: Person, details: AccountDetails) -> BankAccount:
    """Register or change the person's payee account. A batch already made keeps the account
    it was made with (its lines hold a copy)."""
    person = _person_for(scope, person)
    checked = _checked(details)
    account = BankAccount.objects.select_for_update().filter(person=person).first() or BankAccount(person=person)
    account.holder_name = checked.holder_name
    account.bank_name = checked.bank_name
    account.account_number = checked.account_number
    account.updated_by = scope.user if getattr(scope.user, "is_authenticated", False) else None
    account.save()
    return account


def bank_account_reveal(*, scope: Scope, person: Person, reason: str, request: HttpRequest | None = None) -> str:
    """The whole number, for staff with the reveal permission who give a reason; the look,
    or its refusal, is audited naming whose account it was."""
    try:
        account = _reveal_allowed(scope, person, reason)
    except ServiceError as err:
        audit_record(
            actor=scope.user,
            action=AuditEntry.Action.ACCESS_DENIED,
            result=AuditEntry.Result.DENIED,
            subject=person,
            reason=reason,
            request=request,
            detail={"attempted": "reveal_bank_account", "status": err.status_code, "code": err.code},
        )
        raise
    audit_record(
        actor=scope.user,
        action=AuditEntry.Action.VIEW_SENSITIVE,
        subject=person,
        reason=reason,
        request=request,
        detail={"what": "bank_account_number", "bank_account": account.pk},
    )
    return account.account_number


def _reveal_allowed(scope: Scope, person: Person, reason: str) -> BankAccount:
    staff = scope.require_staff()
    person = _person_for(staff, person)
    if not scope.has_perm(REVEAL_PERMISSION):
        raise Forbidden(gettext("您没有查看完整银行账号的权限"))
    if not reason.strip():
        raise ValidationFailed(gettext("请填写查看理由"), field="reason")
    account = BankAccount.objects.filter(person=person).first()
    if account is None:
        raise ValidationFailed(gettext("该职工尚未登记银行账户"), field="person")
    return account


def bank_account_part(person: Person) -> list[dict[str, Any]]:
    """The member's data download: their payee account, the number masked as everywhere else
    (a download can be left on a shared computer; the member sees it whole on their page)."""
    return [
        row(
            holder_name=a.holder_name,
            bank_name=a.bank_name,
            account_number=mask_account(a.account_number),
            updated_at=a.updated_at,
        )
        for a in BankAccount.objects.filter(person=person)
    ]


PERSONAL_DATA = PersonalData(
    key="mutual_aid_bank_account",
    label=_("医疗互助收款银行账户"),
    collect=bank_account_part,
    order=45,
    columns={
        "holder_name": _("户名"),
        "bank_name": _("开户行"),
        "account_number": _("账号"),
        "updated_at": _("更新时间"),
    },
)
