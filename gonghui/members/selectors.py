"""Reads of people and memberships, always within the asking person's scope."""

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Exists, ExpressionList, F, OrderBy, OuterRef, Q, QuerySet

from gonghui.core.access import Role, Scope
from gonghui.core.crypto import blind_index
from gonghui.core.errors import Conflict, Forbidden, NotFound
from gonghui.core.tree import subtree_q
from gonghui.members.identity import normalise_mobile
from gonghui.members.models import (
    Membership,
    MembershipEvent,
    MembershipStatus,
    Person,
    Transfer,
    TransferStatus,
)
from gonghui.organisations.models import Organisation
from gonghui.organisations.selectors import organisation_get

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
    # The numbers are stored sealed: an exact search compares their keyed hashes (indexed).
    if ID_LIKE.match(text):
        return Q(person__id_number_hash=blind_index(text.upper()))
    if MOBILE_LIKE.match(text):
        return Q(person__mobile_hash=blind_index(normalise_mobile(text)))
    return Q(person__name__startswith=text)


def membership_list(*, scope: Scope, filters: MemberFilter | None = None) -> QuerySet[Membership]:
    """Memberships in the scope, newest first; the base of member lists and exports."""
    f = filters or MemberFilter()
    if scope.is_staff:
        qs = Membership.objects.filter(scope.organisation_q("union__"))
    else:
        qs = Membership.objects.filter(person_id=scope.person_id)
    if f.union is not None:
        qs = qs.filter(subtree_q(f.union.path, via="union__"))
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
    return membership_list(scope=scope, filters=MemberFilter(union=union, status=None)).filter(current_on_q(on))


def current_on_q(day: date) -> Q:
    """Memberships current on `day`: joined by then, and an end date is the first day outside."""
    return Q(joined_on__lte=day) & (Q(ended_on__isnull=True) | Q(ended_on__gt=day))


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


@dataclass(frozen=True)
class PersonDetail:
    person: Person
    memberships: list[Membership]
    events: list[MembershipEvent]

    @property
    def current(self) -> Membership | None:
        """The active membership, if any: at most one, by the database constraint."""
        return next((m for m in self.memberships if m.status == MembershipStatus.ACTIVE), None)


def person_detail(*, scope: Scope, pk: int) -> PersonDetail:
    """A worker with their whole membership history: the one view of them across the
    federation, so it is not cut down to the asker's subtree once the person is visible."""
    person = person_get(scope=scope, pk=pk)
    memberships = list(person.memberships.select_related("union", "employer").order_by("-joined_on", "-pk"))
    events = list(person.membership_events.select_related("union", "counterpart").order_by("on", "pk"))
    return PersonDetail(person=person, memberships=memberships, events=events)


def own_person_detail(*, scope: Scope) -> PersonDetail:
    """A member's own record; staff accounts have none."""
    if scope.role != Role.MEMBER or scope.person_id is None:
        raise Forbidden("仅限会员本人查看")
    return person_detail(scope=scope, pk=scope.person_id)


def person_active_membership(*, scope: Scope, pk: int) -> Membership:
    """The current membership of a visible person, for leave and transfer; whether the asker
    may act on it (its union in their subtree) is the service's check."""
    person = person_get(scope=scope, pk=pk)
    current = active_membership(person=person)
    if current is None:
        raise Conflict("该职工目前没有有效会籍", field="person")
    return current


def member_filter(*, scope: Scope, union_id: int | None = None, **fields: Any) -> MemberFilter:
    """A MemberFilter from request parameters; a union outside the scope is not found."""
    union = organisation_get(scope=scope, pk=union_id) if union_id is not None else None
    return MemberFilter(union=union, **fields)


class NameIndexOrder(OrderBy):
    """ORDER BY person name, then membership id. PostgreSQL compares the name with the
    operator of its varchar_pattern_ops index (~<~, byte order), so that a name-prefix search
    walks that index and stops at the end of the page, instead of sorting every match (a
    common surname is some 20,000 people in one city) on every request. Other databases sort
    by the name's plain order."""

    def __init__(self) -> None:
        super().__init__(ExpressionList(F("person__name"), F("pk")))

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        name, pk = self.expression.get_source_expressions()
        name_sql, name_params = compiler.compile(name)
        pk_sql, pk_params = compiler.compile(pk)
        return f"{name_sql} USING ~<~, {pk_sql} ASC", [*name_params, *pk_params]


def is_name_search(query: str) -> bool:
    text = query.strip().replace(" ", "")
    return bool(text) and not ID_LIKE.match(text) and not MOBILE_LIKE.match(text)


def member_search(*, scope: Scope, filters: MemberFilter) -> QuerySet[Membership]:
    """The staff member list: by name for a name search, else newest registrations first.
    Members see their own record through own_person_detail.

    Both orders follow an index, so PostgreSQL reads only the page (and the capped count)
    rather than sorting every match: the name index for a name, the primary key backwards
    otherwise (the join date has no index to walk)."""
    scope.require_staff()
    qs = membership_list(scope=scope, filters=filters)
    return qs.order_by(NameIndexOrder()) if is_name_search(filters.query) else qs.order_by("-pk")
