"""Officers' files as sheets of cells, whichever program saved them: .csv (UTF-8 or GB18030),
.xlsx, and .xls and .ods (WPS and older systems still save them).

Workbooks are read with calamine (python-calamine): on the benchmark's quarter of a million
rows it reads an .xlsx about twenty times faster than openpyxl, with the same values
(bench/RESULTS.md). calamine holds a whole sheet in memory as one rectangle, from its first
used cell to its last, and a process that cannot allocate the rectangle is aborted, not given
an exception: a 5 KB .xlsx with one cell at A1 and one at XFD1048576 would kill the worker.
So before calamine opens an .xlsx or .ods, a scan of its XML bounds the rectangle; a larger
.xlsx is read by openpyxl instead (streaming, slower) and a larger .ods is refused. An .xls
holds at most 65,536 × 256 cells, which is the bound itself.

Every reader gives the same values: None for an empty cell, int for a whole number, a date
for a date at midnight, so that the checks see one file whatever its format. Row numbers are
the ones the officer sees in the spreadsheet."""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from typing import IO, Any, Protocol

from openpyxl import load_workbook
from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

Cell = str | int | float | bool | date | datetime | time | timedelta | None
Lines = Generator[tuple[int, tuple[Cell, ...]], None, None]  # (row number, cells), top down

SUPPORTED_SUFFIXES = (".csv", ".xlsx", ".xls", ".ods")
SAVE_AS = "请用 Excel 或 WPS 另存为 .xlsx 后再导入"
UNREADABLE = {
    "xlsx": f"文件不是有效的 .xlsx 表格，{SAVE_AS}",
    "xls": f"文件不是有效的 .xls 表格，{SAVE_AS}",
    "ods": f"文件不是有效的 .ods 表格，{SAVE_AS}",
}
XLSX_UNREADABLE = UNREADABLE["xlsx"]
# The most cells an .xls can hold; calamine's rectangle for a sheet of another format may be
# no larger. A roster of 300,000 rows and 50 columns is within it.
CELL_BUDGET = 65_536 * 256
TOO_WIDE = "表格的已用区域过大（远超花名册的行列数），请删去表格右侧和下方多余的内容，另存为 .xlsx 后再导入"
# A workbook's XML is a few hundred megabytes at most for the largest roster an import takes;
# more is a file that unpacks to far more than it holds (a "zip bomb").
MAX_XML_BYTES = 1 << 30
TOO_BIG_UNPACKED = "表格解压后超过 1 GB，不像花名册，请删去多余的内容或拆分后导入"
SCAN_CHUNK = 1 << 20


class RosterFileError(Exception):
    """The file cannot be read at all; the message, in Chinese, says why."""


def file_kind(filename: str) -> str | None:
    name = filename.lower()
    return next((suffix[1:] for suffix in SUPPORTED_SUFFIXES if name.endswith(suffix)), None)


def same_cell(value: Any) -> Cell:
    """One value for one cell whichever library read it (see the module's docstring)."""
    kind = type(value)
    if kind is str:
        return value or None
    if kind is float:
        return int(value) if value.is_integer() and abs(value) < 2**53 else value
    if kind is datetime and value == datetime.combine(value.date(), time()):
        return value.date()
    return value


class Book(Protocol):
    sheets: list[str]  # the visible worksheets, in order; one unnamed sheet for a CSV

    def lines(self, sheet: str) -> Lines: ...

    def close(self) -> None: ...


def open_book(file: IO[bytes], kind: str, *, engine: str | None = None) -> Book:
    """The file as a book of sheets; the caller closes it. `engine` ("calamine" or "openpyxl")
    forces an .xlsx reader, for the benchmark; otherwise the module's rule chooses."""
    if kind == "csv":
        return CsvBook(file)
    message = UNREADABLE.get(kind, XLSX_UNREADABLE)
    file.seek(0)
    head = file.read(8)
    file.seek(0)
    if head.startswith(b"PK"):
        cells = _zip_cells(file, message)
        if engine == "openpyxl" or (engine is None and cells > CELL_BUDGET and not _is_ods(file)):
            return OpenpyxlBook(file, message)
        if cells > CELL_BUDGET and engine is None:
            raise RosterFileError(TOO_WIDE)
    return CalamineBook(file, message)


class CsvBook:
    sheets = [""]

    def __init__(self, file: IO[bytes]) -> None:
        self.file = file

    def lines(self, sheet: str) -> Lines:
        encoding = sniff_encoding(self.file)
        text = io.TextIOWrapper(self.file, encoding=encoding, newline="")
        try:
            for number, cells in enumerate(csv.reader(text), start=1):
                yield number, tuple(cells)
        except csv.Error as exc:
            raise RosterFileError(f"CSV 格式错误：{exc}") from exc
        finally:
            text.detach()  # leave the caller's file open; it closes it

    def close(self) -> None:
        pass


