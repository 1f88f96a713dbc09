"""Checks for resident identity numbers and mobile numbers, with messages in Chinese."""

import re
from datetime import date

from stdnum import exceptions as stdnum_errors
from stdnum.cn import ric

from gonghui.core.errors import ValidationFailed

# Mainland mobile numbers: 11 digits starting 13-19. python-stdnum has no module for
# phone numbers and the whole phonenumbers database is heavy for one pattern.
MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")


def id_number_problem(value: str) -> str | None:
    """Why an identity number is invalid, in Chinese, or None if it is valid."""
    try:
        ric.validate(value)
    except stdnum_errors.InvalidChecksum:
        return "校验位错误"
    except stdnum_errors.InvalidLength:
        return "位数不对，应为18位"
    except stdnum_errors.InvalidComponent:
        return "出生日期或地区码无效"
    except stdnum_errors.ValidationError:
        return "格式错误"
    if ric.get_birth_date(value) > date.today():
        return "出生日期在未来"
    return None


def normalise_id_number(value: str) -> str:
    return ric.compact(value or "").upper()


def check_id_number(value: str, *, field: str = "id_number") -> str:
    number = normalise_id_number(value)
    problem = id_number_problem(number)
    if problem:
        raise ValidationFailed(f"身份证号{problem}", field=field)
    return number


def birth_date_of(id_number: str) -> date:
    return ric.get_birth_date(id_number)


def sex_of(id_number: str) -> str:
    # The 17th digit is odd for men and even for women (GB 11643).
    return "M" if int(id_number[16]) % 2 else "F"


def normalise_mobile(value: str) -> str:
    digits = re.sub(r"[\s-]", "", value or "")
    return digits[3:] if digits.startswith("+86") else digits


def check_mobile(value: str, *, field: str = "mobile") -> str:
    number = normalise_mobile(value)
    if number and not MOBILE_RE.match(number):
        raise ValidationFailed("手机号码应为11位，以13-19开头", field=field)
    return number


def make_id_number(*, region: str, birth: date, sequence: int, sex: str) -> str:
    """A valid identity number, for demo data and tests (region: 6 digits)."""
    seq = sequence % 500 * 2 + (1 if sex == "M" else 0)
    body = f"{region}{birth:%Y%m%d}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")  # it expects a number with a check digit slot
