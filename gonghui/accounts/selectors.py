"""Reads of accounts, scoped like everything else: staff see the accounts of their subtree's
organisations and of the members they may see."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import Q, QuerySet

from gonghui.accounts import hooks
from gonghui.accounts.models import Account
from gonghui.core.access import Scope


def account_list(*, scope: Scope) -> QuerySet[Account]:
    seen = scope.organisation_q("organisation__")
    for source in hooks.people_seen.all():  # the members app adds the people it lets the scope see
        seen |= Q(person__in=source.people(scope))
    return Account.objects.filter(seen)


def user_list(*, scope: Scope) -> QuerySet[User]:
    return User.objects.filter(account__in=account_list(scope=scope))
