from datetime import date

import pytest

from gonghui.core.errors import ValidationFailed
from gonghui.members.identity import (
    birth_date_of,
    check_id_number,
    check_mobile,
    id_number_problem,
    make_id_number,
    sex_of,
)


def test_a_made_number_is_valid_and_carries_birth_date_and_sex():
    number = make_id_number(region="330481", birth=date(1992, 2, 29), sequence=12, sex="F")
    assert id_number_problem(number) is None
    assert (birth_date_of(number), sex_of(number)) == (date(1992, 2, 29), "F")


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("33048119900101001", "位数不对"),
        ("330481199002300013", "出生日期或地区码无效"),
        ("33048119800101001X", "出生日期或地区码无效"),  # Haining's code dates from 1986
    ],
)
def test_bad_numbers_say_why(value, reason):
    assert reason in (id_number_problem(value) or "")


def test_wrong_check_digit():
    number = make_id_number(region="330481", birth=date(1990, 1, 1), sequence=3, sex="M")
    wrong = number[:-1] + ("1" if number[-1] == "0" else "0")
    with pytest.raises(ValidationFailed, match="校验位错误"):
        check_id_number(wrong)


def test_lowercase_x_and_spaces_are_accepted():
    number = next(
        n
        for n in (make_id_number(region="330481", birth=date(1990, 1, 1), sequence=i, sex="M") for i in range(100))
        if n.endswith("X")
    )
    assert check_id_number(" " + number.lower()) == number


def test_mobile_numbers():
    assert check_mobile("+86 139-1234-5678") == "13912345678"
    assert check_mobile("") == ""
    with pytest.raises(ValidationFailed, match="11位"):
        check_mobile("12912345678")
