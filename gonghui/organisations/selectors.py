"""Reads of the organisation tree, always within the asking person's scope."""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr
from django.utils.translation import gettext

from gonghui.core.access import Scope
from gonghui.core.errors import NotFound
from gonghui.core.tree import subtree_q
from gonghui.organisations import hooks
from gonghui.organisations.hooks import SubtreeCount
from gonghui.organisations.identity import code_skeleton, code_skeleton_sql, normalise_code
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
        qs = qs.filter(Q(name__contains=query) | Q(code__iexact=normalise_code(query)))
    return qs.order_by("path")


UNION_SORTS = {
    "name": ("name", "pk"),
    "code": ("code",),
    "founded": ("founded_on", "pk"),
    "-founded": ("-founded_on", "-pk"),
}


@dataclass(frozen=True)
class UnionFilter:
    query: str = ""  # part of the name, or the whole code
    kind: str = ""
    status: str = ""
    sort: str = "name"


def union_list(*, scope: Scope, within: Organisation, filters: UnionFilter) -> QuerySet[Organisation]:
    """The grassroots unions in `within`'s subtree (a town's unions), searched and sorted."""
    qs = organisation_subtree(scope=scope, organisation=within).filter(kind__in=GRASSROOTS_KINDS)
    if filters.query.strip():
        text = filters.query.strip()
        qs = qs.filter(Q(name__contains=text) | Q(code=normalise_code(text)))
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.status:
        qs = qs.filter(status=filters.status)
    return qs.order_by(*UNION_SORTS.get(filters.sort, UNION_SORTS["name"]))


def union_counts(*, unions: list[Organisation]) -> dict[int, dict[str, int]]:
    """Employers, active members and what other apps count, for each union of a page: one
    grouped query per count and per depth among them, never one per union."""
    result = {org.pk: _no_counts() for org in unions}
    for depth in {org.depth for org in unions}:
        level = [org for org in unions if org.depth == depth]
        by_path = {org.path: org.pk for org in level}
        for count in _counts()[1:]:
            within = Q()
            for path in by_path:
                within |= subtree_q(path, via=count.via)
            prefix = Substr(f"{count.via}path", 1, Organisation.steplen * depth)
            grouped = count.rows().filter(within).order_by().annotate(prefix=prefix).values("prefix")
            for row in grouped.annotate(n=Count("id")):
                if row["prefix"] in by_path:
                    result[by_path[row["prefix"]]][count.key] = row["n"]
    return result


def organisation_get(*, scope: Scope, pk: int | None = None, code: str | None = None) -> Organisation:
    """By id, or by code as typed: ＨＮ－ＸＦ－００１ or one pasted with invisible marks finds HN-XF-001."""
    lookup = {"pk": pk} if pk is not None else {"code": normalise_code(code or "")}
    org = organisation_list(scope=scope).filter(**lookup).first()
    if org is None:
        raise NotFound(gettext("没有找到该组织，或不在您的管辖范围内"), field="organisation")
    return org


def scope_root(*, scope: Scope) -> Organisation:
    return organisation_get(scope=scope, pk=scope.require_staff().organisation_id)


def union_directory(*, query: str) -> QuerySet[Organisation]:
    """Active grassroots unions anywhere, by name or code: the receiving side of a transfer
    may be outside the asker's subtree, so this returns names and codes only."""
    return (
        Organisation.objects.filter(kind__in=GRASSROOTS_KINDS, status=OrganisationStatus.ACTIVE)
        .filter(Q(name__contains=query) | Q(code__iexact=normalise_code(query)))
        .only("id", "code", "name", "kind", "path", "depth")
        .order_by("name")
    )


TOWN_DEPTH = 2  # the city is the root; its towns (镇、街道) are one level down


def with_town_names(orgs: list[Organisation]) -> list[Organisation]:
    """`orgs`, each with `town_name`: the town its subtree lies in ("" for the city), read in
    one query, so that a picker shows which 皮革厂工会 is which without a code."""
    steps = Organisation.steplen * TOWN_DEPTH
    prefixes = {org.path[:steps] for org in orgs if org.depth >= TOWN_DEPTH}
    names = dict(Organisation.objects.filter(path__in=prefixes).values_list("path", "name")) if prefixes else {}
    for org in orgs:
        org.town_name = names.get(org.path[:steps], "") if org.depth >= TOWN_DEPTH else ""
    return orgs


def organisation_code_look_alike(*, code: str) -> str | None:
    """An existing code that reads the same as `code` (O for 0, I for 1) but is not it. Not
    scoped: codes are unique across the whole federation, whoever can see the other one."""
    return (
        Organisation.objects.alias(skeleton=code_skeleton_sql())
        .filter(skeleton=code_skeleton(code))
        .exclude(code=normalise_code(code))
        .values_list("code", flat=True)
        .first()
    )


def _counts() -> list[SubtreeCount]:
    """Unions and employers, then what later apps count (organisations/hooks.py)."""
    unions = SubtreeCount(
        "unions", lambda: Organisation.objects.filter(kind__in=GRASSROOTS_KINDS, status=OrganisationStatus.ACTIVE), ""
    )
    employers = SubtreeCount("employers", lambda: Employer.objects.all(), "union__")
    return [unions, employers, *hooks.subtree_counts.all()]


