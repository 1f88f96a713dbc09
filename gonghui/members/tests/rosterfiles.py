"""Roster files for the import tests, written the ways officers' files arrive."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date
from typing import Any

from openpyxl import Workbook

from gonghui.testing import new_id_number

HEADERS = ["姓名", "身份证号", "手机号码", "工作单位", "入会时间"]


def csv_bytes(rows: Sequence[Sequence[Any]], *, encoding: str = "utf-8-sig") -> bytes:
    text = io.StringIO()
    csv.writer(text).writerows(rows)
    return text.getvalue().encode(encoding)


def xlsx_bytes(rows: Sequence[Sequence[Any]]) -> bytes:
    book = Workbook()
    sheet = book.worksheets[0]
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def person_row(employer: str, *, name: str = "王芳", joined: str = "2024-03-01", sex: str = "F") -> list[str]:
    return [name, new_id_number(birth=date(1992, 5, 17), sex=sex), "13912345678", employer, joined]
