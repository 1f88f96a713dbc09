"""Report periods: the presets offered on the report page and the parsing of from/to dates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from gonghui.core.errors import ValidationFailed
from gonghui.core.figures import Period

# The 17th congress's work review covers these five years.
REVIEW_PERIOD = Period(date(2021, 1, 1), date(2025, 12, 31))


@dataclass(frozen=True)
class Preset:
    key: str
    label: StrOrPromise
    period: Period


def period_presets(*, today: date) -> list[Preset]:
    return [
        Preset("this_year", _("今年"), Period(date(today.year, 1, 1), today)),
        Preset("last_year", _("去年"), Period(date(today.year - 1, 1, 1), date(today.year - 1, 12, 31))),
        Preset("review", _("五年回顾（2021—2025）"), REVIEW_PERIOD),
    ]


def parse_date(value: str | None, *, field: str) -> date | None:
    if not value or not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ValidationFailed(gettext("日期格式应为 YYYY-MM-DD"), field=field) from None


def period_from(*, start: date | None, end: date | None, preset: str | None, today: date) -> Period:
    """The period asked for: a preset by key, else the dates given, each defaulting to this
    year's (from 1 January to today)."""
    presets = {p.key: p.period for p in period_presets(today=today)}
    if preset:
        if preset not in presets:
            raise ValidationFailed(gettext("没有这个时间段"), field="preset")
        return presets[preset]
    start = start or date(today.year, 1, 1)
    end = end or max(today, start)
    if end < start:
        raise ValidationFailed(gettext("结束日期早于开始日期"), field="end")
    return Period(start, end)


def preset_key(period: Period, *, today: date) -> str | None:
    return next((p.key for p in period_presets(today=today) if p.period == period), None)
