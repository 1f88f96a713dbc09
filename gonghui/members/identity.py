"""Resident identity numbers (GB 11643) and mobile numbers: one check for each.

An identity number's region code records where the number was issued, not where or when its
holder was born: numbers were first issued in the mid-1980s to people of every age, and people
keep their number when region codes are later changed or retired. So the check does not ask
whether the six-digit code existed in the birth year (python-stdnum's ric.validate does, and
refuses genuine numbers: 330481 for a Haining worker born in 1988, codes retired since); it
asks that the first two digits are a province that exists. The region's name is looked up
in every edition of the table stdnum ships, for display only.

Old 15-digit numbers (no century, no check digit) are upgraded by the national rule, with a
warning to check the result against the card."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import NamedTuple

from django.utils.translation import gettext
from stdnum import numdb
from stdnum.cn import ric

from gonghui.core.errors import ValidationFailed
from gonghui.core.mobiles import MOBILE_FORM, MOBILE_RE

EARLIEST_BIRTH = date(1900, 1, 1)
# The residence permits of Hong Kong, Macao and Taiwan residents (2018) carry numbers of the
# same form starting 810000, 820000 and 830000; 83 is in no edition of the region table.
PERMIT_PROVINCES = frozenset({"81", "82", "83"})
_SEPARATORS = str.maketrans("", "", " -\t\u3000")


class IdNumberCheck(NamedTuple):
    """What the check found: the number as stored (18 characters; "" when the value cannot be
    a genuine number), why not (a whole sentence), and whether it came from 15 digits."""

    number: str
    problem: str | None
    upgraded: bool = False

    @property
    def warnings(self) -> list[str]:
        """What to check although the number is accepted, in the active language."""
        return [gettext("15位旧身份证号已按国家标准升为18位，请与本人身份证核对")] if self.upgraded else []


class IdNumber(NamedTuple):
    """An accepted identity number and what to check about it."""

    number: str
    warnings: list[str]


def normalise_id_number(value: str) -> str:
    """Without spaces or hyphens, upper case, full-width digits made plain; invisible
    characters (zero-width spaces, a byte-order mark) pasted along with it removed."""
    value = value or ""
    if value.isalnum() and value.isascii():  # nearly every number: the quick way first
        return value.upper()
    if not value.isascii():
        value = "".join(c for c in unicodedata.normalize("NFKC", value) if unicodedata.category(c) != "Cf")
    return value.translate(_SEPARATORS).upper()


def upgrade_15_digits(number: str) -> str:
    """An old 15-digit number as 18 digits (GB 11643): "19" before the two-digit birth year,
    then the check digit. The caller checks the digits."""
    body = f"{number[:6]}19{number[6:]}"
    return body + ric.calc_check_digit(body + "0")  # it expects a number with a check digit slot


def id_number_check(value: str, *, today: date | None = None) -> IdNumberCheck:
    """The one check of an identity number, for the import, the forms, the API and /join/.
    Cheap enough for a quarter of a million rows: no region table is read."""
    number = normalise_id_number(value)
    upgraded = False
    if len(number) == 15:
        if not _digits(number):
            return IdNumberCheck("", gettext("身份证号为15位旧号码时应全部为数字"))
        number, upgraded = upgrade_15_digits(number), True
    problem = _problem(number, today or date.today())
    return IdNumberCheck("", problem, upgraded) if problem else IdNumberCheck(number, None, upgraded)


def _problem(number: str, today: date) -> str | None:
    # In the order a person checks a card: its length, its characters, the check digit, then
    # what the digits say.
    if len(number) != 18:
        return gettext("身份证号位数不对，应为18位")
    if not _digits(number[:17]):
        return gettext("身份证号格式错误：前17位应为数字，最后一位为数字或X")
    if number[17] != ric.calc_check_digit(number):
        return gettext("身份证号校验位错误")
    if number[:2] not in provinces():
        return gettext("身份证号地区码无效：前两位「%(code)s」不是省级行政区代码") % {"code": number[:2]}
    try:
        birth = _birth_date(number)
    except ValueError:
        return gettext("身份证号中的出生日期无效（第7至14位）")
    if birth < EARLIEST_BIRTH:
        return gettext("身份证号中的出生日期早于1900年")
    if birth > today:
        return gettext("身份证号中的出生日期在未来")
    return None


def id_number_problem(value: str, *, today: date | None = None) -> str | None:
    """Why a value cannot be a genuine identity number, or None: id_number_check's answer."""
    return id_number_check(value, today=today).problem


def check_id_number(value: str, *, field: str = "id_number", today: date | None = None) -> IdNumber:
    """The normalised number and its warnings; ValidationFailed (on `field`) if it cannot be
    genuine."""
    check = id_number_check(value, today=today)
    if check.problem:
        raise ValidationFailed(check.problem, field=field)
    return IdNumber(check.number, check.warnings)


