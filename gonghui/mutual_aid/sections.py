"""The mutual-aid section of the member detail page (core/sections.py): the worker's
enrolments and claims, as much of them as the page's viewer may see. Staff see the
enrolments of unions in their subtree and the claims under those enrolments, so a town
never learns of the member's years in another town; a member sees only their own."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from gonghui.core.access import MemberScope, Scope
from gonghui.core.errors import NotFound
from gonghui.core.sections import MemberSection
from gonghui.mutual_aid.models import Claim, Enrolment

SHOWN_CLAIMS = 50  # the latest; the rest are on the claims pages


def _visible(scope: Scope, person: Any, via: str) -> Q:
    if isinstance(scope, MemberScope):
        if scope.person_id != person.pk:
            raise NotFound(gettext_noop("没有找到该职工"))
        return Q()
    return scope.organisation_q(via)


def member_enrolments(*, scope: Scope, person: Any) -> QuerySet[Enrolment]:
    return (
        Enrolment.objects.filter(_visible(scope, person, "union__"), person=person)
        .select_related("scheme_year", "union")
        .order_by("-scheme_year__year", "-pk")
    )


def member_claims(*, scope: Scope, person: Any) -> QuerySet[Claim]:
    return (
        Claim.objects.filter(_visible(scope, person, "enrolment__union__"), person=person)
        .select_related("scheme_year")
        .order_by("-admitted_on", "-pk")
    )


def section_context(scope: Scope, person: Any) -> dict[str, Any]:
    claims = member_claims(scope=scope, person=person)
    return {
        "enrolments": list(member_enrolments(scope=scope, person=person)),
        "claims": list(claims[:SHOWN_CLAIMS]),
        "claim_count": claims.count(),
    }


SECTION = MemberSection(
    key="mutual_aid",
    label=_("职工医疗互助保障"),
    template="mutual_aid/_member_section.html",
    context=section_context,
    order=40,
)
