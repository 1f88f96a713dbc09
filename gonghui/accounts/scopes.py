"""A signed-in user's scope, from their account's role and organisation. Core caches it per
request (core.access.request_scope); this module, which knows the Account, computes it."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.utils.translation import gettext

from gonghui.accounts.models import Account
from gonghui.core.access import MemberScope, Role, Scope, StaffScope
from gonghui.core.errors import Forbidden
from gonghui.organisations.models import Organisation


def scope_for(user: Any) -> Scope:
    """The scope of a signed-in user, from their account's role and organisation."""
    if user is None or not user.is_authenticated:
        raise Forbidden(gettext("请先登录"))
    account = account_of(user)
    if account is None:
        return _superuser_scope(user)
    if account.role == Role.MEMBER:
        if account.person_id is None:
            raise Forbidden(gettext("该账号未关联会员"))
        return MemberScope(user=user, person_id=account.person_id)
    org = account.organisation
    return StaffScope(user=user, role=account.role, organisation_id=org.pk, organisation_path=org.path)


def account_of(user: Any) -> Any:
    """The user's account with its organisation, in one query unless the caller (token auth)
    already loaded it with the user."""
    if get_user_model().account.is_cached(user):
        return getattr(user, "account", None)
    account = Account.objects.select_related("organisation").filter(user=user).first()
    if account is not None:
        user.account = account  # templates read user.account too; keep it cached
    return account


def _superuser_scope(user: Any) -> Scope:
    root = Organisation.objects.get_root_nodes().first() if user.is_superuser else None
    if root is None:
        raise Forbidden(gettext("该账号没有分配角色"))
    return StaffScope(user=user, role=Role.CITY, organisation_id=root.pk, organisation_path=root.path)
