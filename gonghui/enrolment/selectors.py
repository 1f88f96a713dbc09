"""Reads of membership applications: officers' within their subtree, and an applicant's own
by its reference and phone number."""

from __future__ import annotations

import hmac

from django.db.models import QuerySet
from django.utils.translation import gettext_noop

from gonghui.core.access import Scope
from gonghui.core.errors import NotFound
from gonghui.core.ratelimit import Limit, enforce
from gonghui.enrolment.models import Application, ApplicationStatus
from gonghui.enrolment.references import normalise_reference
from gonghui.members.identity import normalise_mobile
from gonghui.organisations.models import Organisation
from gonghui.organisations.selectors import union_directory, with_town_names


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


# --- the applicant's own look-up -----------------------------------------------------------

# The public picker asks once per pause in typing; a few hundred an hour is a person filling
# in the form many times over, not someone reading out the union directory.
UNION_OPTIONS_PER_ADDRESS = Limit("enrol-union-options-address", limit=300, period_seconds=3600)
UNION_OPTIONS_SHOWN = 20


def public_union_options(*, query: str, client_ip: str | None) -> list[Organisation]:
    """Open grassroots unions whose name contains `query`, with their town, for the public
    join form: names only, counted per address (core.ratelimit)."""
    enforce(UNION_OPTIONS_PER_ADDRESS, client_ip)
    text = query.strip()[:50]
    if not text:
        return []
    return with_town_names(list(union_directory(query=text)[:UNION_OPTIONS_SHOWN]))


STATUS_PER_ADDRESS = Limit("enrol-status-address", limit=10, period_seconds=3600)
STATUS_PER_REFERENCE = Limit("enrol-status-reference", limit=5, period_seconds=3600)
# One answer for a reference that does not exist and for a phone that is not its own, so
# the page says nothing about an application to anyone who lacks either.
NOT_FOUND = gettext_noop("没有找到与该申请编号和手机号码相符的申请，请核对后重试")


def application_find_own(*, reference: str, mobile: str, client_ip: str | None) -> Application:
    """The application with this reference, if `mobile` is the number it was sent with.
    Attempts are counted per address and per reference (core.ratelimit), found or not."""
    enforce(STATUS_PER_ADDRESS, client_ip)
    wanted = normalise_reference(reference)
    enforce(STATUS_PER_REFERENCE, wanted or reference.strip()[:32])
    found = Application.objects.select_related("union").filter(reference=wanted).first() if wanted else None
    typed = normalise_mobile(mobile or "")
    if found is None or not typed or not hmac.compare_digest(found.mobile.encode(), typed.encode()):
        raise NotFound(NOT_FOUND, field="reference")
    return found
