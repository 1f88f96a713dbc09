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
