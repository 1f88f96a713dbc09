"""The member roster as a file: its columns (the Chinese headers officers already use, and
the national real-name system's), finding the roster in an officer's file as it is, and the
checks on one row that need no database. spreadsheets.py reads the file's cells;
importing.py adds the checks against stored data and does the saving.

The roster sheet is the one whose header is found (an instructions sheet before it is
normal), and the header is the row among the first twenty that names the most known columns
(title and note rows above it are normal). Rows are given as (row number, {column key: cell})
with the numbers the officer sees in Excel, so an error names that row. docs/rosters.md says
all of this for officers."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import IO, Any, NamedTuple

from django.utils.translation import gettext, gettext_noop
from openpyxl.utils.datetime import from_excel

from gonghui.core.masking import mask_numbers
from gonghui.core.mobiles import MOBILE_RE
from gonghui.core.text import CONTROL_MESSAGE, has_control_characters
from gonghui.members.ages import join_age_check, join_age_limits
from gonghui.members.identity import (
    birth_date_and_sex,
    birth_date_of,
    id_number_check,
    make_id_number,
    normalise_mobile,
)
from gonghui.members.models import ETHNIC_GROUPS, Education, PoliticalStatus, SkillLevel
from gonghui.members.spreadsheets import Book, Cell, Lines, RosterFileError, file_kind, open_book
from gonghui.organisations.identity import uscc_problem


@dataclass(frozen=True)
class Column:
    header: str
    key: str
    required: bool
    example: str
    hint: str
    in_template: bool = True  # 性别 and 出生日期 are read only to check them against the number


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
    Column("民族", "ethnicity", False, "汉族", "56个民族之一，如 汉族、回族（“汉”也可），可留空"),
    Column(
        "政治面貌",
        "political_status",
        False,
        "群众",
        "中共党员、中共预备党员、共青团员、民主党派成员、无党派人士、群众，可留空",
    ),
    Column("部门", "department", False, "裁剪车间", "所在部门或车间，可留空"),
    Column("岗位", "post", False, "裁剪工", "可留空；与“职务”都填时合并保存"),
    Column("职务", "duty", False, "", "可留空，如 班组长"),
    Column("性别", "sex", False, "", "可不填；填了须与身份证号一致", in_template=False),
    Column("出生日期", "birth_date", False, "", "可不填；填了须与身份证号一致", in_template=False),
)
TEMPLATE_COLUMNS = tuple(c for c in COLUMNS if c.in_template)
COLUMN_BY_HEADER = {c.header: c for c in COLUMNS}
HEADER_OF = {c.key: c.header for c in COLUMNS}
# Other spellings found in rosters officers keep today; they mean the same column.
# (The national real-name system's templates and the rosters unions keep use these.)
HEADER_ALIASES = {
    "会员姓名": "姓名",
    "职工姓名": "姓名",
    "身份证号码": "身份证号",
    "公民身份号码": "身份证号",
    "证件号码": "身份证号",
    "身份证": "身份证号",
    "手机": "手机号码",
    "手机号": "手机号码",
    "联系电话": "手机号码",
    "联系方式": "手机号码",
    "移动电话": "手机号码",
    "单位": "工作单位",
    "所在单位": "工作单位",
    "单位名称": "工作单位",
    "工作单位名称": "工作单位",
    "入会日期": "入会时间",
    "单位统一社会信用代码": "统一社会信用代码",
    "户籍": "户籍地",
    "户籍所在地": "户籍地",
    "户口所在地": "户籍地",
    "户籍地址": "户籍地",
    "文化程度": "学历",
    "最高学历": "学历",
    "职业技能等级": "技能等级",
    "技术等级": "技能等级",
    "是否新居民": "是否农民工",
    "农民工": "是否农民工",
    "政治面目": "政治面貌",
    "所在部门": "部门",
    "车间": "部门",
    "部门车间": "部门",
    "工作岗位": "岗位",
    "工种": "岗位",
    "岗位/职务": "职务",
    "职务/岗位": "职务",
    "出生年月": "出生日期",
}
# A running number is the usual first column of a Chinese roster; it carries no data.
IGNORED_HEADERS = {"序号", "编号"}
FILE_COLUMN = "文件"
HEADER_ROW = 1  # where a problem of the whole file is reported
HEADER_SCAN_ROWS = 20  # title and note rows above the header are never this many
NAME_AND_ID = frozenset({"name", "id_number"})

EDUCATION_CODES = {label: code for code, label in Education.choices} | {
    "小学": Education.PRIMARY,
    "高中": Education.SENIOR,
    "中专": Education.SENIOR,
    "职高": Education.SENIOR,
    "技校": Education.SENIOR,
    "专科": Education.COLLEGE,
    "大学专科": Education.COLLEGE,
    "高职": Education.COLLEGE,
    "大学本科": Education.BACHELOR,
    "硕士": Education.POSTGRADUATE,
    "博士": Education.POSTGRADUATE,
    "硕士研究生": Education.POSTGRADUATE,
    "博士研究生": Education.POSTGRADUATE,
    "研究生及以上": Education.POSTGRADUATE,
}
SKILL_CODES = {label: code for code, label in SkillLevel.choices} | {
    "五级": SkillLevel.GRADE5,
    "四级": SkillLevel.GRADE4,
    "三级": SkillLevel.GRADE3,
    "二级": SkillLevel.GRADE2,
    "一级": SkillLevel.GRADE1,
}
# "汉" or "汉族": officers write both.
ETHNICITY_NAMES = {group: group for group in ETHNIC_GROUPS} | {group[:-1]: group for group in ETHNIC_GROUPS}
# GB/T 4762's full names and codes, and the short forms rosters use.
POLITICAL_CODES = (
    {label: code for code, label in PoliticalStatus.choices}
    | {code: code for code in PoliticalStatus.values}
    | {
        "中国共产党党员": PoliticalStatus.CPC_MEMBER,
        "共产党员": PoliticalStatus.CPC_MEMBER,
        "党员": PoliticalStatus.CPC_MEMBER,
        "中国共产党预备党员": PoliticalStatus.CPC_PROBATIONARY,
        "预备党员": PoliticalStatus.CPC_PROBATIONARY,
        "中国共产主义青年团团员": PoliticalStatus.CYL_MEMBER,
        "团员": PoliticalStatus.CYL_MEMBER,
        "中国国民党革命委员会会员": PoliticalStatus.RCCK,
        "中国民主同盟盟员": PoliticalStatus.CDL,
        "中国民主建国会会员": PoliticalStatus.CNDCA,
        "中国民主促进会会员": PoliticalStatus.CAPD,
        "中国农工民主党党员": PoliticalStatus.CPWDP,
        "中国致公党党员": PoliticalStatus.CZGP,
        "台湾民主自治同盟盟员": PoliticalStatus.TDSGL,
        "无党派民主人士": PoliticalStatus.NON_PARTISAN,
        "无党派": PoliticalStatus.NON_PARTISAN,
        "普通群众": PoliticalStatus.MASSES,
    }
)
POLITICAL_LABELS = "、".join(str(label) for label in PoliticalStatus.labels)
# GB/T 2261.1 codes 1 and 2 as well as the words.
SEX_CODES = {"男": "M", "女": "F", "男性": "M", "女性": "F", "M": "M", "F": "F", "1": "M", "2": "F"}
SEX_WORDS = {"M": "男", "F": "女"}
EDUCATION_LABELS = "、".join(str(label) for label in Education.labels)
SKILL_LABELS = "、".join(str(label) for label in SkillLevel.labels)
YES_NO = {"是": True, "否": False, "Y": True, "N": False, "1": True, "0": False, "TRUE": True, "FALSE": False}

MONTH_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$|^(\d{4})(\d{2})$")
SERIAL_RE = re.compile(r"^\d{5}(\.0+)?$")  # 10000-99999: 1927 to 2173; "2024" alone is a year, not a date
DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
COMPACT_DATE_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
# A date that went through Excel and back to CSV often carries a midnight time.
TRAILING_TIME_RE = re.compile(r"\s+\d{1,2}:\d{2}(:\d{2})?$")
HEADER_NOISE_RE = re.compile(r"^[*＊\s]+|[*＊\s]+$|[（(][^）)]*[）)]$")
EXCEL_MAX_SERIAL = 2958465  # 9999-12-31
# Characters that show as nothing, pasted in from web pages and chat apps, and the no-break
# space; a leading apostrophe is what Excel users type to keep a number as text.
INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e"), None) | {0xA0: " ", 0x202F: " "}
TEXT_MARKS = ("'", "＇", "‘", "’")

RawRow = dict[str, Cell]


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
    ethnicity: str | None = None
    political_status: str | None = None
    department: str | None = None
    job_title: str | None = None


class RosterTooLong(RosterFileError):
    """The file has more rows than an import takes; reading stopped there."""

    def __init__(self, max_rows: int) -> None:
        super().__init__(f"名单超过 {max_rows:,} 行上限，请拆分后导入")


class SheetChoiceNeeded(RosterFileError):
    """More than one sheet of the workbook has a roster's header: the officer says which."""

    def __init__(self, sheets: list[str]) -> None:
        names = "、".join(f"「{name}」" for name in sheets)
        super().__init__(f"工作簿中有 {len(sheets)} 个工作表都有花名册表头：{names}，请选择要导入的工作表")
        self.sheets = sheets


