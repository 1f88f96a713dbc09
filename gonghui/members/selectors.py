"""Reads of people and memberships, always within the asking person's scope.

Staff see anyone who has been a member in their subtree, but a worker's present belongs to
one union only: the one holding their active membership or, if they have none (they left
or died), their latest one. Staff whose subtree holds that membership see the person whole;
a former union sees only its own past memberships of them, under their name and masked
identity number, and nothing of their present (docs/audit-and-privacy.md). Every row these
selectors return carries `present_here` to say which, and pages, the API and exports show
the mobile and the other personal details only where it is true."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, TypedDict, TypeVar

from django.db.models import (
    BooleanField,
    Case,
    Exists,
    ExpressionList,
    ExpressionWrapper,
    F,
    Model,
    OrderBy,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.expressions import BaseExpression
from django.utils.translation import gettext
from django_stubs_ext import WithAnnotations

from gonghui.core.access import MemberScope, Scope, StaffScope
from gonghui.core.crypto import blind_index
from gonghui.core.errors import Conflict, Forbidden, NotFound
from gonghui.core.tree import subtree_q
from gonghui.members.identity import normalise_mobile, upgrade_15_digits
from gonghui.members.models import (
    Membership,
    MembershipEvent,
    MembershipStatus,
    Person,
    Transfer,
    TransferStatus,
)
from gonghui.organisations.models import Employer, Organisation
from gonghui.organisations.selectors import employer_list, organisation_get


class PresentHere(TypedDict):
    present_here: bool


# A person, or a membership, as these selectors return them. On Python 3.11 the alias takes
# its arguments only in the checker; at run time the plain models stand in.
if TYPE_CHECKING:
    PersonHere = WithAnnotations[Person, PresentHere]
    MembershipHere = WithAnnotations[Membership, PresentHere]
else:
    PersonHere = Person
    MembershipHere = Membership
_M = TypeVar("_M", bound=Model)

ID_LIKE = re.compile(r"^\d{17}[\dXx]$")
OLD_ID_LIKE = re.compile(r"^\d{15}$")  # a number from before 1999: stored upgraded to 18 digits
MOBILE_LIKE = re.compile(r"^(\+86)?1\d{10}$")


# The present membership comes first in this order: the active one (the only one without an
# end date), else the latest to end.
PRESENT_FIRST = (F("ended_on").desc(nulls_first=True), F("joined_on").desc(), F("pk").desc())


def _present_union_path(person_ref: str) -> Subquery:
    """The path of the union holding the present membership of the person at `person_ref`."""
    present = Membership.objects.filter(person_id=OuterRef(person_ref)).order_by(*PRESENT_FIRST)
    return Subquery(present.values("union__path")[:1])


def _with_present_here(qs: QuerySet[_M], path: str | None, present_path: BaseExpression) -> QuerySet[Any]:
    """`qs` with `present_here`: whether the subtree at `path` holds the person's present
    membership (None: a member's own records, always theirs). Its callers name the type
    (PersonHere, MembershipHere): the checker's Django plugin cannot carry an annotation
    through a type variable."""
    if path is None:
        return qs.annotate(present_here=Value(True, output_field=BooleanField()))
    # A prefix test rather than subtree_q's range: this is a computed value, no index to
    # walk, and the range would state (and on SQLite run) the subquery twice.
    return qs.alias(present_union_path=present_path).annotate(
        present_here=ExpressionWrapper(Q(present_union_path__startswith=path), output_field=BooleanField())
    )


def _viewer_path(scope: Scope) -> str | None:
    """The subtree a viewer's `present_here` is judged by; None for a member, whose only
    records are their own (and for a staff scope without a subtree, which sees no rows)."""
    return scope.organisation_path if isinstance(scope, StaffScope) else None


def memberships_with_present(qs: QuerySet[Membership], *, path: str | None) -> QuerySet[MembershipHere]:
    """Memberships annotated with `present_here` for a viewer whose subtree is at `path`.
    An active membership is its person's present, so only the others ask the database."""
    present_path = Case(
        When(status=MembershipStatus.ACTIVE, then=F("union__path")), default=_present_union_path("person_id")
    )
    return _with_present_here(qs, path, present_path)


def person_queryset(*, scope: Scope) -> QuerySet[PersonHere]:
    """People the scope may see: staff see anyone who has been a member in their subtree,
    a member sees only themself. Each carries `present_here` (see the module's docstring)."""
    if isinstance(scope, StaffScope):
        in_scope = Membership.objects.filter(scope.organisation_q("union__"), person=OuterRef("pk"))
        people = Person.objects.filter(Exists(in_scope))
    else:
        people = Person.objects.filter(pk=scope.person_id)
    return _with_present_here(people, _viewer_path(scope), _present_union_path("pk"))


def person_get(*, scope: Scope, pk: int) -> PersonHere:
    person = person_queryset(scope=scope).filter(pk=pk).first()
    if person is None:
        raise NotFound(gettext("没有找到该会员，或不在您的管辖范围内"), field="person")
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
    sort: str = ""  # "" newest registrations first, "name", "joined" or "-joined" (入会时间)


def _search_q(query: str) -> Q:
    text = query.strip().replace(" ", "")
    # The numbers are stored sealed: an exact search compares their keyed hashes (indexed).
    if ID_LIKE.match(text):
        return Q(person__id_number_hash=blind_index(text.upper()))
    if OLD_ID_LIKE.match(text):
        return Q(person__id_number_hash=blind_index(upgrade_15_digits(text)))
    if MOBILE_LIKE.match(text):
        return Q(person__mobile_hash=blind_index(normalise_mobile(text)))
    return Q(person__name__startswith=text)


def membership_list(*, scope: Scope, filters: MemberFilter | None = None) -> QuerySet[MembershipHere]:
    """Memberships in the scope, newest first, each with `present_here`; the base of member
    lists and exports."""
    f = filters or MemberFilter()
    if isinstance(scope, StaffScope):
        qs = Membership.objects.filter(scope.organisation_q("union__"))
    else:
        qs = Membership.objects.filter(person_id=scope.person_id)
    qs = memberships_with_present(qs, path=_viewer_path(scope))
    if f.union is not None:
        qs = qs.filter(subtree_q(f.union.path, via="union__"))
    if f.status:
        qs = qs.filter(status=f.status)
    if f.query.strip():
        qs = qs.filter(_search_q(f.query))
        if MOBILE_LIKE.match(f.query.strip().replace(" ", "")):
            # A mobile number is the person's present: a former union must not learn whose it is now.
            qs = qs.filter(present_here=True)
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
        raise NotFound(gettext("没有找到该会籍，或不在您的管辖范围内"), field="membership")
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
    if isinstance(scope, StaffScope):
        qs = Transfer.objects.filter(scope.organisation_q("membership__union__") | scope.organisation_q("to_union__"))
    else:
        qs = Transfer.objects.filter(membership__person_id=scope.person_id)
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("membership__person", "membership__union", "to_union", "to_employer").order_by(
        "-created_at"
    )


@dataclass(frozen=True)
class TransferFilter:
    status: str | None = None  # None: every status
    direction: str = ""  # "in": into the scope, "out": out of it, "": both
    since: date | None = None  # requested on or after
    until: date | None = None  # requested on or before


def transfer_history(*, scope: Scope, filters: TransferFilter) -> QuerySet[Transfer]:
    """The transfers page's record: every transfer the scope took part in, decided or not."""
    qs = transfer_list(scope=scope, status=filters.status)
    if isinstance(scope, StaffScope) and filters.direction == "in":
        qs = qs.filter(scope.organisation_q("to_union__"))
    elif isinstance(scope, StaffScope) and filters.direction == "out":
        qs = qs.filter(scope.organisation_q("membership__union__"))
    if filters.since:
        qs = qs.filter(requested_on__gte=filters.since)
    if filters.until:
        qs = qs.filter(requested_on__lte=filters.until)
    return qs.order_by("-requested_on", "-pk")


def pending_transfer(*, membership: Membership) -> Transfer | None:
    """The membership's transfer waiting for confirmation, if any (at most one, by the
    database constraint). Its caller has already been allowed to act on the membership."""
    return (
        Transfer.objects.filter(membership=membership, status=TransferStatus.PENDING)
        .select_related("membership__person", "membership__union", "to_union", "to_employer")
        .first()
    )


def receiving_employers(*, scope: Scope, transfers: list[Transfer]) -> dict[int, list[Employer]]:
    """For the transfers this scope receives and has yet to confirm: the receiving union's
    employers to choose the worker's new one from, by union id, in one query."""
    unions = {
        t.to_union_id for t in transfers if t.receiving_confirmed_at is None and scope.covers_path(t.to_union.path)
    }
    if not unions or not isinstance(scope, StaffScope):
        return {}
    employers = list(employer_list(scope=scope).filter(union_id__in=unions).order_by("name", "pk"))
    return {pk: [e for e in employers if e.union_id == pk] for pk in unions}


def transfer_get(*, scope: Scope, pk: int) -> Transfer:
    transfer = transfer_list(scope=scope, status=None).filter(pk=pk).first()
    if transfer is None:
        raise NotFound(gettext("没有找到该转接申请，或不在您的管辖范围内"), field="transfer")
    return transfer


@dataclass(frozen=True)
class PersonDetail:
    person: PersonHere
    memberships: list[Membership]
    events: list[MembershipEvent]  # each with `counterpart_shown`

    @property
    def past_only(self) -> bool:
        """The viewer is a former union: it sees its own past memberships and nothing more."""
        return not self.person.present_here

    @property
    def current(self) -> Membership | None:
        """The active membership, if the viewer may see it: at most one, by the database constraint."""
        return next((m for m in self.memberships if m.status == MembershipStatus.ACTIVE), None)


def person_detail(*, scope: Scope, pk: int) -> PersonDetail:
    """A worker with the membership history the viewer may see: staff see the memberships
    and changes in their own subtree, and the other side of a transfer only when that too
    is theirs, so a union never learns where else the person has been or has gone."""
    person = person_get(scope=scope, pk=pk)
    memberships = person.memberships.select_related("union", "employer").order_by("-joined_on", "-pk")
    events = person.membership_events.select_related("union", "counterpart").order_by("on", "pk")
    if scope.is_staff:
        memberships = memberships.filter(scope.organisation_q("union__"))
        events = events.filter(scope.organisation_q("union__")).annotate(
            counterpart_shown=ExpressionWrapper(scope.organisation_q("counterpart__"), output_field=BooleanField())
        )
    else:
        events = events.annotate(counterpart_shown=Value(True, output_field=BooleanField()))
    return PersonDetail(person=person, memberships=list(memberships), events=list(events))


def own_person_detail(*, scope: Scope) -> PersonDetail:
    """A member's own record; staff accounts have none."""
    if not isinstance(scope, MemberScope):
        raise Forbidden(gettext("仅限会员本人查看"))
    return person_detail(scope=scope, pk=scope.person_id)


def person_active_membership(*, scope: Scope, pk: int) -> Membership:
    """The current membership of a visible person, for leave and transfer. A former union
    is refused before anything of the person's present is read; whether the asker may act
    on the membership is then the service's check."""
    person = person_get(scope=scope, pk=pk)
    if not person.present_here:
        raise Forbidden(gettext("该职工已不在您管辖范围内的工会，不能为其办理"), field="person")
    current = active_membership(person=person)
    if current is None:
        raise Conflict(gettext("该职工目前没有有效会籍"), field="person")
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
        (pair,) = self.get_source_expressions()
        name, pk = pair.get_source_expressions()
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
    if filters.sort in ("joined", "-joined"):
        way = "" if filters.sort == "joined" else "-"
        return qs.order_by(f"{way}first_joined_on", f"{way}pk")
    if filters.sort == "name" or (not filters.sort and is_name_search(filters.query)):
        return qs.order_by(NameIndexOrder())
    return qs.order_by("-pk")
