"""Reads of accounts, scoped like everything else: staff see the accounts of their subtree's
organisations and of the members they may see. The account pages are for those who manage
accounts (city and town staff, accounts.administration); union officers are refused."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.auth.models import User
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_noop

from gonghui.accounts import hooks
from gonghui.accounts.models import Account, AccountStatus, ActivationCode, SignedInSession
from gonghui.accounts.rules import require_manager
from gonghui.core.access import Scope
from gonghui.core.errors import NotFound
from gonghui.core.models import AuditEntry


def account_list(*, scope: Scope) -> QuerySet[Account]:
    seen = scope.organisation_q("organisation__")
    for source in hooks.people_seen.all():  # the members app adds the people it lets the scope see
        seen |= Q(person__in=source.people(scope))
    return Account.objects.filter(seen)


def user_list(*, scope: Scope) -> QuerySet[User]:
    return User.objects.filter(account__in=account_list(scope=scope))


# Django marks a user with no password yet by this prefix; an account waiting for its
# activation code has one.
_NO_PASSWORD = Q(user__password__startswith=UNUSABLE_PASSWORD_PREFIX)
STATUS_Q = {
    AccountStatus.DISABLED: Q(user__is_active=False),
    AccountStatus.PENDING: Q(user__is_active=True) & _NO_PASSWORD,
    AccountStatus.ACTIVE: Q(user__is_active=True) & ~_NO_PASSWORD,
}


@dataclass(frozen=True)
class AccountFilter:
    query: str = ""  # the start of a username or a name
    role: str = ""
    status: str = ""


def account_search(*, scope: Scope, filters: AccountFilter) -> QuerySet[Account]:
    """Accounts in the scope, for those who manage accounts (accounts.rules)."""
    require_manager(scope)
    accounts = account_list(scope=scope).select_related("user", "organisation")
    if filters.query:
        accounts = accounts.filter(
            Q(user__username__istartswith=filters.query) | Q(user__first_name__startswith=filters.query)
        )
    if filters.role:
        accounts = accounts.filter(role=filters.role)
    if filters.status in STATUS_Q:
        accounts = accounts.filter(STATUS_Q[AccountStatus(filters.status)])
    return accounts.order_by("organisation__path", "role", "user__username", "pk")


def accounts_with_dead_codes(*, scope: Scope) -> QuerySet[Account]:
    """Accounts still waiting to be activated whose code has expired: a new code is due."""
    live = ActivationCode.objects.filter(
        user_id=OuterRef("user_id"), used_at__isnull=True, expires_at__gt=timezone.now()
    )
    pending = account_search(scope=scope, filters=AccountFilter(status=AccountStatus.PENDING))
    return pending.filter(~Exists(live))


def account_get(*, scope: Scope, user_id: int) -> Account:
    found = account_search(scope=scope, filters=AccountFilter()).filter(user_id=user_id).first()
    if found is None:
        raise NotFound(gettext_noop("没有找到该账号，或不在您的管辖范围内"))
    return found


# --- what an account did -------------------------------------------------------------------

SIGN_IN_ACTIONS = (
    AuditEntry.Action.SIGN_IN,
    AuditEntry.Action.SIGN_IN_FAILED,
    AuditEntry.Action.SIGN_OUT,
    AuditEntry.Action.LOCKED_OUT,
)
ACCOUNT_ACTIONS = (
    AuditEntry.Action.ACCOUNT_CREATED,
    AuditEntry.Action.ACCOUNT_DISABLED,
    AuditEntry.Action.ACCOUNT_ENABLED,
    AuditEntry.Action.SECOND_FACTOR_RESET,
    AuditEntry.Action.ACTIVATION_CODE_ISSUED,
    AuditEntry.Action.ACCOUNT_ACTIVATED,
)
HISTORY_SHOWN = 30
# The labels of the audit actions this app writes, for the catalogue (core.models has them
# in plain Chinese).
ACTION_LABELS = (
    gettext_noop("创建账号"),
    gettext_noop("启用账号"),
    gettext_noop("重置动态验证码"),
    gettext_noop("发放激活码"),
    gettext_noop("账号激活"),
    gettext_noop("登录"),
    gettext_noop("退出登录"),
)


@dataclass(frozen=True)
class AccountDetail:
    account: Account
    sign_ins: list[AuditEntry]  # sign-ins, failures and sign-outs, newest first
    events: list[AuditEntry]  # what was done to the account: created, codes, disabled, reset
    actions: list[AuditEntry]  # what its holder did lately that the log records
    sessions: list[SignedInSession]  # sessions open now


def account_detail(*, scope: Scope, user_id: int) -> AccountDetail:
    """One account with who signed in when, for the staff who manage it. The audit log as a
    whole is the city's auditors' (core.audit); here a manager reads only the entries about
    one account in their scope and that account's own actions."""
    account = account_get(scope=scope, user_id=user_id)
    about = AuditEntry.objects.filter(subject_type="auth.user", subject_id=str(account.user_id))
    newest = ("-at", "-pk")
    return AccountDetail(
        account=account,
        sign_ins=list(about.filter(action__in=SIGN_IN_ACTIONS).order_by(*newest)[:HISTORY_SHOWN]),
        events=list(about.filter(action__in=ACCOUNT_ACTIONS).order_by(*newest)[:HISTORY_SHOWN]),
        actions=list(
            AuditEntry.objects.filter(actor_id=account.user_id)
            .exclude(action__in=SIGN_IN_ACTIONS)
            .order_by(*newest)[:HISTORY_SHOWN]
        ),
        sessions=list(SignedInSession.objects.filter(user_id=account.user_id).order_by("-signed_in_at")),
    )
