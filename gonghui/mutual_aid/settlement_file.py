"""Reading a medical-insurance settlement file (.csv, .xlsx, .xls): one record a row, read
as a stream so a million rows never sit in memory at once. The layout is in
docs/mutual-aid.md ("The settlement file"). A cell that cannot be read makes a
`RecordProblem` naming its row and column; a file whose header lacks a column is refused
whole (`SettlementFileError`)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import IO, Any, NamedTuple

from django.utils.translation import gettext, gettext_noop

from gonghui.members import spreadsheets
from gonghui.mutual_aid.calculator import VisitType

HEADER_ROW = 1
FILE_COLUMN = "文件"

COLUMNS = (
    "结算单号",
    "身份证号",
    "姓名",
    "医院",
    "就诊类型",
    "入院日期",
    "出院日期",
    "结算日期",
    "总费用",
    "统筹支付",
    "政策内自付",
    "政策外自付",
    "诊断编码",
)
REVERSAL_COLUMNS = ("原结算单号", "冲销标志")  # optional: only files with reversals need them

VISIT_TYPES = {
    "住院": VisitType.INPATIENT.value,
    "门诊特病": VisitType.SPECIAL_OUTPATIENT.value,
    "门诊特殊病": VisitType.SPECIAL_OUTPATIENT.value,
    "门特": VisitType.SPECIAL_OUTPATIENT.value,
    "门诊": VisitType.OUTPATIENT.value,
    "普通门诊": VisitType.OUTPATIENT.value,
}
YES = {"是", "1", "Y", "y", "TRUE", "true", "冲销", "冲正"}
NO = {"", "否", "0", "N", "n", "FALSE", "false"}
MAX_NUMBER = 40
KINDS = ("csv", "xlsx", "xls")
MAX_AMOUNT = Decimal("100000000")
CENT_EXPONENT = -2
CENT = Decimal("0.01")
ZERO = Decimal("0.00")
PLAIN_AMOUNT = re.compile(r"[0-9]{1,8}\.[0-9]{2}")  # below MAX_AMOUNT, two places, not negative


class SettlementFileError(Exception):
    def __init__(self, message: str, params: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message, self.params = message, params or {}

    def text(self) -> str:
        return gettext(self.message) % self.params if self.params else gettext(self.message)


class SettlementRecord(NamedTuple):
    row: int
    settlement_number: str
    id_number: str
    name: str
    hospital: str
    visit_type: str  # VisitType
    admitted_on: date
    discharged_on: date | None
    settled_on: date | None
    total_cost: Decimal
    fund_paid: Decimal
    in_policy_self_paid: Decimal
    out_of_policy_self_paid: Decimal
    diagnosis: str
    original_number: str  # for a reversal: the settlement it corrects
    is_reversal: bool


@dataclass(frozen=True)
class RecordProblem:
    row: int
    column: str
    settlement_number: str
    name: str
    message: str  # a source text with %(…)s values
    params: dict[str, str] = field(default_factory=dict)


def file_kind(filename: str) -> str | None:
    kind = spreadsheets.file_kind(filename)
    return kind if kind in KINDS else None


def read_settlements(file: IO[bytes], filename: str) -> Iterator[SettlementRecord | RecordProblem]:
    """Each data row of the file (its first sheet), read or with its first problem. The
    workbook readers are the roster import's (members/spreadsheets.py: calamine, bounded)."""
    kind = file_kind(filename)
    if kind is None:
        raise SettlementFileError(gettext_noop("只能上传 .csv、.xlsx 或 .xls 格式的结算文件"))
    try:
        book = spreadsheets.open_book(file, kind)
        try:
            yield from _records(book.lines(book.sheets[0]) if book.sheets else iter(()))
        finally:
            book.close()
    except spreadsheets.RosterFileError as err:
        raise SettlementFileError(gettext_noop("无法读取该文件：%(error)s"), {"error": str(err)[:200]}) from err


def _records(lines: Iterator[tuple[int, tuple[Any, ...]]]) -> Iterator[SettlementRecord | RecordProblem]:
    first = next(lines, None)
    if first is None:
        raise SettlementFileError(gettext_noop("文件是空的"))
    reader = _RowReader(_positions(first[1]))
    for number, cells in lines:
        if any(cell not in ("", None) for cell in cells):
            yield reader.read(number, cells)


def _positions(header: tuple[Any, ...]) -> dict[str, int]:
    names = [str(cell or "").strip().replace("\ufeff", "") for cell in header]
    missing = [name for name in COLUMNS if name not in names]
    if missing:
        raise SettlementFileError(gettext_noop("第 1 行（表头）缺少列：%(columns)s"), {"columns": "、".join(missing)})
    return {name: names.index(name) for name in (*COLUMNS, *REVERSAL_COLUMNS) if name in names}


class _Bad(Exception):
    def __init__(self, column: str, message: str, value: Any = "") -> None:
        self.column, self.message, self.value = column, message, value


