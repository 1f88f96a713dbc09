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

Three optional parts let pages ask for many values at once without one query per value:

- `tree_field` names the path of the organisation each record belongs to ("union__path"):
  the side-by-side report then counts every child organisation in one grouped query
  (`values_by_child`). A value that is not a count says how it is aggregated (`Aggregated`,
  e.g. `percentage(...)` for a rate) so that it can be grouped too.
- `series(path, periods)` gives the value for many periods in one query (the workbench's
  monthly chart); without it each period is computed in turn (`figure_series`).
- A `Breakdown` (registered in `breakdowns`) splits one figure's records into categories
  (members by sex, by age band at the period's end, ...), each with its own list.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from operator import attrgetter
from typing import Any

from django.db.models import Aggregate, Count, Q, QuerySet, Sum
from django.db.models.functions import Substr
from django.utils.translation import gettext, gettext_noop
from django_stubs_ext import StrOrPromise

from gonghui.core.errors import NotFound
from gonghui.core.registry import Registry

# None: no value, as a rate over nothing (no employers known in a union's "area").
FigureValue = int | Decimal | None


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
    # Where the cell leads, if anywhere (a member's name: their page); None for no link.
    link: Callable[[Any], str | None] | None = None

    def url(self, record: Any) -> str | None:
        return self.link(record) if self.link else None


def _count(records: QuerySet) -> FigureValue:
    return records.count()


@dataclass(frozen=True)
class Aggregated:
    """A value made from aggregates over the records (a rate: one sum over another), so
    that it can be computed for many organisations in one grouped query."""

    aggregates: Mapping[str, Aggregate]
    combine: Callable[[Mapping[str, Any]], FigureValue]

    def __call__(self, records: QuerySet) -> FigureValue:
        return self.combine(records.order_by().aggregate(**self.aggregates))


PERCENT_PLACES = Decimal("0.1")


def ratio_percent(numerator: Any, denominator: Any) -> Decimal | None:
    """numerator / denominator as a percentage with one decimal; None when nothing to divide by."""
    if not denominator:
        return None
    return (Decimal(numerator or 0) * 100 / Decimal(denominator)).quantize(PERCENT_PLACES, rounding=ROUND_HALF_UP)


def percentage(numerator: Aggregate, denominator: Aggregate) -> Aggregated:
    return Aggregated(
        {"numerator": numerator, "denominator": denominator},
        lambda a: ratio_percent(a["numerator"], a["denominator"]),
    )


def shown_value(value: FigureValue) -> str:
    """A figure as pages show it: thousands separated; a rate over nothing as a dash."""
    return "—" if value is None else f"{value:,}"


SeriesFn = Callable[[str, Sequence["Period"]], list[FigureValue]]


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
    tree_field: str | None = None  # the path of each record's organisation, e.g. "union__path"
    series: SeriesFn | None = None  # values for many periods in one query (must equal compute's)

    def compute(self, path: str, period: Period) -> FigureValue:
        return self.value(self.records(path, period))

    @property
    def aggregates(self) -> Mapping[str, Aggregate] | None:
        """The value as aggregates over the records, when it is one (a count or Aggregated)."""
        if self.is_count:
            return {"n": Count("pk")}
        return self.value.aggregates if isinstance(self.value, Aggregated) else None

    def combine(self, aggregated: Mapping[str, Any]) -> FigureValue:
        if self.is_count:
            return aggregated["n"] or 0
        assert isinstance(self.value, Aggregated)
        return self.value.combine(aggregated)

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

    def links(self, record: Any) -> list[str | None]:
        return [column.url(record) for column in self.columns]

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


# --- many values at once ---------------------------------------------------------------------


@dataclass(frozen=True)
class ChildValues:
    """One figure for each child of an organisation, for the records of the organisation
    itself (None when they cannot be told apart), and for its whole subtree."""

    children: dict[str, FigureValue]
    own: FigureValue
    total: FigureValue


_ADDITIVE = (Count, Sum)


def values_by_child(figure: Figure, path: str, child_paths: Sequence[str], period: Period) -> ChildValues:
    """The figure for each child organisation of the one at `path` (all one level below it).
    One grouped query when the figure says where its records sit and how its value is
    aggregated (the total is then summed from the groups when every aggregate adds up);
    otherwise one computation per child and one for the whole."""
    aggregates = figure.aggregates
    if figure.tree_field is None or aggregates is None or not child_paths:
        children = {child: figure.compute(child, period) for child in child_paths}
        return ChildValues(children, None, figure.compute(path, period))
    length = len(child_paths[0])
    rows = (
        figure.records(path, period)
        .order_by()
        .annotate(_child=Substr(figure.tree_field, 1, length))
        .values("_child")
        .annotate(**aggregates)
    )
    found = {row.pop("_child"): row for row in rows}
    empty: dict[str, Any] = dict.fromkeys(aggregates)
    children = {child: figure.combine(found.get(child, empty)) for child in child_paths}
    own = figure.combine(found.get(path, empty))
    if all(isinstance(a, _ADDITIVE) and not getattr(a, "distinct", False) for a in aggregates.values()):
        summed = {name: sum(row[name] or 0 for row in found.values()) for name in aggregates}
        total = figure.combine(summed)
    else:
        total = figure.compute(path, period)
    return ChildValues(children, own, total)


def month_periods(*, ending: date, count: int) -> list[Period]:
    """The `count` calendar months up to the one holding `ending`, oldest first; the last
    runs to `ending` itself (a month still under way ends today)."""
    periods = []
    year, month = ending.year, ending.month
    for _ in range(count):
        start = date(year, month, 1)
        following = date(year + month // 12, month % 12 + 1, 1)
        periods.append(Period(start, min(ending, date.fromordinal(following.toordinal() - 1))))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return periods[::-1]


def figure_series(figure: Figure, path: str, periods: Sequence[Period]) -> list[FigureValue]:
    """The figure for each period, in order: in one query when the figure has a series."""
    if figure.series is not None:
        return figure.series(path, periods)
    return [figure.compute(path, period) for period in periods]


# --- breakdowns ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Category:
    key: str  # in URLs: stable
    label: StrOrPromise
    q: Callable[[Period], Q]  # the figure's records in this category (an age band moves with the period)


@dataclass(frozen=True)
class Breakdown:
    """One figure's records split into categories that together hold every record once."""

    name: str  # "<app>.<breakdown>", stable: URLs use it
    label: StrOrPromise
    figure: str  # the name of the figure whose records it splits
    categories: tuple[Category, ...]
    order: int = 100

    def category(self, key: str) -> Category:
        for category in self.categories:
            if category.key == key:
                return category
        raise NotFound(gettext_noop("没有这个分类"), field="category")

    def records(self, path: str, period: Period, key: str) -> QuerySet:
        return get_figure(self.figure).records(path, period).filter(self.category(key).q(period))


@dataclass(frozen=True)
class BreakdownCounts:
    breakdown: Breakdown
    counts: list[tuple[Category, int]]

    @property
    def total(self) -> int:
        return sum(n for _, n in self.counts)


breakdowns: Registry[Breakdown] = Registry("breakdowns", key=attrgetter("name"))


def get_breakdown(name: str) -> Breakdown:
    try:
        return breakdowns.get(name)
    except KeyError:
        raise NotFound(gettext_noop("没有这个分项统计"), field="breakdown") from None


def breakdown_counts(path: str, period: Period) -> list[BreakdownCounts]:
    """Every registered breakdown for the subtree and period: one query per figure split,
    counting every category of every breakdown of that figure at once."""
    by_figure: dict[str, list[Breakdown]] = {}
    for breakdown in breakdowns.all():
        by_figure.setdefault(breakdown.figure, []).append(breakdown)
    counted: dict[str, BreakdownCounts] = {}
    for name, splits in by_figure.items():
        aggregates = {
            f"b{i}_{j}": Count("pk", filter=category.q(period))
            for i, split in enumerate(splits)
            for j, category in enumerate(split.categories)
        }
        totals = get_figure(name).records(path, period).order_by().aggregate(**aggregates)
        for i, split in enumerate(splits):
            counts = [(category, totals[f"b{i}_{j}"]) for j, category in enumerate(split.categories)]
            counted[split.name] = BreakdownCounts(split, counts)
    return [counted[b.name] for b in breakdowns.all()]