def sniff_encoding(file: IO[bytes], chunk_size: int = 1 << 20) -> str:
    """UTF-8 (with or without BOM) if the whole file decodes as such, else GB18030, which
    is what Excel on a Chinese Windows writes. Decoding twenty megabytes takes milliseconds."""
    for encoding in ("utf-8-sig", "gb18030"):
        file.seek(0)
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            while chunk := file.read(chunk_size):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        file.seek(0)
        return encoding
    raise RosterFileError("无法识别文件编码，请另存为 UTF-8 或 GBK 编码的 CSV，或直接使用 .xlsx")


# A damaged workbook fails in whichever layer the reader is in, while opening it or while
# reading rows: zipfile, zlib, the XML parser or the library itself (a fuzzer found
# zlib.error and others). Each means the same to the officer: the file cannot be read.
# calamine's own bugs come as pyo3's PanicException, which is not an Exception.
_NOT_THE_FILE = (KeyboardInterrupt, SystemExit, GeneratorExit, MemoryError)


class CalamineBook:
    def __init__(self, file: IO[bytes], message: str) -> None:
        self.message = message
        self.book: CalamineWorkbook | None = None
        try:
            self.book = CalamineWorkbook.from_filelike(file)
            self.sheets = [
                sheet.name
                for sheet in self.book.sheets_metadata
                if sheet.visible == SheetVisibleEnum.Visible and sheet.typ == SheetTypeEnum.WorkSheet
            ]
        except _NOT_THE_FILE:
            raise
        except BaseException as exc:  # noqa: BLE001
            raise RosterFileError(message) from exc

    def lines(self, sheet: str) -> Lines:
        try:
            assert self.book is not None, "the book is open while its lines are read"
            data = self.book.get_sheet_by_name(sheet)
            # The rows start at the sheet's first used row, which need not be the first row.
            first = data.start[0] + 1 if data.start else 1
            for number, row in enumerate(data.iter_rows(), start=first):
                yield number, tuple(map(same_cell, row))
        except _NOT_THE_FILE:
            raise
        except BaseException as exc:  # noqa: BLE001
            raise RosterFileError(self.message) from exc

    def close(self) -> None:
        if self.book is not None:
            self.book.close()
            self.book = None


class OpenpyxlBook:
    def __init__(self, file: IO[bytes], message: str) -> None:
        self.message = message
        try:
            self.book = load_workbook(file, read_only=True, data_only=True)
            self.sheets = [sheet.title for sheet in self.book.worksheets if sheet.sheet_state == "visible"]
        except Exception as exc:  # noqa: BLE001
            raise RosterFileError(message) from exc

    def lines(self, sheet: str) -> Lines:
        try:
            data = self.book[sheet]
            # Some programs write a wrong size into the file; reading without it reads every row.
            data.reset_dimensions()
            for number, row in enumerate(data.iter_rows(values_only=True), start=1):
                yield number, tuple(map(same_cell, row))
        except Exception as exc:  # noqa: BLE001
            raise RosterFileError(self.message) from exc

    def close(self) -> None:
        self.book.close()


@contextmanager
def opened(file: IO[bytes], kind: str, *, engine: str | None = None) -> Iterator[Book]:
    book = open_book(file, kind, engine=engine)
    try:
        yield book
    finally:
        book.close()


# --- bounding calamine's rectangle ------------------------------------------------------------
# The scans overestimate rather than underestimate: any tag-like text counts, names may carry
# any namespace prefix, and attributes come in any order and either quote.

# Every writer seen (Excel, WPS, LibreOffice, openpyxl, POI) puts a cell's and a row's "r"
# first, in double quotes, after a space, with no namespace prefix: such a chunk is counted
# the quick way. Any other chunk is scanned attribute by attribute (slowly).
_ANY_ATTRS = rb"""(?:\s+[\w:.-]+\s*=\s*(?:"[^"]*"|'[^']*'))*?"""
_XLSX_CELL = re.compile(rb"<(?:[\w.-]+:)?c[\s/>]")
_XLSX_CELL_REF = re.compile(rb"<(?:[\w.-]+:)?c" + _ANY_ATTRS + rb"""\s+r\s*=\s*["']([A-Za-z]*)(\d*)["']""")
_XLSX_ROW = re.compile(rb"<(?:[\w.-]+:)?row[\s/>]")
_XLSX_ROW_REF = re.compile(rb"<(?:[\w.-]+:)?row" + _ANY_ATTRS + rb"""\s+r\s*=\s*["'](\d*)["']""")
_PLAIN_CELL_REF = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"')
_PLAIN_ROW_REF = re.compile(rb'<row r="([0-9]{1,7})"')
_PREFIXED_TAG = re.compile(rb":(?:c|row)[\s/>]")
_ODD_SPACE = (b"<c\t", b"<c\n", b"<c\r", b"<row\t", b"<row\n", b"<row\r")
_ODS_TOKEN = re.compile(
    rb"(?P<row><(?:[\w.-]+:)?table-row(?P<row_attrs>" + _ANY_ATTRS + rb")\s*(?P<row_closed>/?)>)"
    rb"|(?P<row_end></(?:[\w.-]+:)?table-row\s*>)"
    rb"|(?P<cell><(?:[\w.-]+:)?(?:covered-)?table-cell(?P<cell_attrs>" + _ANY_ATTRS + rb")\s*(?P<cell_closed>/?)>)"
    rb"|(?P<table><(?:[\w.-]+:)?table[\s>])"
)
_ROWS_REPEATED = re.compile(rb"""number-rows-repeated\s*=\s*["'](\d+)["']""")
_COLUMNS_REPEATED = re.compile(rb"""number-columns-repeated\s*=\s*["'](\d+)["']""")


