"""Reads of the organisation tree, always within the asking person's scope."""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr

from gonghui.core.access import Scope
from gonghui.core.errors import NotFound
from gonghui.organisations.models import (
    GRASSROOTS_KINDS,
    Employer,
    Officer,
    Organisation,
    OrganisationStatus,
    OrganisationStatusChange,
)


def organisation_list(*, scope: Scope, kind: str | None = None, query: str | None = None) -> QuerySet[Organisation]:
    qs = Organisation.objects.filter(scope.organisation_q())
    if kind:
        qs = qs.filter(kind=kind)
    if query:
        qs = qs.filter(Q(name__contains=query) | Q(code__iexact=query))
    return qs.order_by("path")


def organisation_get(*, scope: Scope, pk: int | None = None, code: str | None = None) -> Organisation:
    lookup = {"pk": pk} if pk is not None else {"code": code}
    org = organisation_list(scope=scope).filter(**lookup).first()
    if org is None:
        raise NotFound("没有找到该组织，或不在您的管辖范围内", field="organisation")
    return org


def scope_root(*, scope: Scope) -> Organisation:
    return organisation_get(scope=scope, pk=scope.organisation_id)


def union_directory(*, query: str) -> QuerySet[Organisation]:
    """Active grassroots unions anywhere, by name or code: the receiving side of a transfer
    may be outside the asker's subtree, so this returns names and codes only."""
    return (
        Organisation.objects.filter(kind__in=GRASSROOTS_KINDS, status=OrganisationStatus.ACTIVE)
        .filter(Q(name__contains=query) | Q(code__iexact=query))
        .only("id", "code", "name", "kind", "path", "depth")
        .order_by("name")
    )


def subtree_counts(*, parent: Organisation, depth: int) -> dict[str, dict[str, int]]:
    """Per node at `depth` below `parent`: unions, employers covered and active members in its
    subtree, three grouped queries whatever the size of the tree."""
    from gonghui.members.models import Membership, MembershipStatus

    prefix_len = Organisation.steplen * depth
    counts: dict[str, dict[str, int]] = {}

    def add(rows: QuerySet, key: str) -> None:
        # order_by() drops default orderings, which would otherwise join the GROUP BY.
        for row in rows.order_by():
            counts.setdefault(row["prefix"], {"unions": 0, "employers": 0, "members": 0})[key] = row["n"]

    add(
        Organisation.objects.filter(
            path__startswith=parent.path, kind__in=GRASSROOTS_KINDS, status=OrganisationStatus.ACTIVE
        )
        .annotate(prefix=Substr("path", 1, prefix_len))
        .values("prefix")
        .annotate(n=Count("id")),
        "unions",
    )
    add(
        Employer.objects.filter(union__path__startswith=parent.path)
        .annotate(prefix=Substr("union__path", 1, prefix_len))
        .values("prefix")
        .annotate(n=Count("id")),
        "employers",
    )
    add(
        Membership.objects.filter(status=MembershipStatus.ACTIVE, union__path__startswith=parent.path)
        .annotate(prefix=Substr("union__path", 1, prefix_len))
        .values("prefix")
        .annotate(n=Count("id")),
        "members",
    )
    return counts


def children_with_counts(*, scope: Scope, parent: Organisation) -> list[tuple[Organisation, dict[str, int]]]:
    if not scope.covers_path(parent.path):
        raise NotFound("没有找到该组织，或不在您的管辖范围内", field="organisation")
    counts = subtree_counts(parent=parent, depth=parent.depth + 1)
    empty = {"unions": 0, "employers": 0, "members": 0}
    return [
        (child, counts.get(child.path, empty)) for child in Organisation.objects.get_children(parent).order_by("path")
    ]


def organisation_totals(*, scope: Scope, organisation: Organisation) -> dict[str, int]:
    if not scope.covers_path(organisation.path):
        raise NotFound("没有找到该组织，或不在您的管辖范围内", field="organisation")
    return subtree_counts(parent=organisation, depth=organisation.depth).get(
        organisation.path, {"unions": 0, "employers": 0, "members": 0}
    )


def employer_list(*, scope: Scope, query: str | None = None, union: Organisation | None = None) -> QuerySet[Employer]:
    qs = Employer.objects.filter(scope.organisation_q("union__") | scope.organisation_q("town__"))
    if union is not None:
        qs = qs.filter(union=union)
    if query:
        qs = qs.filter(Q(name__contains=query) | Q(uscc=query.upper()))
    return qs.select_related("union", "town").order_by("name")


def employer_get(*, scope: Scope, pk: int) -> Employer:
    employer = employer_list(scope=scope).filter(pk=pk).first()
    if employer is None:
        raise NotFound("没有找到该单位，或不在您的管辖范围内", field="employer")
    return employer


@dataclass(frozen=True)
class OrganisationDetail:
    organisation: Organisation
    parent: Organisation | None
    officers: list[Officer]
    status_changes: list[OrganisationStatusChange]


def organisation_detail(*, scope: Scope, pk: int) -> OrganisationDetail:
    """One organisation with its current officers and dated status history."""
    org = organisation_get(scope=scope, pk=pk)
    parent = Organisation.objects.get_parent(org) if org.depth > 1 else None
    officers = list(org.officers.filter(ended_on__isnull=True).order_by("role", "started_on", "pk"))
    changes = list(org.status_changes.select_related("merged_into").order_by("on", "pk"))
    return OrganisationDetail(organisation=org, parent=parent, officers=officers, status_changes=changes)


def organisation_subtree(
    *, scope: Scope, organisation: Organisation, kind: str | None = None
) -> QuerySet[Organisation]:
    """The organisation and everything below it, in tree order: one indexed prefix match."""
    if not scope.covers_path(organisation.path):
        raise NotFound("没有找到该组织，或不在您的管辖范围内", field="organisation")
    qs = Organisation.objects.filter(path__startswith=organisation.path)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("path")


def organisation_target_get(*, pk: int, field: str) -> Organisation:
    """An organisation named as the destination of a write (a parent, a union to join, a
    union to merge into). Not scoped: the service decides, and refuses with 403 rather
    than pretending an organisation it names does not exist."""
    org = Organisation.objects.filter(pk=pk).first()
    if org is None:
        raise NotFound("没有找到该组织", field=field)
    return org


def employer_target_get(*, pk: int, field: str) -> Employer:
    """An employer named as the destination of a transfer, which may lie in another town."""
    employer = Employer.objects.select_related("union").filter(pk=pk).first()
    if employer is None:
        raise NotFound("没有找到该单位", field=field)
    return employer