class _RowReader:
    def __init__(self, positions: dict[str, int]) -> None:
        self.at = positions
        self.width = max(positions.values()) + 1

    def read(self, number: int, cells: tuple[Any, ...]) -> SettlementRecord | RecordProblem:
        if len(cells) < self.width:
            cells = (*cells, *([""] * (self.width - len(cells))))
        at = self.at
        settlement = _text(cells[at["结算单号"]])
        name = _text(cells[at["姓名"]])
        try:
            return self._record(number, cells, settlement, name)
        except _Bad as bad:
            params = {"row": str(number), "column": bad.column, "value": _shown(bad.value)}
            return RecordProblem(number, bad.column, settlement[:MAX_NUMBER], name[:50], bad.message, params)

    def _record(self, number: int, cells: tuple[Any, ...], settlement: str, name: str) -> SettlementRecord:
        at = self.at
        if not settlement or len(settlement) > MAX_NUMBER:
            raise _Bad("结算单号", gettext_noop("第 %(row)s 行“%(column)s”：缺少或过长（%(value)s）"), settlement)
        id_number = _text(cells[at["身份证号"]]).upper()
        if len(id_number) not in (15, 18):
            raise _Bad("身份证号", gettext_noop("第 %(row)s 行“%(column)s”：不是身份证号（%(value)s）"), id_number)
        if not name:
            raise _Bad("姓名", gettext_noop("第 %(row)s 行“%(column)s”：不能为空"))
        visit = VISIT_TYPES.get(_text(cells[at["就诊类型"]]))
        if visit is None:
            raise _Bad(
                "就诊类型",
                gettext_noop("第 %(row)s 行“%(column)s”：应为 住院、门诊特病 或 普通门诊（%(value)s）"),
                cells[at["就诊类型"]],
            )
        flag = _text(cells[at["冲销标志"]]) if "冲销标志" in at else ""
        if flag not in YES and flag not in NO:
            raise _Bad("冲销标志", gettext_noop("第 %(row)s 行“%(column)s”：应为 是 或 否（%(value)s）"), flag)
        reversal = flag in YES
        original = _text(cells[at["原结算单号"]]) if "原结算单号" in at else ""
        if reversal and not original:
            raise _Bad("原结算单号", gettext_noop("第 %(row)s 行“%(column)s”：冲销记录须填写原结算单号"))
        admitted = _date(cells, at, "入院日期", required=True)
        assert admitted is not None
        return SettlementRecord(
            number,
            settlement,
            id_number,
            name,
            _text(cells[at["医院"]])[:100],
            visit,
            admitted,
            _date(cells, at, "出院日期"),
            _date(cells, at, "结算日期"),
            _amount(cells, at, "总费用", reversal),
            _amount(cells, at, "统筹支付", reversal),
            _amount(cells, at, "政策内自付", reversal),
            _amount(cells, at, "政策外自付", reversal),
            _text(cells[at["诊断编码"]])[:40],
            original[:MAX_NUMBER],
            reversal,
        )


def _text(cell: Any) -> str:
    if type(cell) is str:  # every cell of a CSV: the common case first
        return cell.strip()
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))  # a number typed into a spreadsheet cell
    return str(cell).strip()


def _shown(value: Any) -> str:
    text = _text(value)
    return text[:30] if text else "空"


def _date(cells: tuple[Any, ...], at: dict[str, int], column: str, *, required: bool = False) -> date | None:
    cell = cells[at[column]]
    if type(cell) is not str:
        if isinstance(cell, datetime):
            return cell.date()
        if isinstance(cell, date):
            return cell
    text = _text(cell)
    if not text:
        if required:
            raise _Bad(column, gettext_noop("第 %(row)s 行“%(column)s”：不能为空"))
        return None
    try:
        if len(text) == 10 and text[4] == "-":
            return date.fromisoformat(text)
        return _loose_date(text)
    except ValueError:
        raise _Bad(column, gettext_noop("第 %(row)s 行“%(column)s”：不是日期（%(value)s）"), cell) from None


def _loose_date(text: str) -> date:
    """2026/5/10, 2026.05.10, 20260510, or a date and a time."""
    day = text.split()[0] if " " in text else text.split("T")[0]
    if day.isdigit() and len(day) == 8:
        return date(int(day[:4]), int(day[4:6]), int(day[6:]))
    parts = day.replace("/", "-").replace(".", "-").split("-")
    if len(parts) != 3:
        raise ValueError(text)
    return date(*map(int, parts))


def _amount(cells: tuple[Any, ...], at: dict[str, int], column: str, signed: bool) -> Decimal:
    """Yuan with at most two places; negative only on a reversal (the change it makes)."""
    cell = cells[at[column]]
    if type(cell) is str and PLAIN_AMOUNT.fullmatch(cell):  # as insurers write them: nothing to check
        return Decimal(cell)
    if isinstance(cell, str):
        text = cell.strip()
        if "," in text:
            text = text.replace(",", "")
    else:
        text = repr(cell) if isinstance(cell, float) else _text(cell)
    try:
        value = Decimal(text) if text else ZERO
    except InvalidOperation:
        raise _Bad(column, gettext_noop("第 %(row)s 行“%(column)s”：不是金额（%(value)s）"), cell) from None
    if not value.is_finite() or value.as_tuple().exponent < CENT_EXPONENT:  # type: ignore[operator]
        raise _Bad(column, gettext_noop("第 %(row)s 行“%(column)s”：金额最多两位小数（%(value)s）"), cell)
    if abs(value) >= MAX_AMOUNT or (value < 0 and not signed):
        raise _Bad(column, gettext_noop("第 %(row)s 行“%(column)s”：金额不合理（%(value)s）"), cell)
    return value if value.as_tuple().exponent == CENT_EXPONENT else value.quantize(CENT)
