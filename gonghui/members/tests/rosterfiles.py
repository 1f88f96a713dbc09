"""Roster files for the import tests, written the ways officers' files arrive."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date
from pathlib import Path
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


FILES = Path(__file__).resolve().parent / "files"
# The nine workers of the LibreOffice-made fixtures (files/make_rosters.py): title row, note
# row, header on row 3, people from row 4.
FIXTURE_ROWS = 9


def fixture(kind: str) -> bytes:
    """The same roster saved by LibreOffice as .xlsx, .xls or .ods."""
    return (FILES / f"roster-haining-leather.{kind}").read_bytes()


NATIONAL_HEADERS = [
    "序号", "姓名", "性别", "身份证号", "出生日期", "民族", "政治面貌", "学历", "户籍所在地",
    "工作单位", "部门", "职务", "手机号码", "入会时间", "是否农民工", "备注",
]  # fmt: skip


def national_row(
    serial: int,
    employer: str,
    *,
    name: str = "王芳",
    birth: date = date(1992, 5, 17),
    sex: str = "女",
    ethnicity: str = "汉族",
    political: str = "群众",
    department: str = "缝制车间",
    duty: str = "缝纫工",
    joined: Any = "2024-03-01",
    number: str | None = None,
    mobile: str = "13912345678",
    note: str = "",
) -> list[Any]:
    """A row in the national real-name system's column order (NATIONAL_HEADERS)."""
    number = number or new_id_number(birth=birth, sex="M" if sex == "男" else "F")
    return [
        serial, name, sex, number, birth.isoformat(), ethnicity, political, "高中/中专", "浙江省海宁市",
        employer, department, duty, mobile, joined, "否", note,
    ]  # fmt: skip


def workbook_bytes(sheets: Sequence[tuple[str, Sequence[Sequence[Any]]]], *, title: str | None = None) -> bytes:
    """An .xlsx with these sheets in order; `title` goes above each roster's header in a
    merged cell, as officers' rosters have it."""
    book = Workbook()
    book.remove(book.worksheets[0])
    for name, rows in sheets:
        sheet = book.create_sheet(name)
        if title and rows and "姓名" in rows[0]:
            sheet.append([title])
            sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(rows[0]))
        for row in rows:
            sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


INSTRUCTIONS = [["填表说明"], ["1. 姓名、身份证号、工作单位、入会时间为必填项"], ["2. 身份证号请设为文本格式"]]