def _counted(path: str, *, whole_tree: bool = False) -> list[tuple[str, QuerySet, str]]:
    """(key, rows counted, path of the organisation each row belongs to) for a subtree.
    For the whole tree the path filters are dropped: they match every row, yet make the
    database join every employer and membership to its union only to find that out."""
    return [
        (count.key, count.anywhere() if whole_tree else count.in_subtree(path), f"{count.via}path")
        for count in _counts()
    ]


def _no_counts() -> dict[str, int]:
    return dict.fromkeys((count.key for count in _counts()), 0)


def subtree_counts(*, parent: Organisation, depth: int) -> dict[str, dict[str, int]]:
    """Per node at `depth` below `parent`: unions, employers covered and active members in its
    subtree, one grouped query each whatever the size of the tree."""
    prefix_len = Organisation.steplen * depth
    counts: dict[str, dict[str, int]] = {}
    for key, rows, path_field in _counted(parent.path):
        # order_by() drops default orderings, which would otherwise join the GROUP BY.
        grouped = rows.order_by().annotate(prefix=Substr(path_field, 1, prefix_len)).values("prefix")
        for row in grouped.annotate(n=Count("id")):
            counts.setdefault(row["prefix"], _no_counts())[key] = row["n"]
    return counts


def children_with_counts(*, scope: Scope, parent: Organisation) -> list[tuple[Organisation, dict[str, int]]]:
    scope.require_visible(parent)
    counts = subtree_counts(parent=parent, depth=parent.depth + 1)
    empty = _no_counts()
    return [
        (child, counts.get(child.path, empty)) for child in Organisation.objects.get_children(parent).order_by("path")
    ]


def organisation_totals(*, scope: Scope, organisation: Organisation) -> dict[str, int]:
    """Unions, employers covered and active members in the subtree: one count each."""
    scope.require_visible(organisation)
    if organisation.depth > 1:
        return {key: rows.count() for key, rows, _ in _counted(organisation.path)}
    return _root_totals(organisation.path)


def _root_totals(path: str) -> dict[str, int]:
    """Totals for a root: one scan of the tree counts its unions and anything outside it (other
    roots); with nothing outside, employers and members need no join to their union's path."""
    grassroots = Q(kind__in=GRASSROOTS_KINDS, status=OrganisationStatus.ACTIVE)
    tree = Organisation.objects.aggregate(
        unions=Count("id", filter=subtree_q(path) & grassroots), outside=Count("id", filter=~subtree_q(path))
    )
    rest = _counted(path, whole_tree=tree["outside"] == 0)[1:]
    return {"unions": tree["unions"], **{key: rows.count() for key, rows, _ in rest}}


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
        raise NotFound(gettext("没有找到该单位，或不在您的管辖范围内"), field="employer")
    return employer


@dataclass(frozen=True)
class OrganisationDetail:
    organisation: Organisation
    parent: Organisation | None
    officers: list[Officer]  # in office now
    former_officers: list[Officer]  # ended, most recent first; empty unless asked for
    status_changes: list[OrganisationStatusChange]


def organisation_detail(*, scope: Scope, pk: int, include_ended: bool = False) -> OrganisationDetail:
    """One organisation with its current officers (and, if asked, the former ones) and its
    dated status history: the organisation's page and the API both show this."""
    org = organisation_get(scope=scope, pk=pk)
    parent = Organisation.objects.get_parent(org) if org.depth > 1 else None
    officers = org.officers.order_by("role", "started_on", "pk")
    officers = officers if include_ended else officers.filter(ended_on__isnull=True)
    current = [o for o in officers if o.ended_on is None]
    former = sorted((o for o in officers if o.ended_on is not None), key=lambda o: (o.ended_on, o.pk), reverse=True)
    changes = list(org.status_changes.select_related("merged_into").order_by("on", "pk"))
    return OrganisationDetail(
        organisation=org, parent=parent, officers=current, former_officers=former, status_changes=changes
    )


def organisation_ancestors(*, scope: Scope, organisation: Organisation) -> list[Organisation]:
    """The organisation's ancestors the viewer may open, from the top: a page's crumbs."""
    scope.require_visible(organisation)
    return [a for a in Organisation.objects.get_ancestors(organisation) if scope.covers_path(a.path)]


def organisation_subtree(
    *, scope: Scope, organisation: Organisation, kind: str | None = None
) -> QuerySet[Organisation]:
    """The organisation and everything below it, in tree order: one indexed prefix match."""
    scope.require_visible(organisation)
    qs = Organisation.objects.filter(subtree_q(organisation.path))
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("path")


def organisation_target_get(*, pk: int, field: str) -> Organisation:
    """An organisation named as the destination of a write (a parent, a union to join, a
    union to merge into). Not scoped: the service decides, and refuses with 403 rather
    than pretending an organisation it names does not exist."""
    org = Organisation.objects.filter(pk=pk).first()
    if org is None:
        raise NotFound(gettext("没有找到该组织"), field=field)
    return org


def employer_target_get(*, pk: int, field: str) -> Employer:
    """An employer named as the destination of a transfer, which may lie in another town."""
    employer = Employer.objects.select_related("union").filter(pk=pk).first()
    if employer is None:
        raise NotFound(gettext("没有找到该单位"), field=field)
    return employer
