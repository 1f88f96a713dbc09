"""The member roster as a file: its columns (the Chinese headers officers already use),
streaming readers for .csv and .xlsx, and the checks on one row that need no database.
importing.py adds the checks against stored data and does the saving.

Both readers yield (row number, {column key: cell}) with the header as row 1, so one checker
serves both, and an error names the row the officer sees in Excel."""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import IO, Any, NamedTuple

from openpyxl import load_workbook
from openpyxl.utils.datetime import from_excel

from gonghui.core.masking import mask_numbers
from gonghui.core.text import CONTROL_MESSAGE, has_control_characters
from gonghui.members.ages import join_age_check, join_age_limits
from gonghui.members.identity import MOBILE_RE, birth_date_of, id_number_check, make_id_number, normalise_mobile
from gonghui.members.models import Education, SkillLevel
from gonghui.organisations.identity import uscc_problem


@dataclass(frozen=True)
class Column:
    header: str
    key: str
    required: bool
    example: str
    hint: str


EXAMPLE_ID_NUMBER = make_id_number(region="330481", birth=date(1990, 1, 1), sequence=1, sex="M")
COLUMNS: tuple[Column, ...] = (
    Column("姓名", "name", True, "张三", "必填，与身份证一致"),
    Column(
        "身份证号",
        "id_number",
        True,
        EXAMPLE_ID_NUMBER,
        "必填，18位（15位旧号码自动升为18位）；出生日期和性别由此得出，不必另填",
    ),
    Column("手机号码", "mobile", True, "13912345678", "11位手机号，可留空"),
    Column(
        "工作单位",
        "employer",
        True,
        "（本工会覆盖的单位名称）",
        "须为本工会覆盖的单位；填了统一社会信用代码时以代码为准",
    ),
    Column(
        "入会时间",
        "joined_on",
        True,
        "2024-03-01",
        "必填，2024-03-01、2024/3/1、20240301 或 Excel 日期均可，不能晚于今天",
    ),
    Column("统一社会信用代码", "employer_uscc", False, "", "工作单位的代码，单位重名时必填"),
    Column("户籍地", "household_registration", False, "浙江省海宁市", "可留空"),
    Column("学历", "education", False, "高中/中专", "小学及以下、初中、高中/中专、大专、本科、研究生，可留空"),
    Column("技能等级", "skill_level", False, "中级工", "无、初级工、中级工、高级工、技师、高级技师，可留空"),
    Column("是否农民工", "is_migrant_worker", False, "否", "是 或 否，留空为否"),
)
COLUMN_BY_HEADER = {c.header: c for c in COLUMNS}
HEADER_OF = {c.key: c.header for c in COLUMNS}
# Other spellings found in rosters officers keep today; they mean the same column.
HEADER_ALIASES = {
    "身份证号码": "身份证号",
    "公民身份号码": "身份证号",
    "手机号": "手机号码",
    "联系电话": "手机号码",
    "单位名称": "工作单位",
    "工作单位名称": "工作单位",
    "入会日期": "入会时间",
    "单位统一社会信用代码": "统一社会信用代码",
    "户籍所在地": "户籍地",
    "是否新居民": "是否农民工",
}
# A running number is the usual first column of a Chinese roster; it carries no data.
IGNORED_HEADERS = {"序号"}
FILE_COLUMN = "文件"
HEADER_ROW = 1

EDUCATION_CODES = {label: code for code, label in Education.choices} | {
    "小学": Education.PRIMARY,
    "高中": Education.SENIOR,
    "中专": Education.SENIOR,
    "职高": Education.SENIOR,
    "技校": Education.SENIOR,
    "专科": Education.COLLEGE,
    "大学本科": Education.BACHELOR,
    "硕士": Education.POSTGRADUATE,
    "博士": Education.POSTGRADUATE,
    "硕士研究生": Education.POSTGRADUATE,
    "博士研究生": Education.POSTGRADUATE,
}
SKILL_CODES = {label: code for code, label in SkillLevel.choices} | {
    "五级": SkillLevel.GRADE5,
    "四级": SkillLevel.GRADE4,
    "三级": SkillLevel.GRADE3,
    "二级": SkillLevel.GRADE2,
    "一级": SkillLevel.GRADE1,
}
EDUCATION_LABELS = "、".join(str(label) for label in Education.labels)
SKILL_LABELS = "、".join(str(label) for label in SkillLevel.labels)
YES_NO = {"是": True, "否": False, "Y": True, "N": False, "1": True, "0": False, "TRUE": True, "FALSE": False}

DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
COMPACT_DATE_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
# A date that went through Excel and back to CSV often carries a midnight time.
TRAILING_TIME_RE = re.compile(r"\s+\d{1,2}:\d{2}(:\d{2})?$")
HEADER_NOISE_RE = re.compile(r"^[*＊\s]+|[*＊\s]+$|[（(][^）)]*[）)]$")
EXCEL_MAX_SERIAL = 2958465  # 9999-12-31

Cell = str | int | float | bool | date | datetime | None
RawRow = dict[str, Cell]
Lines = Generator[tuple[int, tuple[Cell, ...]], None, None]  # (line number, cells), header first


class RowError(NamedTuple):
    row: int
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


def format_row_error(error: dict[str, Any]) -> str:
    """One line of the error report, the same wherever it is shown."""
    column = f"【{error['column']}】" if error["column"] else ""
    return f"第{error['row']}行{column}{error['message']}"


class RosterRow(NamedTuple):
    """A checked row, kept until the whole file is clean: a tuple, so a quarter of a million
    of them fit in a few hundred megabytes. Empty optional cells are None."""

    row: int
    id_number: str
    name: str
    mobile: str
    employer_id: int
    joined_on: date
    household_registration: str | None
    education: str | None
    skill_level: str | None
    is_migrant_worker: bool | None


class RosterFileError(Exception):
    """The file cannot be read at all; the message, in Chinese, says why."""


class RosterTooLong(RosterFileError):
    """The file has more rows than an import takes; reading stopped there."""

    def __init__(self, max_rows: int) -> None:
        super().__init__(f"名单超过 {max_rows:,} 行上限，请拆分后导入")


SUPPORTED_SUFFIXES = (".csv", ".xlsx")


def file_kind(filename: str) -> str | None:
    name = filename.lower()
    return next((suffix[1:] for suffix in SUPPORTED_SUFFIXES if name.endswith(suffix)), None)


# --- reading -------------------------------------------------------------------------------


def read_roster(
    file: IO[bytes], *, filename: str, max_rows: int | None = None
) -> tuple[list[RowError], Iterator[tuple[int, RawRow]]]:
    """The header's problems, and the data rows as (row number, {key: cell}), skipping blank
    rows. When the header has problems no rows are given: they could not be read reliably.
    Past `max_rows` data rows the rows raise RosterTooLong and reading stops."""
    lines = _xlsx_lines(file) if file_kind(filename) == "xlsx" else _csv_lines(file)
    first = next(lines, None)
    if first is None:
        return [RowError(HEADER_ROW, FILE_COLUMN, "文件是空的，没有表头")], iter(())
    positions, errors = header_positions(first[1])
    if errors:
        lines.close()
        return errors, iter(())
    return [], _keyed(lines, positions, max_rows)


def _keyed(lines: Lines, positions: list[tuple[int, str]], max_rows: int | None) -> Iterator[tuple[int, RawRow]]:
    # Blank rows are skipped but still read; a sheet formatted a million rows down holds
    # few data rows, so the lines read are bounded too.
    max_lines = None if max_rows is None else 2 * max_rows + HEADER_ROW
    count = 0
    try:
        for number, cells in lines:
            if max_lines is not None and number > max_lines:
                raise RosterTooLong(max_rows or 0)
            if all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells):
                continue
            count += 1
            if max_rows is not None and count > max_rows:
                raise RosterTooLong(max_rows)
            width = len(cells)
            yield number, {key: cells[i] if i < width else None for i, key in positions}
    finally:
        lines.close()  # the workbook is closed now, not when the generator is collected


def clean_header(cell: Cell) -> str:
    text = unicodedata.normalize("NFKC", str(cell or "")).replace("\ufeff", "")
    return HEADER_NOISE_RE.sub("", text.strip()).replace(" ", "")


