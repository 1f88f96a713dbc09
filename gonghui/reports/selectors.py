"""Reads behind the report: figure values and drill-down records for an organisation in the
viewer's scope. Staff only; an organisation outside the scope is NotFound, as everywhere."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from gonghui.core.access import Scope
from gonghui.core.figures import Figure, FigureValue, Period, all_figures, get_figure
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
