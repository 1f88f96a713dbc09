"""Reads of people and memberships, always within the asking person's scope."""

import re
from dataclasses import dataclass
from datetime import date

from django.db.models import Exists, OuterRef, Q, QuerySet

from gonghui.core.access import Scope
from gonghui.core.errors import NotFound
from gonghui.members.identity import normalise_mobile
from gonghui.members.models import Membership, MembershipStatus, Person, Transfer, TransferStatus
from gonghui.organisations.models import Organisation

ID_LIKE = re.compile(r"^\d{17}[\dXx]$")
MOBILE_LIKE = re.compile(r"^(\+86)?1\d{10}$")


def person_queryset(*, scope: Scope) -> QuerySet[Person]:
    """People the scope may see: staff see anyone who has been a member in their subtree,
    a member sees only themself."""
    if scope.is_staff:
        in_scope = Membership.objects.filter(scope.organisation_q("union__"), person=OuterRef("pk"))
        return Person.objects.filter(Exists(in_scope))
    return Person.objects.filter(pk=scope.person_id)


def person_get(*, scope: Scope, pk: int) -> Person:
    person = person_queryset(scope=scope).filter(pk=pk).first()
    if person is None:
        raise NotFound("没有找到该会员，或不在您的管辖范围内", field="person")
    return person


@dataclass(frozen=True)
class MemberFilter:
    query: str = ""
    union: Organisation | None = None  # a subtree inside the scope
    status: str | None = MembershipStatus.ACTIVE
    migrant_only: bool = False
    joined_from: date | None = None
    joined_to: date | None = None
    employer_id: int | None = None


def _search_q(query: str) -> Q:
    text = query.strip().replace(" ", "")
    if ID_LIKE.match(text):
        return Q(person__id_number=text.upper())
    if MOBILE_LIKE.match(text):
        return Q(person__mobile=normalise_mobile(text))
    return Q(person__name__startswith=text)


def membership_list(*, scope: Scope, filters: MemberFilter | None = None) -> QuerySet[Membership]:
    """Memberships in the scope, newest first; the base of member lists and exports."""
    f = filters or MemberFilter()
    if scope.is_staff:
        qs = Membership.objects.filter(scope.organisation_q("union__"))
    else:
        qs = Membership.objects.filter(person_id=scope.person_id)
    if f.union is not None:
        qs = qs.filter(union__path__startswith=f.union.path)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.query.strip():
        qs = qs.filter(_search_q(f.query))
    if f.migrant_only:
        qs = qs.filter(person__is_migrant_worker=True)
    if f.joined_from:
        qs = qs.filter(joined_on__gte=f.joined_from)
    if f.joined_to:
        qs = qs.filter(joined_on__lte=f.joined_to)
    if f.employer_id:
        qs = qs.filter(employer_id=f.employer_id)
    return qs.select_related("person", "union", "employer").order_by("-joined_on", "-pk")


def membership_get(*, scope: Scope, pk: int) -> Membership:
    membership = membership_list(scope=scope, filters=MemberFilter(status=None)).filter(pk=pk).first()
    if membership is None:
        raise NotFound("没有找到该会籍，或不在您的管辖范围内", field="membership")
    return membership


def members_on(*, scope: Scope, union: Organisation, on: date) -> QuerySet[Membership]:
    """Memberships in `union`'s subtree that were current on date `on` (end dates exclusive)."""
    qs = membership_list(scope=scope, filters=MemberFilter(union=union, status=None))
    return qs.filter(joined_on__lte=on).filter(Q(ended_on__isnull=True) | Q(ended_on__gt=on))


def active_membership(*, person: Person) -> Membership | None:
    return person.memberships.filter(status=MembershipStatus.ACTIVE).select_related("union", "employer").first()


def transfer_list(*, scope: Scope, status: str | None = TransferStatus.PENDING) -> QuerySet[Transfer]:
    """Transfers the scope takes part in: as sender, receiver, or the member themself."""
    if scope.is_staff:
        qs = Transfer.objects.filter(scope.organisation_q("membership__union__") | scope.organisation_q("to_union__"))
    else:
        qs = Transfer.objects.filter(membership__person_id=scope.person_id)
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("membership__person", "membership__union", "to_union", "to_employer").order_by(
        "-created_at"
    )


def transfer_get(*, scope: Scope, pk: int) -> Transfer:
    transfer = transfer_list(scope=scope, status=None).filter(pk=pk).first()
    if transfer is None:
        raise NotFound("没有找到该转接申请，或不在您的管辖范围内", field="transfer")
    return transfer
