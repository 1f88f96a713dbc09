from stdnum import exceptions as stdnum_errors
from stdnum.cn import uscc

from gonghui.core.errors import ValidationFailed


def uscc_problem(value: str) -> str | None:
    try:
        uscc.validate(value)
    except stdnum_errors.InvalidChecksum:
        return "校验位错误"
    except stdnum_errors.InvalidLength:
        return "位数不对，应为18位"
    except stdnum_errors.ValidationError:
        return "格式错误"
    return None


def check_uscc(value: str, *, field: str = "uscc") -> str:
    code = uscc.compact(value or "").upper()
    problem = uscc_problem(code)
    if problem:
        raise ValidationFailed(f"统一社会信用代码{problem}", field=field)
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
