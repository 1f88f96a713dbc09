"""The registry of report figures. Each programme app defines its figures in its own
figures.py and registers them in its contributions.py (core/registry.py); the report page,
the .xlsx export and the drill-down lists read them from here.

A figure is defined by its drill-down queryset: the value is computed from the same records
the officer sees behind the number, so the two can never disagree.

    registry.register(Figure(
        name="mutual_aid.claims_paid",
        label=gettext_lazy("互助补助人次"),
        programme=gettext_lazy("职工医疗互助保障"),
        unit=gettext_lazy("人次"),
        description=gettext_lazy("期间内结算的补助……"),
        records=lambda path, period: Claim.objects.filter(member__union__path__startswith=path, ...),
        columns=(Column(gettext_lazy("姓名"), lambda c: c.member.name), ...),
        value=lambda qs: qs.aggregate(total=Sum("amount"))["total"] or Decimal("0.00"),  # default: count
        order=150,
    ))

`records(path, period)` receives the materialised path of the chosen organisation (its
whole subtree starts with it) and the inclusive period; scope checks happen before, in
reports.selectors, so a figure never sees an organisation its viewer may not.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from operator import attrgetter
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext
from django_stubs_ext import StrOrPromise

from gonghui.core.errors import NotFound
from gonghui.core.registry import Registry

FigureValue = int | Decimal


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError("period ends before it starts")

    def __str__(self) -> str:
        return f"{self.start.isoformat()} – {self.end.isoformat()}"


@dataclass(frozen=True)
class Column:
    """One column of a drill-down list. `value` gets a record and returns what is shown:
    personal numbers must come out masked (core.masking), as lists and exports show them."""

    label: StrOrPromise
    value: Callable[[Any], Any]


def _count(records: QuerySet) -> FigureValue:
    return records.count()


@dataclass(frozen=True)
class Figure:
    name: str  # "<app>.<figure>", stable: URLs and API clients use it
    label: StrOrPromise
    programme: StrOrPromise  # figures are grouped under their programme on the report page
    unit: StrOrPromise
    description: StrOrPromise  # what is counted, in words an officer would use
    records: Callable[[str, Period], QuerySet]  # (organisation path prefix, period) -> records
    columns: tuple[Column, ...]
    value: Callable[[QuerySet], FigureValue] = field(default=_count)
    order: int = 100

    def compute(self, path: str, period: Period) -> FigureValue:
        return self.value(self.records(path, period))

    @property
    def is_count(self) -> bool:
        """True when the value is the number of records (a list's count can stand for it)."""
        return self.value is _count

    def value_given_count(self, records: QuerySet, count: int) -> FigureValue:
        """The value behind a list whose records were already counted (for paging): a
        counted figure costs no second query."""
        return count if self.is_count else self.value(records)

    def row(self, record: Any) -> list[Any]:
        return [column.value(record) for column in self.columns]

    @property
    def headers(self) -> list[str]:
        return [str(column.label) for column in self.columns]


registry: Registry[Figure] = Registry("figures", key=attrgetter("name"))


def register(figure: Figure) -> Figure:
    return registry.register(figure)


def all_figures() -> list[Figure]:
    return registry.all()


def get_figure(name: str) -> Figure:
    try:
        return registry.get(name)
    except KeyError:
        raise NotFound(gettext("没有这个指标：%(name)s") % {"name": name}, field="figure") from None


def by_programme(figures: list[Figure]) -> list[tuple[str, list[Figure]]]:
    """Figures grouped by programme, programmes in the order of their first figure."""
    groups: dict[str, list[Figure]] = {}
    for figure in figures:
        groups.setdefault(str(figure.programme), []).append(figure)
    return list(groups.items())