class Roster(NamedTuple):
    """What reading found: the header's problems (when there are any, no rows are given: they
    could not be read reliably), the data rows, and what was read but left aside."""

    errors: list[RowError]
    rows: Iterator[tuple[int, RawRow]]
    warnings: list[RowError]


NO_HEADER = gettext_noop(
    "没有找到表头：前 %(rows)s 行中没有同时有「姓名」和「身份证号」两列的一行。"
    "请使用模板中的列名（可从导入页面下载模板）"
)


# --- reading -------------------------------------------------------------------------------


def read_roster(file: IO[bytes], *, filename: str, max_rows: int | None = None, sheet: str | None = None) -> Roster:
    """The roster in the file: in `sheet` if given, else in the one sheet whose header is found
    (SheetChoiceNeeded if several have one). Blank rows are skipped; past `max_rows` data rows
    the rows raise RosterTooLong and reading stops."""
    book = open_book(file, file_kind(filename) or "csv")
    try:
        found = _find_header(book, sheet)
    except BaseException:
        book.close()
        raise
    if isinstance(found, list):
        book.close()
        return Roster(found, iter(()), [])
    number, header, rest = found
    positions, errors, warnings = header_positions(header, row=number)
    if errors:
        rest.close()
        return Roster(errors, iter(()), warnings)
    return Roster([], _keyed(rest, positions, max_rows, header_row=number), warnings)


