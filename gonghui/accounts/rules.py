"""Who manages whose account, in one place (accounts.administration applies it, the pages
and the API ask it which buttons to show):

- only city and town staff manage accounts;
- an account is managed only from above: its role ranks below the manager's, so nobody
  creates, disables or resets someone of their own level or higher, and nobody gives a
  role above their own;
- and only within the manager's subtree (selectors.account_list)."""

from __future__ import annotations

from django.utils.translation import gettext_noop

from gonghui.core.access import Role, Scope, StaffScope
from gonghui.core.errors import Forbidden

RANK = {Role.MEMBER: 0, Role.UNION: 1, Role.TOWN: 2, Role.CITY: 3}
# The roles each manager may give; a role not listed here manages nobody.
ASSIGNABLE: dict[str, tuple[Role, ...]] = {Role.CITY: (Role.TOWN, Role.UNION), Role.TOWN: (Role.UNION,)}

NOT_A_MANAGER = gettext_noop("仅限市总工会和镇（街道）总工会工作人员管理账号")
NOT_BELOW = gettext_noop("只能管理级别低于您的账号")


def is_manager(scope: Scope) -> bool:
    return scope.is_staff and scope.role in ASSIGNABLE


def require_manager(scope: Scope) -> StaffScope:
    staff = scope.require_staff()
    if staff.role not in ASSIGNABLE:
        raise Forbidden(NOT_A_MANAGER)
    return staff


def outranks(scope: Scope, role: str) -> bool:
    return is_manager(scope) and RANK[Role(role)] < RANK[Role(scope.role)]


def require_outranks(scope: Scope, role: str) -> StaffScope:
    staff = require_manager(scope)
    if not outranks(staff, role):
        raise Forbidden(NOT_BELOW)
    return staff
