"""Managing other people's accounts from the staff pages and the API: city staff manage the
town staff and union officers of their subtree, town staff their unions' officers, and
union officers nobody (the rule is accounts.rules). Every write checks it, runs in one
transaction and writes its audit entry; reads are in selectors.py."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_noop
from django_otp.plugins.otp_totp.models import TOTPDevice

from gonghui.accounts import activation
from gonghui.accounts.activation import IssuedCode
from gonghui.accounts.models import Account
from gonghui.accounts.rules import ASSIGNABLE, require_manager, require_outranks
from gonghui.accounts.selectors import account_list
from gonghui.accounts.services import account_disable, sessions_end
from gonghui.core.access import Role, Scope, StaffScope
from gonghui.core.audit import audit_record
from gonghui.core.errors import Conflict, Forbidden, ValidationFailed
from gonghui.core.mobiles import MOBILE_FORM, MOBILE_RE
from gonghui.core.models import AuditEntry
from gonghui.core.notifications import notify
from gonghui.core.text import CONTROL_MESSAGE, has_control_characters
from gonghui.organisations.models import GRASSROOTS_KINDS, Organisation, OrganisationKind, OrganisationStatus

# The kinds of organisation a role's account may belong to.
ROLE_KINDS: dict[str, frozenset[str]] = {
    Role.TOWN: frozenset({OrganisationKind.TOWN_FEDERATION}),
    Role.UNION: frozenset(GRASSROOTS_KINDS),
}
NAME_MAX = 50
MEMBER_USERNAME_DIGITS = 8


class Delivery:
    """How a new code reaches its holder: on a slip the issuer hands over (the page shows it
    once), or by text message to the holder's mobile."""

    SLIP = "slip"
    SMS = "sms"
    ALL = (SLIP, SMS)


ROLE_NOT_YOURS = gettext_noop("您不能创建该角色的账号")
KIND_FOR_TOWN = gettext_noop("镇（街道）总工会工作人员的所属组织须为镇（街道）总工会")
KIND_FOR_UNION = gettext_noop("基层工会工作人员的所属组织须为基层工会")
ORG_CLOSED = gettext_noop("该组织已不是正常状态")
USERNAME_EMPTY = gettext_noop("用户名不能为空")
USERNAME_FORM = gettext_noop("用户名只能包含字母、数字和 @ . + - _，最多150个字符")
USERNAME_TAKEN = gettext_noop("该用户名已被使用")
NAME_EMPTY = gettext_noop("姓名不能为空")
NAME_TOO_LONG = gettext_noop("姓名最多50个字")
MOBILE_EMPTY = gettext_noop("手机号码不能为空")
ALREADY_DISABLED = gettext_noop("该账号已停用")
ALREADY_ENABLED = gettext_noop("该账号未停用")
DISABLED_NO_CODE = gettext_noop("该账号已停用，请先启用再发放激活码")
NO_MOBILE = gettext_noop("该账号没有登记手机号码，不能发放激活码")
MEMBER_NO_PROOF = gettext_noop("该会员账号没有可核对的信息，请重新办理入会接收")
MEMBER_NO_FACTOR = gettext_noop("会员账号不使用动态验证码")
MEMBER_NO_SMS = gettext_noop("会员账号的激活码请当面转交")
SMS_TITLE = gettext_noop("工会工作平台账号激活码")
SMS_BODY = gettext_noop(
    "%(name)s，您的工会工作平台账号已开通，用户名 %(username)s，激活码 %(code)s，%(expires)s前有效。"
    "请在平台“激活账号”页面输入激活码和本手机号码，设置密码。"
)


# --- who may ---------------------------------------------------------------------------------


def require_manages(scope: Scope, account: Account) -> StaffScope:
    """The rule of accounts.rules for this account, which must also be in the scope."""
    staff = require_outranks(scope, account.role)
    if not account_list(scope=staff).filter(pk=account.pk).exists():
        raise Forbidden(gettext_noop("该账号不在您的管辖范围内"))
    return staff


# --- creating ------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewAccount:
    account: Account
    code: IssuedCode


