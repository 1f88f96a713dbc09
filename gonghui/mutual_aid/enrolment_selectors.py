"""Reads for the enrolment pages: the years a viewer may enrol for, the unions they cover,
a union's enrolments for a year, and a member's own cover. A union outside the viewer's
subtree is not found (404), so its existence is not revealed; a member sees only their own."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_noop

from gonghui.core.access import MemberScope, Scope
from gonghui.core.crypto import blind_index
from gonghui.core.errors import Forbidden, NotFound
from gonghui.members.identity import normalise_id_number
from gonghui.members.models import Membership, MembershipStatus
from gonghui.mutual_aid import selectors, services
from gonghui.mutual_aid.contributions_paid import Due, due_for
from gonghui.mutual_aid.enrolling import ID_LIKE
from gonghui.mutual_aid.models import Enrolment, PaymentStatus, SchemeYear
from gonghui.organisations.models import GRASSROOTS_KINDS, Organisation, OrganisationStatus

UNIONS_SHOWN = 30


def window_state(scheme_year: SchemeYear, on: date | None = None) -> str:
    """ "before", "open", "late" (closed: late joiners only) or "over" (cover has ended)."""
    on = on or services.today()
    if on < scheme_year.enrolment_opens_on:
        return "before"
    if on <= scheme_year.enrolment_closes_on:
        return "open"
    return "late" if on <= scheme_year.coverage_ends_on else "over"


def enrol_union_get(*, scope: Scope, union_id: int) -> Organisation:
    """A grassroots union in the viewer's subtree; anyone else's is not found."""
    scope.require_staff()
    union = Organisation.objects.filter(pk=union_id).first()
    if union is None or not union.is_grassroots:
        raise NotFound(gettext_noop("没有找到该工会，或不在您的管辖范围内"), field="union")
    scope.require_visible(union, field="union")
    return union


def enrol_unions(*, scope: Scope, query: str = "") -> QuerySet[Organisation]:
    """Open grassroots unions in the viewer's subtree, by name (the first few)."""
    staff = scope.require_staff()
    unions = Organisation.objects.filter(
        staff.organisation_q(), status=OrganisationStatus.ACTIVE, kind__in=GRASSROOTS_KINDS
    )
    if query.strip():
        unions = unions.filter(name__contains=query.strip())
    return unions.order_by("path")


def enrolments_of(*, scheme_year: SchemeYear, union: Organisation) -> QuerySet[Enrolment]:
    return (
        Enrolment.objects.filter(scheme_year=scheme_year, union=union)
        .select_related("person", "employer", "payment")
        .order_by("person__name", "pk")
    )


@dataclass(frozen=True)
class UnionYear:
    enrolled: int
    paid: int
    unpaid: int
    due: Due  # what the unpaid ones cost


def union_year_summary(*, scheme_year: SchemeYear, union: Organisation) -> UnionYear:
    counts = Enrolment.objects.filter(scheme_year=scheme_year, union=union).aggregate(
        enrolled=Count("pk"), unpaid=Count("pk", filter=Q(payment__isnull=True))
    )
    enrolled, unpaid = counts["enrolled"], counts["unpaid"]
    return UnionYear(enrolled, enrolled - unpaid, unpaid, due_for(scheme_year, unpaid))


def members_to_choose(*, scheme_year: SchemeYear, union: Organisation, query: str = "") -> QuerySet[Membership]:
    """The union's active members not enrolled for the year, for the selection list: by the
    beginning of the name, or a whole ID number."""
    rows = Membership.objects.filter(union=union, status=MembershipStatus.ACTIVE).exclude(
        person__mutual_aid_enrolments__scheme_year=scheme_year
    )
    text = query.strip().replace(" ", "")
    if text and ID_LIKE.match(text):
        rows = rows.filter(person__id_number_hash=blind_index(normalise_id_number(text)))
    elif text:
        rows = rows.filter(person__name__startswith=text)
    return rows.select_related("person", "employer").order_by("person__name", "pk")


@dataclass(frozen=True)
class MyCover:
    enrolment: Enrolment
    waiting_ends_on: date | None  # the first day care is covered, for a first-time enrolee
    paid: bool
    ended_early: bool  # cover ends before the year's (the member left)


def my_cover(*, scope: Scope) -> list[MyCover]:
    """A member's own enrolments, newest year first; staff have their own pages (403)."""
    if not isinstance(scope, MemberScope):
        raise Forbidden(gettext_noop("此页面仅供会员本人查看"))
    rows = (
        Enrolment.objects.filter(person_id=scope.person_id)
        .select_related("scheme_year", "union")
        .order_by("-scheme_year__year")
    )
    return [
        MyCover(
            enrolment=row,
            waiting_ends_on=row.cover(waiting_days=row.scheme_year.waiting_days).waiting_ends_on,
            paid=row.payment_status == PaymentStatus.PAID,
            ended_early=row.coverage_to < row.scheme_year.coverage_ends_on,
        )
        for row in rows
    ]


def enrol_years(*, scope: Scope) -> QuerySet[SchemeYear]:
    return selectors.scheme_year_list(scope=scope)
