"""What the accounts app adds to core's registries (core/registry.py): how a signed-in user's
scope is found, and the second-factor check every page makes."""

from __future__ import annotations

from gonghui.accounts.scopes import scope_for
from gonghui.accounts.second_factor import redirect_to_second_factor, second_factor_missing
from gonghui.core import access, pages

access.provide_scope_resolver(scope_for)
pages.page_guards.register(
    pages.PageGuard("accounts.second_factor", second_factor_missing, redirect_to_second_factor, order=10)
)
