"""The one writer of every .xlsx the platform hands out (member lists, reports, the roster
template, import error reports, a member's own data). Each cell goes through `sheet_value`,
so that what a worker typed can never run in an officer's spreadsheet nor stop an export:

- Text that starts like a formula (=, +, -, @, a tab or a line break, or the full-width
  forms a Chinese input method types) gets a leading apostrophe, the escape OWASP advises,
  and is stored as text. openpyxl would otherwise store "=..." as a live formula, and a copy
  saved as CSV would bring the others back to life.
- Characters a worksheet cannot hold (control characters, lone surrogates) become U+FFFD,
  so a value stored before the input rule (core.text) still exports, showing where it is bad.
- Text that reads like an error code ("#N/A") stays text too.

Callers append plain values; the writer owns the cells, so no export can skip the escape.
Hand-written because openpyxl has no such escape and the libraries that do target CSV."""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, Cell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

FORMULA_LEADING = tuple("=+-@\t\r\n＝＋－＠")
FORMULA_ESCAPE = "'"
REPLACEMENT = "\ufffd"
# Kept: tab, line feed and carriage return, which a worksheet holds (a note may span lines).
_UNWRITABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# Excel allows 31 characters and none of []:*?/\ in a sheet's name, and names must differ.
_BAD_TITLE = re.compile("[\\[\\]:*?/\\\\\x00-\x1f\x7f-\x9f\ud800-\udfff]")
TITLE_LENGTH = 31
_PLAIN = (bool, int, float, Decimal, datetime, date, time, timedelta)
BOLD = Font(bold=True)


def sheet_text(text: str) -> str:
    """The text as a worksheet can hold it and no spreadsheet will run it."""
    if not text.isprintable():  # quick in C; false only for the rare value worth a look
        text = _UNWRITABLE.sub(REPLACEMENT, text)
    if text.startswith(FORMULA_LEADING):
        text = FORMULA_ESCAPE + text
    return text


def sheet_value(value: Any) -> Any:
    """A value as a cell gets it: numbers and dates as they are, everything else as safe text."""
    if value is None:
        return None
    if isinstance(value, str):
        return sheet_text(value)
    if isinstance(value, datetime) and value.tzinfo is not None:
        return timezone.localtime(value).replace(tzinfo=None)  # Excel has no time zones
    if isinstance(value, _PLAIN):
        return value
    return sheet_text(str(value))  # lazy translations, lists, anything else


class Sheet:
    """A write-only worksheet that takes rows of plain values."""

    def __init__(self, sheet: WriteOnlyWorksheet) -> None:
        self._sheet = sheet

    def append(self, values: Iterable[Any]) -> None:
        self._sheet.append([self._cell(sheet_value(value)) for value in values])

    def append_bold(self, values: Iterable[Any]) -> None:
        self._sheet.append([self._styled(sheet_value(value), font=BOLD) for value in values])

    def append_text(self, values: Iterable[Any]) -> None:
        """A row formatted as text, so what is typed over it later keeps its digits."""
        self._sheet.append([self._styled(sheet_value(value), number_format="@") for value in values])

    def _cell(self, value: Any) -> Any:
        # Only a string that reads like an error code needs a cell of its own.
        return self._styled(value) if isinstance(value, str) and value in ERROR_CODES else value

    def _styled(self, value: Any, **style: Any) -> Cell:
        cell = WriteOnlyCell(self._sheet, value=value)
        if isinstance(value, str):
            cell.data_type = "s"
        for name, setting in style.items():
            setattr(cell, name, setting)
        return cell


class Book:
    """A write-only workbook: add sheets, append rows, take the bytes once at the end."""

    def __init__(self) -> None:
        self._book = Workbook(write_only=True)

    def sheet(self, title: str) -> Sheet:
        return Sheet(self._book.create_sheet(self._title(title)))

    def table(
        self, title: str, columns: Sequence[tuple[str, int]], *, text_columns: frozenset[str] = frozenset()
    ) -> Sheet:
        """A sheet with a bold, frozen header row of (header, width) columns; the columns
        named in text_columns are formatted as text, for numbers that must keep every digit."""
        worksheet = self._book.create_sheet(self._title(title))
        for index, (header, width) in enumerate(columns, start=1):
            dimension = worksheet.column_dimensions[get_column_letter(index)]
            dimension.width = width
            if header in text_columns:
                dimension.number_format = "@"
        worksheet.freeze_panes = "A2"
        sheet = Sheet(worksheet)
        sheet.append_bold(header for header, _ in columns)
        return sheet

    def _title(self, wanted: str) -> str:
        base = _BAD_TITLE.sub("", wanted) or "Sheet"
        taken = set(self._book.sheetnames)
        title, n = base[:TITLE_LENGTH], 2
        while title in taken:
            title, n = f"{base[: TITLE_LENGTH - len(str(n))]}{n}", n + 1
        return title

    def content(self) -> bytes:
        out = io.BytesIO()
        self._book.save(out)
        return out.getvalue()