def header_positions(cells: tuple[Cell, ...]) -> tuple[list[tuple[int, str]], list[RowError]]:
    """Where each known column is, and the header's problems (all reported on row 1)."""
    positions: list[tuple[int, str]] = []
    errors: list[RowError] = []
    seen: set[str] = set()
    for index, cell in enumerate(cells):
        header = clean_header(cell)
        header = HEADER_ALIASES.get(header, header)
        if not header or header in IGNORED_HEADERS:
            continue
        column = COLUMN_BY_HEADER.get(header)
        if column is None:
            # A file without its header has a person's row here: the numbers are masked.
            text = mask_numbers(str(cell).strip())
            errors.append(RowError(HEADER_ROW, text, f"不认识的列名「{text}」，请使用模板中的列名"))
        elif header in seen:
            errors.append(RowError(HEADER_ROW, header, f"列「{header}」出现了两次"))
        else:
            seen.add(header)
            positions.append((index, column.key))
    for column in COLUMNS:
        if column.required and column.header not in seen:
            errors.append(RowError(HEADER_ROW, column.header, f"缺少必填列「{column.header}」"))
    return positions, errors


XLSX_UNREADABLE = "文件不是有效的 .xlsx 表格，请用 Excel 或 WPS 另存为 .xlsx 后再导入"