class _Head(NamedTuple):
    sheet: str
    lines: Lines
    read: list[tuple[int, tuple[Cell, ...]]]  # the first rows, kept to go on from the header
    best: int | None  # which of them is the header, if one has 姓名 and 身份证号
    known: int  # how many known columns the best-looking row names


def _find_header(book: Book, sheet: str | None) -> tuple[int, tuple[Cell, ...], _Rest] | list[RowError]:
    if book.sheets == [""]:
        sheet = None  # a CSV is one sheet, whatever it was called
    if sheet is not None and sheet not in book.sheets:
        names = "、".join(f"「{name}」" for name in book.sheets)
        return [
            RowError(
                HEADER_ROW,
                FILE_COLUMN,
                gettext("工作簿中没有名为「%(sheet)s」的工作表；有：%(names)s") % {"sheet": sheet, "names": names},
            )
        ]
    heads: list[_Head] = []
    found: list[_Head] = []
    for name in [sheet] if sheet is not None else book.sheets:
        head = _head_of(name, book.lines(name))
        if head.best is not None:
            found.append(head)
        else:
            head.lines.close()
        heads.append(head)
    if len(found) > 1:
        for head in found:
            head.lines.close()
        raise SheetChoiceNeeded([head.sheet for head in found])
    if found:
        head = found[0]
        assert head.best is not None
        number, cells = head.read[head.best]
        return number, cells, _Rest(head.read[head.best + 1 :], head.lines, book)
    return _no_header(heads)


def _head_of(sheet: str, lines: Lines) -> _Head:
    read: list[tuple[int, tuple[Cell, ...]]] = []
    for line in lines:
        read.append(line)
        if len(read) == HEADER_SCAN_ROWS:
            break
    keys = [_header_keys(cells) for _, cells in read]
    with_name_and_id = [i for i, row_keys in enumerate(keys) if row_keys >= NAME_AND_ID]
    # The row naming the most columns wins; the first of equals (a repeated header is data).
    best = max(with_name_and_id, key=lambda i: (len(keys[i]), -i), default=None)
    return _Head(sheet, lines, read, best, max(map(len, keys), default=0))


