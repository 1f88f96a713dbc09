"""The registry of report figures. Each programme app lists its figures in its own
figures.py; the report page, the .xlsx export and the drill-down lists read them from here.

A figure is defined by its drill-down queryset: the value is computed from the same records
the officer sees behind the number, so the two can never disagree."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from gonghui.core.errors import NotFound


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError("period ends before it starts")


@dataclass(frozen=True)
class Column:
    label: str
    value: Callable[[Any], Any]


@dataclass(frozen=True)
class Figure:
    name: str
    label: str
    programme: str
    unit: str
    description: str
    records: Callable[[str, Period], QuerySet]  # (organisation path prefix, period) -> records
    columns: tuple[Column, ...]
    value: Callable[[QuerySet], int | Decimal] = field(default=lambda qs: qs.count())
    order: int = 100


_registry: dict[str, Figure] = {}


def register(figure: Figure) -> Figure:
    if figure.name in _registry and _registry[figure.name] is not figure:
        raise ValueError(f"figure {figure.name} registered twice")
    _registry[figure.name] = figure
    return figure


def all_figures() -> list[Figure]:
    return sorted(_registry.values(), key=lambda f: (f.order, f.name))


def get_figure(name: str) -> Figure:
    try:
        return _registry[name]
    except KeyError:
        raise NotFound(f"没有这个指标：{name}") from None