def _digits(text: str) -> bool:
    # str.isdigit alone takes other scripts' digits too; stdnum's isdigits is a Python loop.
    return text.isascii() and text.isdigit()


def _birth_date(number: str) -> date:
    # ric.get_birth_date without its compact(), which costs more than the date itself.
    return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def birth_date_and_sex(number: str) -> tuple[date, str]:
    """Birth date and sex of an already checked, normalised number, cheaply (for bulk work)."""
    return _birth_date(number), sex_of(number)


def birth_date_of(id_number: str) -> date:
    return _birth_date(id_number)


def sex_of(id_number: str) -> str:
    # The 17th digit is odd for men and even for women (GB 11643).
    return "M" if int(id_number[16]) % 2 else "F"


# --- the region table ------------------------------------------------------------------------


@dataclass(frozen=True)
class Region:
    """A region code as every edition of the table knows it: its names, oldest first, each
    with the years it was in use (None: open-ended)."""

    code: str
    names: tuple[tuple[int | None, int | None, str], ...]

    @property
    def name(self) -> str:
        return self.names[-1][2]

    @property
    def retired(self) -> int | None:
        """The last year the code was in use, if it is no longer."""
        return self.names[-1][1]


@cache
def _table() -> tuple[dict[str, str], dict[str, Region]]:
    """Province names by two-digit code and regions by six-digit code, read once from
    python-stdnum's cn/loc table (the one ric.get_birth_place reads)."""
    province_names: dict[str, str] = {}
    regions: dict[str, Region] = {}
    for _, province, _, props, children in numdb.get("cn/loc").prefixes:
        province_names[province] = props.get("province", "")
        for _, low, high, county, _ in children:
            if low == high and "county" in county:
                code = province + low
                regions[code] = Region(code, _editions(county["county"]))
    return province_names, regions


def _editions(text: str) -> tuple[tuple[int | None, int | None, str], ...]:
    """'[1983-1992]城区,[1993-2004]秀城区,[2005-]南湖区' as (from, to, name) triples."""
    editions = []
    for part in text.split(","):
        start = end = None
        if part.startswith("["):
            years, part = part[1:].split("]", 1)
            first, _, last = years.partition("-")
            start, end = (int(first) if first else None), (int(last) if last else None)
        editions.append((start, end, part))
    return tuple(editions)


def region_of(code: str) -> Region | None:
    """A six-digit region code as every edition of the table knows it, if any does."""
    return _table()[1].get(code)


@cache
def provinces() -> frozenset[str]:
    """The province-level codes an identity number may start with."""
    return frozenset(_table()[0]) | PERMIT_PROVINCES


# Prefecture entries that are groupings, not places, and are left out of a full name.
_GROUPINGS = ("市辖区", "县")
_GROUPING_ENDS = ("直辖县级行政单位", "直辖县级行政区划")


@cache
def region_name(code: str) -> str | None:
    """The place a region code stands for, in full ("浙江省嘉兴市海宁县"), under the latest name
    any edition of the table gives it; None if no edition knows the code."""
    province_names, regions = _table()
    region = regions.get(code)
    if region is None:
        return None
    province = province_names.get(code[:2], "")
    if code.endswith("0000"):
        return province or region.name
    prefecture = regions.get(code[:4] + "00")
    middle = prefecture.name if prefecture and not code.endswith("00") else ""
    if middle in _GROUPINGS or middle.endswith(_GROUPING_ENDS) or middle == region.name:
        middle = ""
    return f"{province}{middle}{region.name}"


def id_region_name(id_number: str) -> str | None:
    """Where a number was issued, by its first six digits, if any edition of the table knows."""
    return region_name(id_number[:6]) if len(id_number) >= 6 else None


# --- mobiles and test numbers ------------------------------------------------------------------

# The country code as rosters write it: +86, (+86), 0086, or 86 before the eleven digits.
COUNTRY_CODE_RE = re.compile(r"^(?:\+86|0086|86(?=1\d{10}$))")


def normalise_mobile(value: str) -> str:
    digits = re.sub(r"[\s\-()（）\u00a0]", "", value or "")
    return COUNTRY_CODE_RE.sub("", digits, count=1)


def check_mobile(value: str, *, field: str = "mobile") -> str:
    number = normalise_mobile(value)
    if number and not MOBILE_RE.match(number):
        raise ValidationFailed(gettext(MOBILE_FORM), field=field)
    return number


def make_id_number(*, region: str, birth: date, sequence: int, sex: str) -> str:
    """A valid identity number, for demo data and tests (region: 6 digits)."""
    seq = sequence % 500 * 2 + (1 if sex == "M" else 0)
    body = f"{region}{birth:%Y%m%d}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")  # it expects a number with a check digit slot


def make_old_id_number(*, region: str, birth: date, sequence: int, sex: str) -> str:
    """The 15-digit number the same person would have carried before 1999 (birth 1900-1999)."""
    number = make_id_number(region=region, birth=birth, sequence=sequence, sex=sex)
    return number[:6] + number[8:17]