def _is_ods(file: IO[bytes]) -> bool:
    file.seek(0)
    try:
        with zipfile.ZipFile(file) as archive:
            return "content.xml" in archive.namelist() and "xl/workbook.xml" not in archive.namelist()
    finally:
        file.seek(0)


def _zip_cells(file: IO[bytes], message: str) -> int:
    """An upper bound of the cells calamine would hold for the largest sheet of the workbook."""
    try:
        with zipfile.ZipFile(file) as archive:
            ods = "content.xml" in archive.namelist() and "xl/workbook.xml" not in archive.namelist()
            if ods:
                return _ods_cells(_chunks(archive, "content.xml"))
            return max((_xlsx_cells(_chunks(archive, name)) for name in archive.namelist()), default=0)
    except RosterFileError:
        raise
    except Exception as exc:  # noqa: BLE001
        raise RosterFileError(message) from exc
    finally:
        file.seek(0)


def _chunks(archive: zipfile.ZipFile, name: str) -> Iterator[bytes]:
    """The member's bytes in pieces cut before a "<", so that no tag is split."""
    carry, total = b"", 0
    with archive.open(name) as member:
        while chunk := member.read(SCAN_CHUNK):
            total += len(chunk)
            if total > MAX_XML_BYTES:
                raise RosterFileError(TOO_BIG_UNPACKED)
            data = carry + chunk
            cut = data.rfind(b"<")
            if cut <= 0:
                carry = data
                continue
            carry = data[cut:]
            yield data[:cut]
    yield carry


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + letter - 64
    return number


def _plain(chunk: bytes) -> bool:
    """Whether every cell and row tag of the chunk is written the usual way."""
    if _PREFIXED_TAG.search(chunk):
        return False
    if (b"\n" in chunk or b"\t" in chunk or b"\r" in chunk) and any(tag in chunk for tag in _ODD_SPACE):
        return False
    return chunk.count(b"<c ") == chunk.count(b'<c r="') and chunk.count(b"<row ") == chunk.count(b'<row r="')


def _xlsx_cells(chunks: Iterator[bytes]) -> int:
    # A cell without a reference comes after the one before it, a row without one after the
    # row before it: each can add one to the rectangle beyond the highest reference.
    rows = rows_with_ref = cells = cells_with_ref = top_row = top_column = 0
    for chunk in chunks:
        if _plain(chunk):  # "<c" also counts "<col" and others, which only widens the bound
            refs, row_refs = _PLAIN_CELL_REF.findall(chunk), _PLAIN_ROW_REF.findall(chunk)
            cells += chunk.count(b"<c")
            rows += chunk.count(b"<row")
        else:
            refs, row_refs = _XLSX_CELL_REF.findall(chunk), _XLSX_ROW_REF.findall(chunk)
            cells += len(_XLSX_CELL.findall(chunk))
            rows += len(_XLSX_ROW.findall(chunk))
        cells_with_ref += len(refs)
        rows_with_ref += len(row_refs)
        letters = {letters for letters, _ in refs}
        numbers = {number for _, number in refs if number} | {number for number in row_refs if number}
        top_column = max([top_column, *map(_column_number, letters)])
        top_row = max([top_row, *map(int, numbers)])
    return (top_row + rows - rows_with_ref) * (top_column + cells - cells_with_ref)


def _repeated(pattern: re.Pattern[bytes], attributes: bytes) -> int:
    return max((int(count) for count in pattern.findall(attributes)), default=1)


def _ods_cells(chunks: Iterator[bytes]) -> int:
    """The cells of all the tables calamine reads when it opens the file: rows and cells may
    be repeated, and only those up to the last one holding something count."""
    tables = _OdsExtent()
    for chunk in chunks:
        for token in _ODS_TOKEN.finditer(chunk):
            tables.take(token)
    return tables.total + tables.height * tables.width


class _OdsExtent:
    def __init__(self) -> None:
        self.total = self.row_at = self.height = self.width = 0
        self.repeat = self.column_at = self.row_width = 0

    def take(self, token: re.Match[bytes]) -> None:
        if token["table"]:
            self.total += self.height * self.width
            self.row_at = self.height = self.width = 0
        elif token["row"]:
            self.repeat = _repeated(_ROWS_REPEATED, token["row_attrs"])
            self.column_at = self.row_width = 0
            if token["row_closed"]:
                self.row_at += self.repeat
        elif token["cell"]:
            self.column_at += _repeated(_COLUMNS_REPEATED, token["cell_attrs"])
            if not token["cell_closed"] or b"value-type" in token["cell_attrs"]:
                self.row_width = self.column_at
        else:  # the row's end
            if self.row_width:
                self.height, self.width = self.row_at + self.repeat, max(self.width, self.row_width)
            self.row_at += self.repeat