def _no_header(heads: list[_Head]) -> list[RowError]:
    """No sheet has a header. A row that names some columns is probably the header with a
    column missing or misspelt; its problems are reported. Otherwise nothing is known here."""
    if not any(head.read for head in heads):
        return [RowError(HEADER_ROW, FILE_COLUMN, gettext("文件是空的，没有表头"))]
    closest = max(heads, key=lambda head: head.known)
    if closest.known < 2:
        return [RowError(HEADER_ROW, FILE_COLUMN, gettext(NO_HEADER) % {"rows": HEADER_SCAN_ROWS})]
    keys = [_header_keys(cells) for _, cells in closest.read]
    number, cells = closest.read[max(range(len(keys)), key=lambda i: (len(keys[i]), -i))]
    return header_positions(cells, row=number)[1]


def _header_keys(cells: tuple[Cell, ...]) -> set[str]:
    columns = (COLUMN_BY_HEADER.get(_known_header(cell)) for cell in cells if isinstance(cell, str))
    return {column.key for column in columns if column is not None}


class _Rest:
    """The rows after the header: those already read, then the rest. Closing it closes the book."""

    def __init__(self, read: list[tuple[int, tuple[Cell, ...]]], lines: Lines, book: Book) -> None:
        self.read, self.lines, self.book = read, lines, book

    def __iter__(self) -> Iterator[tuple[int, tuple[Cell, ...]]]:
        yield from self.read
        yield from self.lines

    def close(self) -> None:
        self.lines.close()
        self.book.close()


def _keyed(
    lines: _Rest, positions: list[tuple[int, str]], max_rows: int | None, *, header_row: int
) -> Iterator[tuple[int, RawRow]]:
    # Blank rows are skipped but still read; a sheet formatted a million rows down holds
    # few data rows, so the lines read are bounded too.
    max_lines = None if max_rows is None else header_row + 2 * max_rows
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
            yield number, {key: plain_cell(cells[i]) if i < width else None for i, key in positions}
    finally:
        lines.close()  # the workbook is closed now, not when the generator is collected


def plain_cell(cell: Cell) -> Cell:
    """The cell without characters that show as nothing, or the apostrophe that kept a number
    as text: an identity number pasted from a chat app often carries a zero-width space."""
    if type(cell) is not str:
        return cell
    if not cell.isascii():
        cell = cell.translate(INVISIBLE)
    stripped = cell.lstrip()
    return stripped[1:] if stripped.startswith(TEXT_MARKS) else cell


def clean_header(cell: Cell) -> str:
    text = unicodedata.normalize("NFKC", str(cell or "").translate(INVISIBLE))
    return HEADER_NOISE_RE.sub("", text.strip()).replace(" ", "")


def _known_header(cell: Cell) -> str:
    header = clean_header(cell)
    return HEADER_ALIASES.get(header, header)


def header_positions(
    cells: tuple[Cell, ...], *, row: int = HEADER_ROW
) -> tuple[list[tuple[int, str]], list[RowError], list[RowError]]:
    """Where each known column is, the header's problems, and one warning naming the columns
    that are not read (all on the header's row)."""
    positions: list[tuple[int, str]] = []
    errors: list[RowError] = []
    unknown: list[str] = []
    seen: set[str] = set()
    for index, cell in enumerate(cells):
        header = _known_header(cell)
        if not header or header in IGNORED_HEADERS:
            continue
        column = COLUMN_BY_HEADER.get(header)
        if column is None:
            # A file without its header has a person's row here: the numbers are masked.
            unknown.append(mask_numbers(" ".join(str(cell).split())))
        elif header in seen:
            errors.append(RowError(row, header, gettext("列「%(header)s」出现了两次") % {"header": header}))
        else:
            seen.add(header)
            positions.append((index, column.key))
    for column in COLUMNS:
        if column.required and column.header not in seen:
            errors.append(RowError(row, column.header, gettext("缺少必填列「%(header)s」") % {"header": column.header}))
    warnings = (
        [RowError(row, "", gettext("以下列不在导入范围内，未导入：%(fields)s") % {"fields": "、".join(unknown)})]
        if unknown
        else []
    )
    return positions, errors, warnings


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
    if SERIAL_RE.match(text):  # an Excel date that lost its format on the way to CSV
        return _date_from_number(float(text))
    match = DATE_RE.match(text) or COMPACT_DATE_RE.match(text)
    if match is None:
        return None
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