def account_create(
    *,
    scope: Scope,
    username: str,
    name: str,
    mobile: str,
    role: str,
    organisation: Organisation,
    delivery: str = Delivery.SLIP,
    request: HttpRequest | None = None,
) -> NewAccount:
    """A staff account with no password yet: its holder sets one with the activation code,
    and enrols a second factor at their first sign-in, as every staff account does."""
    staff = require_manager(scope)
    _check_role(staff, role=role, organisation=organisation)
    fields = {"username": _username(username), "name": _name(name), "mobile": _mobile(mobile)}
    with transaction.atomic():
        user = _new_user(fields["username"], fields["name"])
        account = Account.objects.create(user=user, role=role, organisation=organisation, mobile=fields["mobile"])
        audit_record(
            actor=staff.user,
            action=AuditEntry.Action.ACCOUNT_CREATED,
            subject=user,
            request=request,
            detail={"role": role, "organisation": organisation.pk},
        )
        code = _staff_code(staff.user, account, delivery=delivery, request=request)
    return NewAccount(account=account, code=code)


def _check_role(staff: StaffScope, *, role: str, organisation: Organisation) -> None:
    if role not in ASSIGNABLE[staff.role]:
        raise Forbidden(ROLE_NOT_YOURS, field="role")
    staff.require_covers(organisation)
    if organisation.kind not in ROLE_KINDS[role]:
        raise ValidationFailed(KIND_FOR_TOWN if role == Role.TOWN else KIND_FOR_UNION, field="organisation")
    if organisation.status != OrganisationStatus.ACTIVE:
        raise ValidationFailed(ORG_CLOSED, field="organisation")


def _username(value: str) -> str:
    username = (value or "").strip()
    if not username:
        raise ValidationFailed(USERNAME_EMPTY, field="username")
    try:
        UnicodeUsernameValidator()(username)
    except DjangoValidationError:
        raise ValidationFailed(USERNAME_FORM, field="username") from None
    if len(username) > 150:
        raise ValidationFailed(USERNAME_FORM, field="username")
    # Sign-in and its lock-out go by the name as typed: two names apart only by case would
    # be two people whom the lock-out and the audit log could confuse.
    if User.objects.filter(username__iexact=username).exists():
        raise Conflict(USERNAME_TAKEN, field="username")
    return username


def _name(value: str) -> str:
    if has_control_characters(value or ""):
        raise ValidationFailed(CONTROL_MESSAGE, field="name")
    name = " ".join((value or "").split())
    if not name:
        raise ValidationFailed(NAME_EMPTY, field="name")
    if len(name) > NAME_MAX:
        raise ValidationFailed(NAME_TOO_LONG, field="name")
    return name


def _mobile(value: str) -> str:
    number = activation.normalise_proof(value)
    if not number:
        raise ValidationFailed(MOBILE_EMPTY, field="mobile")
    if not MOBILE_RE.fullmatch(number):
        raise ValidationFailed(MOBILE_FORM, field="mobile")
    return number


def _new_user(username: str, name: str) -> User:
    try:
        with transaction.atomic():
            # Django keeps a person's name in first_name; a Chinese name is not split.
            return User.objects.create_user(username=username, password=None, first_name=name)
    except IntegrityError:  # the same name taken by a request that got there first
        raise Conflict(USERNAME_TAKEN, field="username") from None


def _staff_code(actor: Any, account: Account, *, delivery: str, request: HttpRequest | None) -> IssuedCode:
    if not account.mobile:
        raise Conflict(NO_MOBILE)
    sent_to = account.mobile if delivery == Delivery.SMS else ""
    code = activation.activation_code_issue(
        actor=actor, user=account.user, proofs=[account.mobile], request=request, sent_to=sent_to
    )
    if sent_to:
        _send_code(code, name=account.user.first_name)
    return code


def _send_code(code: IssuedCode, *, name: str) -> None:
    expires = timezone.localtime(code.expires_at).strftime("%Y-%m-%d %H:%M")
    params = {"name": name, "username": code.username, "code": code.code, "expires": expires}
    notify(
        users=[], kind="accounts.activation_code", title=SMS_TITLE, body=SMS_BODY, params=params, sms_to=code.sent_to
    )


