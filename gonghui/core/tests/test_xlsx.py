"""The one .xlsx writer (core.xlsx): text that looks like a formula is escaped and kept as
text, characters a worksheet cannot hold are replaced, everything else is written as it is."""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook

from gonghui.core.xlsx import Book, sheet_text, sheet_value

INJECTION = "=cmd|' /C calc'!A0"


def written(*rows: list) -> list[tuple]:
    """(value, data_type) of each cell of the rows, written and read back."""
    book = Book()
    sheet = book.sheet("表")
    for row in rows:
        sheet.append(row)
    read = load_workbook(io.BytesIO(book.content()))
    return [tuple((cell.value, cell.data_type) for cell in row) for row in read.worksheets[0].iter_rows()]


@pytest.mark.parametrize("lead", ["=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠"], ids=repr)
def test_text_that_starts_like_a_formula_is_escaped(lead: str) -> None:
    assert sheet_text(f"{lead}1+1") == f"'{lead}1+1"


def test_a_formula_typed_as_a_name_is_written_as_escaped_text() -> None:
    assert written([INJECTION, '=HYPERLINK("http://example.invalid","x")', "张伟"]) == [
        ((f"'{INJECTION}", "s"), ('\'=HYPERLINK("http://example.invalid","x")', "s"), ("张伟", "s"))
    ]


def test_text_like_an_error_code_stays_text() -> None:
    assert written(["#N/A", "#DIV/0!"]) == [(("#N/A", "s"), ("#DIV/0!", "s"))]


@pytest.mark.parametrize("char", ["\x00", "\x01", "\x0b", "\x1f", "\x7f", "\x85", "\ud800", "\uffff"], ids=repr)
def test_a_character_a_worksheet_cannot_hold_is_replaced_not_fatal(char: str) -> None:
    assert written([f"李{char}娜"]) == [(("李\ufffd娜", "s"),)]


def test_line_breaks_inside_a_note_are_kept() -> None:
    assert sheet_text("调动\n新单位") == "调动\n新单位"


def test_numbers_dates_and_blanks_are_written_as_they_are() -> None:
    assert [sheet_value(v) for v in (3, Decimal("1.50"), date(2024, 3, 1), True, None)] == [
        3,
        Decimal("1.50"),
        date(2024, 3, 1),
        True,
        None,
    ]
    assert sheet_value(-5) == -5  # a number is not text: no escape
    label = gettext_lazy("会员")
    assert type(sheet_value(label)) is str and sheet_value(label) == str(label)
    assert sheet_value({"a": 1}) == "{'a': 1}"


def test_an_aware_time_is_written_as_local_time() -> None:
    moment = datetime(2025, 1, 1, 0, 30, tzinfo=ZoneInfo("UTC"))
    assert sheet_value(moment) == datetime(2025, 1, 1, 8, 30)  # Asia/Shanghai


def test_sheet_titles_lose_what_excel_forbids_and_stay_distinct() -> None:
    book = Book()
    for title in ("会员/名单", "会员名单", "指标:[一]\x01", "长" * 40, "长" * 40):
        book.sheet(title).append(["x"])
    names = load_workbook(io.BytesIO(book.content())).sheetnames
    assert names == ["会员名单", "会员名单2", "指标一", "长" * 31, "长" * 30 + "2"]


def test_a_table_has_a_bold_frozen_header_and_text_columns() -> None:
    book = Book()
    sheet = book.table("花名册", [("姓名", 10), ("身份证号", 22)], text_columns=frozenset({"身份证号"}))
    sheet.append_text(["=张三", "330481199001010011"])
    read = load_workbook(io.BytesIO(book.content())).worksheets[0]
    header, row = list(read.iter_rows())
    assert [c.value for c in header] == ["姓名", "身份证号"] and header[0].font.bold
    assert (row[0].value, row[0].data_type, row[1].number_format) == ("'=张三", "s", "@")
    assert read.freeze_panes == "A2"