def _xlsx_lines(file: IO[bytes]) -> Lines:
    # A damaged workbook fails in whichever layer openpyxl is in, while opening it or while
    # reading rows: zipfile, zlib, the XML parser or openpyxl itself (a fuzzer found
    # zlib.error and others). Each means the same to the officer: the file cannot be read.
    try:
        book = load_workbook(file, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001
        raise RosterFileError(XLSX_UNREADABLE) from exc
    try:
        sheet = book.worksheets[0]
        # Some programs write a wrong size into the file; reading without it reads every row.
        sheet.reset_dimensions()
        yield from enumerate(sheet.iter_rows(values_only=True), start=1)
    except Exception as exc:  # noqa: BLE001
        raise RosterFileError(XLSX_UNREADABLE) from exc
    finally:
        book.close()


def _csv_lines(file: IO[bytes]) -> Lines:
    encoding = sniff_encoding(file)
    text = io.TextIOWrapper(file, encoding=encoding, newline="")
    try:
        for number, cells in enumerate(csv.reader(text), start=1):
            yield number, tuple(cells)
    except csv.Error as exc:
        raise RosterFileError(f"CSV 格式错误：{exc}") from exc
    finally:
        text.detach()  # leave the caller's file open; it closes it


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


# --- cells ---------------------------------------------------------------------------------


def cell_text(cell: Cell) -> str:
    if type(cell) is str:  # nearly every cell: the quick way first
        text = cell if cell.isascii() else unicodedata.normalize("NFKC", cell)
        return " ".join(text.split())
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    if isinstance(cell, datetime | date):
        return cell.isoformat()
    text = unicodedata.normalize("NFKC", str(cell))
    return " ".join(text.split())


def id_number_text(cell: Cell) -> str:
    return cell_text(cell).replace(" ", "").upper()


def parse_date(cell: Cell) -> date | None:
    """A date from any of the ways rosters write one, or None if it cannot be read."""
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        return _date_from_number(cell)
    text = cell_text(cell)
    if len(text) == 10 and text[4] == "-" and text[7] == "-":
        try:
            return date.fromisoformat(text)
        except ValueError:
            return None
    text = TRAILING_TIME_RE.sub("", text)
    match = DATE_RE.match(text) or COMPACT_DATE_RE.match(text)
    if match is None:
        return None
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


def _date_from_number(value: float) -> date | None:
    if float(value).is_integer() and 10_000_000 <= value <= 99_991_231:
        return parse_date(str(int(value)))  # 20240301 typed as a number
    if 1 <= value <= EXCEL_MAX_SERIAL:
        return from_excel(value).date()  # an Excel date that lost its date format
    return None


# --- one row -------------------------------------------------------------------------------


def match_key(name: str) -> str:
    """Employer names compare without spaces and with half-width brackets."""
    return "".join(unicodedata.normalize("NFKC", name).split())


@dataclass
class EmployerIndex:
    """The employers a roster may name: by credit code, and by name (None when two share it)."""

    by_uscc: dict[str, int] = field(default_factory=dict)
    by_name: dict[str, int | None] = field(default_factory=dict)

    def add(self, *, pk: int, name: str, uscc: str) -> None:
        self.by_uscc[uscc] = pk
        key = match_key(name)
        self.by_name[key] = None if key in self.by_name else pk


Problems = list[tuple[str, str]]


def control_character_problems(raw: RawRow) -> Problems:
    """The cells that break the platform's one rule for text (core.text). A cell is read as
    multi-line text: a line break typed in Excel (Alt+Enter) is allowed and becomes a space,
    as all runs of whitespace in a cell do; any other control character is refused."""
    return [
        (HEADER_OF[key], f"{HEADER_OF[key]}{CONTROL_MESSAGE}")
        for key, cell in raw.items()
        if isinstance(cell, str) and has_control_characters(cell, multiline=True)
    ]


def _is_old_id_number(value: float) -> bool:
    return float(value).is_integer() and 10**14 <= value < 10**15


def quoted(text: str) -> str:
    """A cell as an error message quotes it: a number typed into the wrong column (an identity
    or mobile number under 工作单位) is masked, since the report is stored and downloaded."""
    return mask_numbers(text)


class RowCheck(NamedTuple):
    """One row's answer: the clean row (None if it has errors), its errors and warnings as
    (column header, message), and its identity number as stored, for finding duplicates
    ("" if unreadable: the caller falls back to the cell's text)."""

    row: RosterRow | None
    errors: Problems
    warnings: Problems
    id_number: str


class RowChecker:
    """Checks one row on its own (no database). Errors block the file; warnings do not."""

    def __init__(self, *, employers: EmployerIndex, today: date) -> None:
        self.employers = employers
        self.today = today
        self.age_limits = join_age_limits()

    def check(self, number: int, raw: RawRow) -> RowCheck:
        unreadable = control_character_problems(raw)
        warnings: Problems = []
        row, problems, id_number = self._check(number, raw, warnings)
        if unreadable:
            # One error per cell: what else is wrong with such a cell can wait until it is fixed.
            columns = {column for column, _ in unreadable}
            errors = unreadable + [problem for problem in problems if problem[0] not in columns]
            return RowCheck(None, errors, [w for w in warnings if w[0] not in columns], id_number)
        return RowCheck(row, problems, warnings, id_number)

    def _check(self, number: int, raw: RawRow, warnings: Problems) -> tuple[RosterRow | None, Problems, str]:
        problems: Problems = []
        name = self._name(raw.get("name"), problems)
        id_number = self._id_number(raw.get("id_number"), problems, warnings)
        mobile = self._mobile(raw.get("mobile"), problems)
        employer_id = self._employer(raw.get("employer"), raw.get("employer_uscc"), problems)
        joined_on = self._joined_on(raw.get("joined_on"), id_number, problems, warnings)
        household = self._household(raw.get("household_registration"), problems)
        education = self._choice(raw.get("education"), "学历", EDUCATION_CODES, EDUCATION_LABELS, problems)
        skill = self._choice(raw.get("skill_level"), "技能等级", SKILL_CODES, SKILL_LABELS, problems)
        migrant = self._yes_no(raw.get("is_migrant_worker"), problems)
        if problems or employer_id is None or joined_on is None:
            return None, problems, id_number
        row = RosterRow(number, id_number, name, mobile, employer_id, joined_on, household, education, skill, migrant)
        return row, problems, id_number

    def _name(self, cell: Cell, problems: Problems) -> str:
        name = cell_text(cell)
        if not name:
            problems.append(("姓名", "姓名不能为空"))
        elif len(name) > 50:
            problems.append(("姓名", "姓名过长，最多50个字"))
        return name

    def _id_number(self, cell: Cell, problems: Problems, warnings: Problems) -> str:
        if isinstance(cell, int | float) and not isinstance(cell, bool):
            if not _is_old_id_number(cell):
                # Excel keeps 15 significant digits, so the last three digits are already lost.
                problems.append(("身份证号", "身份证号被存成了数字（Excel 只保留15位），请把该列设为文本后重新填写"))
                return ""
            cell = str(int(cell))  # an old 15-digit number fits whole in Excel's 15 digits
        number = id_number_text(cell)
        if not number:
            problems.append(("身份证号", "身份证号不能为空"))
            return ""
        check = id_number_check(number, today=self.today)
        if check.problem:
            problems.append(("身份证号", check.problem))
            return ""
        if check.upgraded:
            warnings.extend(("身份证号", warning) for warning in check.warnings)
        return check.number

    def _mobile(self, cell: Cell, problems: Problems) -> str:
        mobile = normalise_mobile(cell_text(cell))
        if mobile and not MOBILE_RE.match(mobile):
            problems.append(("手机号码", f"手机号码「{mask_numbers(mobile, mobile=True)}」不对，应为11位、以13-19开头"))
        return mobile

    def _employer(self, name_cell: Cell, uscc_cell: Cell, problems: Problems) -> int | None:
        code = cell_text(uscc_cell).replace(" ", "").upper()
        if code:
            return self._employer_by_uscc(code, problems)
        name = cell_text(name_cell)
        if not name:
            problems.append(("工作单位", "工作单位不能为空"))
            return None
        key = match_key(name)
        if key not in self.employers.by_name:
            problems.append(("工作单位", f"工作单位「{quoted(name)}」不是本工会覆盖的单位，请先登记该单位或核对名称"))
            return None
        pk = self.employers.by_name[key]
        if pk is None:
            problems.append(("工作单位", f"有多个名为「{quoted(name)}」的单位，请填写统一社会信用代码"))
        return pk

    def _employer_by_uscc(self, code: str, problems: Problems) -> int | None:
        problem = uscc_problem(code)
        if problem:
            problems.append(("统一社会信用代码", f"统一社会信用代码{problem}"))
            return None
        pk = self.employers.by_uscc.get(code)
        if pk is None:
            problems.append(("统一社会信用代码", f"统一社会信用代码为 {code} 的单位不是本工会覆盖的单位"))
        return pk

    def _joined_on(self, cell: Cell, id_number: str, problems: Problems, warnings: Problems) -> date | None:
        on = parse_date(cell)
        if on is None:
            text = cell_text(cell)
            reason = (
                f"入会时间「{quoted(text)}」无法识别，请写成 2024-03-01、2024/3/1 或 20240301"
                if text
                else "入会时间不能为空"
            )
            problems.append(("入会时间", reason))
        elif on > self.today:
            problems.append(("入会时间", f"入会时间 {on.isoformat()} 晚于今天"))
        elif id_number:
            birth = birth_date_of(id_number)
            if on < birth:
                problems.append(("入会时间", f"入会时间 {on.isoformat()} 早于出生日期"))
            else:
                age = join_age_check(birth, on, limits=self.age_limits)
                if age.problem:
                    problems.append(("入会时间", age.problem))
                elif age.warning:
                    warnings.append(("入会时间", age.warning))
        return on

    def _household(self, cell: Cell, problems: Problems) -> str | None:
        text = cell_text(cell)
        if len(text) > 100:
            problems.append(("户籍地", "户籍地过长，最多100个字"))
        return text or None

    def _choice(self, cell: Cell, header: str, codes: dict[str, str], labels: str, problems: Problems) -> str | None:
        text = cell_text(cell).replace(" ", "")
        if not text:
            return None
        if text not in codes:
            problems.append((header, f"{header}「{quoted(text)}」不在可选范围内：{labels}"))
            return None
        return codes[text]

    def _yes_no(self, cell: Cell, problems: Problems) -> bool | None:
        if isinstance(cell, bool):
            return cell
        text = cell_text(cell).upper()
        if not text:
            return None
        if text not in YES_NO:
            problems.append(("是否农民工", f"是否农民工应填“是”或“否”，不能填「{quoted(cell_text(cell))}」"))
            return None
        return YES_NO[text]
