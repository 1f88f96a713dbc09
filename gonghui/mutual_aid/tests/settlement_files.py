"""Settlement files as the insurer exports them, for the review tests: a Haining hospital's
stays and special-outpatient visits of enrolled members, by their real ID numbers."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from gonghui.mutual_aid import enrolling, services
from gonghui.mutual_aid.models import SchemeYear
from gonghui.mutual_aid.tests.helpers import make_scheme
from gonghui.mutual_aid.tests.test_settlements import csv_file, record
from gonghui.testing import Federation


def stay(member: Any, number: str, **changes: str) -> dict[str, str]:
    """One inpatient settlement: 15,000 self-paid in policy (7,500 under the example rules)."""
    return record(member, number, **changes)


def settlement_csv(rows: list[dict[str, str]]) -> bytes:
    return csv_file(rows)


def scheme_with_enrolments(fed: Federation, monkeypatch: pytest.MonkeyPatch) -> SchemeYear:
    """2026's scheme with every active member of 皮革城 (town A) and 许村家纺 (town B) enrolled."""
    monkeypatch.setattr(services, "today", lambda: date(2025, 11, 1))
    scheme = make_scheme(fed)
    for union in (fed.union_a1, fed.union_b1):
        enrolling.enrolment_job_submit(scope=fed.scope(fed.city_staff), scheme_year=scheme, union=union)
    return scheme
