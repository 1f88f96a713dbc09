"""Settlement files as the insurer exports them, for the review tests: a Haining hospital's
stays and special-outpatient visits of enrolled members, by their real ID numbers."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

import pytest

from gonghui.mutual_aid import enrolling, services
from gonghui.mutual_aid.models import SchemeYear
from gonghui.mutual_aid.settlement_file import COLUMNS
from gonghui.mutual_aid.tests.helpers import make_scheme
from gonghui.testing import Federation

HEADER = [*COLUMNS, "原结算单号", "冲销标志"]


def stay(member: Any, number: str, **changes: str) -> dict[str, str]:
    """One inpatient settlement: 15,000 self-paid in policy (7,500 under the example rules)."""
    values = {
        "结算单号": number,
        "身份证号": member.person.id_number,
        "姓名": member.person.name,
        "医院": "海宁市人民医院",
        "就诊类型": "住院",
        "入院日期": "2026-05-10",
        "出院日期": "2026-05-20",
        "结算日期": "2026-05-20",
        "总费用": "30000.00",
        "统筹支付": "15000.00",
        "政策内自付": "15000.00",
        "政策外自付": "0.00",
        "诊断编码": "K35.8",
        "原结算单号": "",
        "冲销标志": "",
    }
    values.update(changes)
    return values


def settlement_csv(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=HEADER)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def scheme_with_enrolments(fed: Federation, monkeypatch: pytest.MonkeyPatch) -> SchemeYear:
    """2026's scheme with every active member of 皮革城 (town A) and 许村家纺 (town B) enrolled."""
    monkeypatch.setattr(services, "today", lambda: date(2025, 11, 1))
    scheme = make_scheme(fed)
    for union in (fed.union_a1, fed.union_b1):
        enrolling.enrolment_job_submit(scope=fed.scope(fed.city_staff), scheme_year=scheme, union=union)
    return scheme
