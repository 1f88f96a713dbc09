"""Who may set up the scheme: the city federation's own staff, on every path (pages, services)."""

from __future__ import annotations

from django.utils.translation import gettext_noop

from gonghui.core.access import Role, Scope, StaffScope
from gonghui.core.errors import Forbidden
from gonghui.organisations.models import Organisation

CITY_ONLY = gettext_noop("只有市总工会工作人员可以设置互助保障")


def require_city_staff(scope: Scope, federation: Organisation | None = None) -> StaffScope:
    """City staff (of `federation`, when given); anyone else is refused with 403."""
    staff = scope.require_staff()
    if staff.role != Role.CITY or (federation is not None and staff.organisation_id != federation.pk):
        raise Forbidden(CITY_ONLY)
    return staff
