"""Reads of membership applications, within the asking officer's subtree."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_noop

from gonghui.core.access import Scope
from gonghui.core.errors import NotFound
from gonghui.enrolment.models import Application, ApplicationStatus


def application_list(*, scope: Scope, status: str | None = ApplicationStatus.PENDING) -> QuerySet[Application]:
    scope.require_staff()
    qs = Application.objects.filter(scope.organisation_q("union__")).select_related("union")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-pk")


def application_get(*, scope: Scope, pk: int) -> Application:
    found = application_list(scope=scope, status=None).select_related("decided_by", "membership").filter(pk=pk).first()
    if found is None:
        raise NotFound(gettext_noop("没有找到该申请，或不在您的管辖范围内"))
    return found