def parse_month(cell: Cell) -> tuple[int, int] | None:
    """(year, month) of a 出生年月 such as 1988.11, 1988-11, 1988年11月 or 198811. A number
    cell 1988.1 is October: Excel dropped the zero the officer typed."""
    if isinstance(cell, float) and 1900 <= cell < 2100:
        return int(cell), round((cell - int(cell)) * 100)
    match = MONTH_RE.match(cell_text(cell))
    if match is None:
        return None
    year, month = (int(part) for part in match.groups() if part is not None)
    return year, month


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
        national = national_columns(raw, id_number, problems)
        if problems or employer_id is None or joined_on is None:
            return None, problems, id_number
        row = RosterRow(
            number, id_number, name, mobile, employer_id, joined_on, household, education, skill, migrant, *national
        )
        return row, problems, id_number

    def _name(self, cell: Cell, problems: Problems) -> str:
        name = cell_text(cell)
        if not name:
            problems.append(("姓名", gettext("姓名不能为空")))
        elif len(name) > 50:
            problems.append(("姓名", gettext("姓名过长，最多50个字")))
        return name

    def _id_number(self, cell: Cell, problems: Problems, warnings: Problems) -> str:
        if isinstance(cell, int | float) and not isinstance(cell, bool):
            if not _is_old_id_number(cell):
                # Excel keeps 15 significant digits, so the last three digits are already lost.
                problems.append(
                    ("身份证号", gettext("身份证号被存成了数字（Excel 只保留15位），请把该列设为文本后重新填写"))
                )
                return ""
            cell = str(int(cell))  # an old 15-digit number fits whole in Excel's 15 digits
        number = id_number_text(cell)
        if not number:
            problems.append(("身份证号", gettext("身份证号不能为空")))
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
            problems.append(
                (
                    "手机号码",
                    gettext("手机号码「%(mobile)s」不对，应为11位、以13-19开头")
                    % {"mobile": mask_numbers(mobile, mobile=True)},
                )
            )
        return mobile

    def _employer(self, name_cell: Cell, uscc_cell: Cell, problems: Problems) -> int | None:
        code = cell_text(uscc_cell).replace(" ", "").upper()
        if code:
            return self._employer_by_uscc(code, problems)
        name = cell_text(name_cell)
        if not name:
            problems.append(("工作单位", gettext("工作单位不能为空")))
            return None
        key = match_key(name)
        if key not in self.employers.by_name:
            problems.append(
                (
                    "工作单位",
                    gettext("工作单位「%(value)s」不是本工会覆盖的单位，请先登记该单位或核对名称")
                    % {"value": quoted(name)},
                )
            )
            return None
        pk = self.employers.by_name[key]
        if pk is None:
            problems.append(
                (
                    "工作单位",
                    gettext("有多个名为「%(value)s」的单位，请填写统一社会信用代码") % {"value": quoted(name)},
                )
            )
        return pk

    def _employer_by_uscc(self, code: str, problems: Problems) -> int | None:
        problem = uscc_problem(code)
        if problem:
            problems.append(("统一社会信用代码", gettext("统一社会信用代码%(problem)s") % {"problem": problem}))
            return None
        pk = self.employers.by_uscc.get(code)
        if pk is None:
            problems.append(
                ("统一社会信用代码", gettext("统一社会信用代码为 %(code)s 的单位不是本工会覆盖的单位") % {"code": code})
            )
        return pk

    def _joined_on(self, cell: Cell, id_number: str, problems: Problems, warnings: Problems) -> date | None:
        on = parse_date(cell)
        if on is None:
            text = cell_text(cell)
            reason = (
                gettext("入会时间「%(value)s」无法识别，请写成 2024-03-01、2024/3/1 或 20240301")
                % {"value": quoted(text)}
                if text
                else gettext("入会时间不能为空")
            )
            problems.append(("入会时间", reason))
        elif on > self.today:
            problems.append(("入会时间", gettext("入会时间 %(day)s 晚于今天") % {"day": on.isoformat()}))
        elif id_number:
            birth = birth_date_of(id_number)
            if on < birth:
                problems.append(("入会时间", gettext("入会时间 %(day)s 早于出生日期") % {"day": on.isoformat()}))
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
            problems.append(("户籍地", gettext("户籍地过长，最多100个字")))
        return text or None

    def _choice(self, cell: Cell, header: str, codes: dict[str, str], labels: str, problems: Problems) -> str | None:
        text = cell_text(cell).replace(" ", "")
        if not text:
            return None
        if text not in codes:
            problems.append(
                (
                    header,
                    gettext("%(header)s「%(value)s」不在可选范围内：%(labels)s")
                    % {"header": header, "value": quoted(text), "labels": labels},
                )
            )
            return None
        return codes[text]

    def _yes_no(self, cell: Cell, problems: Problems) -> bool | None:
        if isinstance(cell, bool):
            return cell
        text = cell_text(cell).upper()
        if not text:
            return None
        if text not in YES_NO:
            problems.append(
                (
                    "是否农民工",
                    gettext("是否农民工应填“是”或“否”，不能填「%(value)s」") % {"value": quoted(cell_text(cell))},
                )
            )
            return None
        return YES_NO[text]


