"""A Haining-like scheme year for tests: enrol in the autumn before, CNY 60 a head paid by
the union, covered for the calendar year, 90 days' wait for first-time enrolees."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

from gonghui.mutual_aid import services
from gonghui.mutual_aid.models import SchemeYear
from gonghui.mutual_aid.rules import EXAMPLE
from gonghui.testing import Federation


def terms(year: int = 2026, **changes: Any) -> services.SchemeTerms:
    values: dict[str, Any] = {
        "year": year,
        "enrolment_opens_on": date(year - 1, 10, 1),
        "enrolment_closes_on": date(year - 1, 12, 15),
        "coverage_starts_on": date(year, 1, 1),
        "coverage_ends_on": date(year, 12, 31),
        "contribution": "60.00",
        "payer": "union",
        "waiting_days": 90,
        **changes,
    }
    return services.SchemeTerms(**values)


def example_rules(**changes: Any) -> dict[str, Any]:
    rules = copy.deepcopy(EXAMPLE)
    rules.update(changes)
    return rules


def make_scheme(fed: Federation, year: int = 2026, **changes: Any) -> SchemeYear:
    return services.scheme_year_create(
        scope=fed.scope(fed.city_staff), federation=fed.city, terms=terms(year, **changes), rules=example_rules()
    )


def enrol_union(fed: Federation, scheme: SchemeYear, union: Any, **which: Any) -> Any:
    """Run the bulk enrolment job for `union` as city staff; the job, finished."""
    from gonghui.mutual_aid import enrolling

    return enrolling.enrolment_job_submit(scope=fed.scope(fed.city_staff), scheme_year=scheme, union=union, **which)


def two_years(fed: Federation, monkeypatch: Any) -> tuple[SchemeYear, SchemeYear]:
    """2025 and 2026: 张伟 (a1) enrolled both years by 海宁皮革城工会, 李娜 (b1) first in 2026
    by 许村家纺工会; the clock left inside 2026's window (2025-11-01)."""
    monkeypatch.setattr(services, "today", lambda: date(2024, 11, 1))
    last_year = make_scheme(fed, 2025)
    enrol_union(fed, last_year, fed.union_a1)
    monkeypatch.setattr(services, "today", lambda: date(2025, 11, 1))
    scheme = make_scheme(fed, 2026)
    enrol_union(fed, scheme, fed.union_a1)
    enrol_union(fed, scheme, fed.union_b1)
    return last_year, scheme
