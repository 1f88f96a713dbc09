"""What the accounts app adds to core's registries (core/registry.py): how a signed-in user's
scope is found, the second-factor check every page makes, the account pages' place in the
navigation (for those who manage accounts) and their to-do."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gonghui.accounts.rules import ASSIGNABLE
from gonghui.accounts.scopes import scope_for
from gonghui.accounts.second_factor import redirect_to_second_factor, second_factor_missing
from gonghui.accounts.selectors import accounts_with_dead_codes
from gonghui.core import access, navigation, pages, todos

access.provide_scope_resolver(scope_for)
pages.page_guards.register(
    pages.PageGuard("accounts.second_factor", second_factor_missing, redirect_to_second_factor, order=10)
)
navigation.registry.register(
    navigation.NavEntry(
        "accounts.manage",
        _("账号管理"),
        "accounts:account_list",
        order=80,
        roles=frozenset(str(role) for role in ASSIGNABLE),
        current=navigation.in_namespace("accounts"),
    )
)
todos.registry.register(
    todos.Todo(
        "accounts.codes_expired",
        _("激活码已过期、尚未激活的账号"),
        lambda scope: accounts_with_dead_codes(scope=scope).count(),
        "accounts:account_list",
        order=70,
    )
)
