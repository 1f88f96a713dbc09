"""Identifiers of organisations and employers: the federation's own organisation codes and
the state's unified social credit codes."""

import re
import unicodedata

from django.db.models import Value
from django.db.models.functions import Replace, Upper
from django.utils.translation import gettext
from stdnum import exceptions as stdnum_errors
from stdnum.cn import uscc

from gonghui.core.errors import ValidationFailed

# --- organisation codes ("HN-XF-0001": city, town, serial) --------------------------------

CODE_MAX_LENGTH = 32
CODE_PATTERN = re.compile(r"[A-Z0-9]+(?:-[A-Z0-9]+)*")
CODE_FORMAT_MESSAGE = "组织代码只能由大写字母、数字和连字符组成，如 HN-XF-0001"
# Letters read as digits on paper and in most fonts: two codes apart only by these are
# taken for one another, so a new code may not stand to an existing one this way.
LOOK_ALIKE_DIGITS = str.maketrans("OI", "01")


def normalise_code(text: str) -> str:
    """An organisation code as stored and compared: compatibility forms folded (fullwidth
    ＨＮ－ＸＦ to HN-XF), invisible format characters dropped (bidi overrides, zero-width
    spaces, byte-order marks: unicodedata category Cf), any dash made a hyphen, upper case."""
    folded = unicodedata.normalize("NFKC", text or "")
    kept = (
        "-" if unicodedata.category(char) == "Pd" else char for char in folded if unicodedata.category(char) != "Cf"
    )
    return "".join(kept).strip().upper()


def code_skeleton(code: str) -> str:
    """What a code looks like to a reader: O read as 0, I as 1."""
    return normalise_code(code).translate(LOOK_ALIKE_DIGITS)


def code_skeleton_sql(field: str = "code") -> Replace:
    """code_skeleton() of a stored code, in SQL (stored codes are already normalised)."""
    return Replace(Replace(Upper(field), Value("O"), Value("0")), Value("I"), Value("1"))


def check_code(value: str, *, field: str = "code") -> str:
    """The normalised code, or a refusal if it is not letters and digits in hyphenated groups."""
    code = normalise_code(value)
    if not code:
        raise ValidationFailed(gettext("请填写组织代码"), field=field)
    if len(code) > CODE_MAX_LENGTH or not CODE_PATTERN.fullmatch(code):
        raise ValidationFailed(gettext(CODE_FORMAT_MESSAGE), field=field)
    return code


# --- unified social credit codes -----------------------------------------------------------


def uscc_problem(value: str) -> str | None:
    try:
        uscc.validate(value)
    except stdnum_errors.InvalidChecksum:
        return gettext("校验位错误")
    except stdnum_errors.InvalidLength:
        return gettext("位数不对，应为18位")
    except stdnum_errors.ValidationError:
        return gettext("格式错误")
    return None


def check_uscc(value: str, *, field: str = "uscc") -> str:
    code = uscc.compact(value or "").upper()
    problem = uscc_problem(code)
    if problem:
        raise ValidationFailed(gettext("统一社会信用代码%(problem)s") % {"problem": problem}, field=field)
    return code


def make_uscc(*, region: str, serial: int, kind: str = "91") -> str:
    """A valid credit code for demo data and tests. kind: 91 enterprise, 81 union, 12 institution."""
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    body, n = "", serial
    for _ in range(9):
        body = alphabet[n % 31] + body
        n //= 31
    code = f"{kind}{region}{body}"
    return code + uscc.calc_check_digit(code)
