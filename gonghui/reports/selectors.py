"""Reads behind the report: figure values and drill-down records for an organisation in the
viewer's scope. Staff only; an organisation outside the scope is NotFound, as everywhere."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext_noop

from gonghui.core.access import Scope
from gonghui.core.errors import ValidationFailed
from gonghui.core.figures import (
    Breakdown,
    BreakdownCounts,
    Category,
    Figure,
    FigureValue,
    Period,
    all_figures,
    breakdown_counts,
    get_breakdown,
    get_figure,
    values_by_child,
)
from gonghui.organisations.models import Organisation
from gonghui.organisations.selectors import organisation_ancestors, organisation_get, scope_root


@dataclass(frozen=True)
class FigureResult:
    figure: Figure
    value: FigureValue


def report_organisation(*, scope: Scope, pk: int | None = None, code: str | None = None) -> Organisation:
    """The organisation a report is about: the one asked for, or the viewer's own."""
    scope.require_staff()
    if pk is None and not code:
        return scope_root(scope=scope)
    return organisation_get(scope=scope, pk=pk, code=code)


def report_organisation_choices(*, scope: Scope) -> QuerySet[Organisation]:
    """Organisations with something below them (city, towns, federations) in the scope:
    the short list of the report's organisation picker; single unions are found by code."""
    scope.require_staff()
    return Organisation.objects.filter(scope.organisation_q(), numchild__gt=0).order_by("path")


def report_ancestors(*, scope: Scope, organisation: Organisation) -> list[Organisation]:
    """The organisation's ancestors the viewer may open, from the top: the page's crumbs."""
    scope.require_staff()
    return organisation_ancestors(scope=scope, organisation=organisation)


def report_children(*, scope: Scope, organisation: Organisation) -> QuerySet[Organisation]:
    scope.require_staff()
    scope.require_visible(organisation)
    return Organisation.objects.get_children(organisation).order_by("path")


def figure_values(*, scope: Scope, organisation: Organisation, period: Period) -> list[FigureResult]:
    """Every registered figure for the organisation's subtree and the period."""
    scope.require_staff()
    scope.require_visible(organisation)
    return [FigureResult(f, f.compute(organisation.path, period)) for f in all_figures()]


def figure_records(*, scope: Scope, organisation: Organisation, period: Period, name: str) -> tuple[Figure, QuerySet]:
    """One figure and the records behind its value."""
    scope.require_staff()
    scope.require_visible(organisation)
    figure = get_figure(name)
    return figure, figure.records(organisation.path, period)


# --- the subordinate organisations side by side ----------------------------------------------

NAME_SORT = "name"


@dataclass(frozen=True)
class ComparisonRow:
    organisation: Organisation
    values: dict[str, FigureValue]  # by figure name
    own: bool = False  # the organisation's own records, apart from its children's

    def value(self, figure: Figure) -> FigureValue:
        return self.values[figure.name]


@dataclass(frozen=True)
class Comparison:
    figures: list[Figure]
    rows: list[ComparisonRow]  # one per child, in the order asked for
    own: ComparisonRow | None  # shown when the organisation itself holds records
    total: ComparisonRow
    sort: str  # a figure's name, or NAME_SORT for the tree's own order
    descending: bool


def comparison(
    *, scope: Scope, organisation: Organisation, period: Period, sort: str = NAME_SORT, descending: bool = False
) -> Comparison:
    """Every registered figure for each child of the organisation, side by side: the towns of
    a city, the unions of a town (one grouped query per figure, core.figures.values_by_child).
    A grassroots union has no children: its table is its own total."""
    scope.require_staff()
    scope.require_visible(organisation)
    figures = all_figures()
    if sort != NAME_SORT and sort not in {f.name for f in figures}:
        raise ValidationFailed(gettext_noop("没有这个排序列"), field="sort")
    children = list(report_children(scope=scope, organisation=organisation))
    paths = [child.path for child in children]
    by_figure = {f.name: values_by_child(f, organisation.path, paths, period) for f in figures}
    rows = [ComparisonRow(c, {name: v.children[c.path] for name, v in by_figure.items()}) for c in children]
    own = ComparisonRow(organisation, {name: v.own for name, v in by_figure.items()}, own=True)
    total = ComparisonRow(organisation, {name: v.total for name, v in by_figure.items()})
    return Comparison(
        figures=figures,
        rows=_sorted(rows, sort, descending),
        own=own if children and _holds_records(own, figures) else None,
        total=total,
        sort=sort,
        descending=descending,
    )


def _holds_records(row: ComparisonRow, figures: list[Figure]) -> bool:
    """Whether the organisation itself holds records (members, employers of its own). Rates
    are left out: a town's employers are its own by location, and its unions have no area."""
    return any(row.values[f.name] for f in figures if f.is_count)


def _sorted(rows: list[ComparisonRow], sort: str, descending: bool) -> list[ComparisonRow]:
    if sort == NAME_SORT:
        return rows[::-1] if descending else rows
    # Rows without a value (a rate over nothing) stay at the bottom whichever way.
    known = [r for r in rows if r.values[sort] is not None]
    unknown = [r for r in rows if r.values[sort] is None]
    return sorted(known, key=lambda r: r.values[sort], reverse=descending) + unknown  # type: ignore[arg-type, return-value]


# --- breakdowns of a figure's records --------------------------------------------------------


def breakdown_values(*, scope: Scope, organisation: Organisation, period: Period) -> list[BreakdownCounts]:
    """Every registered breakdown (members by sex, age band, ...) for the organisation's subtree."""
    scope.require_staff()
    scope.require_visible(organisation)
    return breakdown_counts(organisation.path, period)


@dataclass(frozen=True)
class BreakdownList:
    figure: Figure
    breakdown: Breakdown
    category: Category
    records: QuerySet


def breakdown_records(
    *, scope: Scope, organisation: Organisation, period: Period, name: str, category: str
) -> BreakdownList:
    """The records behind one count of a breakdown: its figure's records in that category."""
    scope.require_staff()
    scope.require_visible(organisation)
    breakdown = get_breakdown(name)
    found = breakdown.category(category)
    records = breakdown.records(organisation.path, period, category)
    return BreakdownList(get_figure(breakdown.figure), breakdown, found, records)
