"""Reads of accounts, scoped like everything else: staff see the accounts of their subtree's
organisations and of the members they may see."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import Q, QuerySet

from gonghui.accounts.models import Account
from gonghui.core.access import Scope


def account_list(*, scope: Scope) -> QuerySet[Account]:
    from gonghui.members.selectors import person_queryset  # members is built on accounts

    return Account.objects.filter(scope.organisation_q("organisation__") | Q(person__in=person_queryset(scope=scope)))


def user_list(*, scope: Scope) -> QuerySet[User]:
    return User.objects.filter(account__in=account_list(scope=scope))