# --- changing ------------------------------------------------------------------------------


@transaction.atomic
def account_deactivate(*, scope: Scope, account: Account, request: HttpRequest | None = None) -> Account:
    """Disable: no sign-in, sessions ended, API tokens revoked (services.account_disable)."""
    staff = require_manages(scope, account)
    if not account.user.is_active:
        raise Conflict(ALREADY_DISABLED)
    account_disable(actor=staff.user, user=account.user, request=request)
    return account


@transaction.atomic
def account_reactivate(*, scope: Scope, account: Account, request: HttpRequest | None = None) -> Account:
    """Enable again: the old password works again, the revoked tokens stay revoked."""
    staff = require_manages(scope, account)
    user = account.user
    if user.is_active:
        raise Conflict(ALREADY_ENABLED)
    User.objects.filter(pk=user.pk).update(is_active=True)
    user.is_active = True
    audit_record(actor=staff.user, action=AuditEntry.Action.ACCOUNT_ENABLED, subject=user, request=request)
    return account


@transaction.atomic
def account_second_factor_reset(*, scope: Scope, account: Account, request: HttpRequest | None = None) -> Account:
    """A lost or replaced phone: the device is removed and every session ended, so the next
    sign-in (password first) enrols a new authenticator."""
    staff = require_manages(scope, account)
    if account.role == Role.MEMBER:
        raise Conflict(MEMBER_NO_FACTOR)
    removed, _ = TOTPDevice.objects.filter(user=account.user).delete()
    ended = sessions_end(user=account.user)
    audit_record(
        actor=staff.user,
        action=AuditEntry.Action.SECOND_FACTOR_RESET,
        subject=account.user,
        request=request,
        detail={"devices_removed": removed, "sessions_ended": ended},
    )
    return account


@transaction.atomic
def account_code_reissue(
    *, scope: Scope, account: Account, delivery: str = Delivery.SLIP, request: HttpRequest | None = None
) -> IssuedCode:
    """A new activation code: for a code that expired or was lost, or a forgotten password
    (using it sets a new one; the second factor stays as it is)."""
    staff = require_manages(scope, account)
    if not account.user.is_active:
        raise Conflict(DISABLED_NO_CODE)
    if account.role != Role.MEMBER:
        return _staff_code(staff.user, account, delivery=delivery, request=request)
    if delivery == Delivery.SMS:
        raise ValidationFailed(MEMBER_NO_SMS, field="delivery")
    hashes = activation.last_proof_hashes(user=account.user)
    if not hashes:
        raise Conflict(MEMBER_NO_PROOF)
    return activation.activation_code_issue(
        actor=staff.user, user=account.user, proof_hashes=hashes, person_id=account.person_id, request=request
    )


# --- members -------------------------------------------------------------------------------


def member_sign_in_grant(
    *,
    actor: Any,
    person_id: int,
    name: str,
    proofs: list[str],
    request: HttpRequest | None = None,
    sent_to: str = "",
) -> IssuedCode | None:
    """A sign-in for a member just taken in (enrolment's accept step, which has checked the
    officer's scope): their account, made if they have none, and an activation code to type
    with their identity number or mobile. None if they already sign in with a password."""
    account = Account.objects.select_related("user").filter(person_id=person_id).first()
    if account is not None and account.user.has_usable_password():
        return None
    if account is None:
        user = User.objects.create_user(username=_member_username(), password=None, first_name=name[:150])
        account = Account.objects.create(user=user, role=Role.MEMBER, person_id=person_id)
        audit_record(
            actor=actor,
            action=AuditEntry.Action.ACCOUNT_CREATED,
            subject=user,
            request=request,
            data_subject_id=person_id,
            detail={"role": Role.MEMBER},
        )
    return activation.activation_code_issue(
        actor=actor, user=account.user, proofs=proofs, person_id=person_id, request=request, sent_to=sent_to
    )


def _member_username() -> str:
    """ "m" and eight random digits: nothing about the person, and easy to read off a slip."""
    while True:
        username = "m" + "".join(secrets.choice("0123456789") for _ in range(MEMBER_USERNAME_DIGITS))
        if not User.objects.filter(username__iexact=username).exists():
            return username