# --- the national real-name system's columns ------------------------------------------------


def national_columns(
    raw: RawRow, id_number: str, problems: Problems
) -> tuple[str | None, str | None, str | None, str | None]:
    """民族, 政治面貌, 部门 and 岗位/职务 as stored; 性别 and 出生日期 checked against the
    identity number (a contradiction means one of them is wrong, and the number decides
    everything the registry derives)."""
    ethnicity = _ethnicity(raw.get("ethnicity"), problems)
    political = _political_status(raw.get("political_status"), problems)
    department = _short_text(raw.get("department"), "部门", problems)
    post, duty = cell_text(raw.get("post")), cell_text(raw.get("duty"))
    job_title = _short_text(" / ".join(part for part in (post, duty) if part), "岗位/职务", problems)
    if id_number:
        birth, sex = birth_date_and_sex(id_number)
        _sex_agrees(raw.get("sex"), sex, problems)
        _birth_date_agrees(raw.get("birth_date"), birth, problems)
    return ethnicity, political, department, job_title


def _ethnicity(cell: Cell, problems: Problems) -> str | None:
    text = cell_text(cell).replace(" ", "")
    if not text:
        return None
    if text not in ETHNICITY_NAMES:
        problems.append(
            ("民族", gettext("民族「%(value)s」不是56个民族的名称，请填写如“汉族”“回族”") % {"value": quoted(text)})
        )
        return None
    return ETHNICITY_NAMES[text]


def _political_status(cell: Cell, problems: Problems) -> str | None:
    text = cell_text(cell).replace(" ", "")
    if not text:
        return None
    code = POLITICAL_CODES.get(text)
    if code is None:
        problems.append(
            (
                "政治面貌",
                gettext("政治面貌「%(value)s」不在可选范围内：%(choices)s")
                % {"value": quoted(text), "choices": POLITICAL_LABELS},
            )
        )
        return None
    return str(code)


def _short_text(cell: Cell, header: str, problems: Problems) -> str | None:
    text = cell_text(cell)
    if len(text) > 100:
        problems.append((header, gettext("%(header)s过长，最多100个字") % {"header": header}))
    return text or None


def _sex_agrees(cell: Cell, sex: str, problems: Problems) -> None:
    text = cell_text(cell).replace(" ", "").upper()
    if not text:
        return
    given = SEX_CODES.get(text)
    if given is None:
        problems.append(
            ("性别", gettext("性别应填“男”或“女”，不能填「%(value)s」") % {"value": quoted(cell_text(cell))})
        )
    elif given != sex:
        problems.append(
            (
                "性别",
                gettext("性别填的是「%(value)s」，身份证号显示为%(sex)s")
                % {"value": cell_text(cell), "sex": gettext(SEX_WORDS[sex])},
            )
        )


def _birth_date_agrees(cell: Cell, birth: date, problems: Problems) -> None:
    text = cell_text(cell)
    if not text:
        return
    month = None if isinstance(cell, date) else parse_month(cell)
    if month is not None:
        if month != (birth.year, birth.month):
            shown = f"{birth.year}年{birth.month}月"
            problems.append(
                (
                    "出生日期",
                    gettext("出生日期填的是「%(value)s」，身份证号显示为%(shown)s")
                    % {"value": quoted(text), "shown": shown},
                )
            )
        return
    given = parse_date(cell)
    if given is None:
        problems.append(
            ("出生日期", gettext("出生日期「%(value)s」无法识别，请写成 1988-11-05") % {"value": quoted(text)})
        )
    elif given != birth:
        problems.append(
            (
                "出生日期",
                gettext("出生日期填的是「%(day)s」，身份证号显示为%(birth)s")
                % {"day": given.isoformat(), "birth": birth.isoformat()},
            )
        )
