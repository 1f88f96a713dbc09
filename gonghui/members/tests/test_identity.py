from datetime import date

import pytest
from stdnum.cn import ric

from gonghui.core.errors import ValidationFailed
from gonghui.members.ages import age_on, join_age_check
from gonghui.members.identity import (
    birth_date_of,
    check_id_number,
    check_mobile,
    id_number_check,
    id_region_name,
    make_id_number,
    make_old_id_number,
    region_name,
    sex_of,
)

TODAY = date(2026, 11, 25)
FEB_30 = "33048119900230001" + ric.calc_check_digit("33048119900230001" + "0")  # a correct check digit


def test_a_made_number_is_valid_and_carries_birth_date_and_sex():
    number = make_id_number(region="330481", birth=date(1992, 2, 29), sequence=12, sex="F")
    assert id_number_check(number, today=TODAY) == (number, None, False)
    assert (birth_date_of(number), sex_of(number)) == (date(1992, 2, 29), "F")


def test_the_haining_number_the_library_refuses_is_accepted():
    # Haining became a city (330481) in 1986, so python-stdnum's table, tied to the birth
    # year, refuses everyone born there before; the number is issued later to people of any age.
    number = "330481198811052027"
    assert not ric.is_valid(number)
    assert check_id_number(number, today=TODAY) == (number, [])
    assert id_region_name(number) == "浙江省嘉兴市海宁市"


@pytest.mark.parametrize(
    ("region", "birth", "place"),
    [
        ("330481", date(1975, 6, 3), "浙江省嘉兴市海宁市"),  # the city's code, older than the card's table edition
        ("330483", date(1965, 2, 14), "浙江省嘉兴市桐乡市"),  # Tongxiang's city code dates from 1993
        ("330424", date(1955, 9, 30), "浙江省嘉兴市海盐县"),
        ("330402", date(1970, 1, 1), "浙江省嘉兴市南湖区"),  # 城区, then 秀城区, then 南湖区: one code
        ("310104", date(1958, 12, 31), "上海市徐汇区"),
        ("510821", date(1988, 3, 8), "四川省广元市旺苍县"),
    ],
)
def test_numbers_of_people_born_1950_to_1988_under_todays_codes(region, birth, place):
    number = make_id_number(region=region, birth=birth, sequence=41, sex="M")
    assert check_id_number(number, today=TODAY).number == number
    assert id_region_name(number) == place


@pytest.mark.parametrize(
    ("region", "birth", "place"),
    [
        ("330423", date(1962, 4, 1), "浙江省嘉兴市海宁县"),  # before Haining became a city
        ("330425", date(1950, 1, 2), "浙江省嘉兴市桐乡县"),  # retired 1993
        ("330103", date(1979, 7, 7), "浙江省杭州市下城区"),  # merged away in 2021
        ("330104", date(1984, 10, 1), "浙江省杭州市江干区"),
        ("330107", date(1968, 5, 20), "浙江省杭州市半山区"),  # in use 1983-1990 only
        ("310103", date(1953, 8, 15), "上海市卢湾区"),  # merged into Huangpu in 2011
        ("310108", date(1986, 11, 11), "上海市闸北区"),  # merged into Jing'an in 2015
        ("310102", date(1951, 3, 3), "上海市南市区"),
    ],
)
def test_numbers_under_retired_codes_are_accepted_and_named(region, birth, place):
    number = make_id_number(region=region, birth=birth, sequence=7, sex="F")
    assert check_id_number(number, today=TODAY).number == number
    assert id_region_name(number) == place


def test_a_code_no_edition_knows_is_accepted_within_a_real_province_without_a_name():
    number = make_id_number(region="339999", birth=date(1980, 1, 1), sequence=1, sex="M")
    assert check_id_number(number, today=TODAY).number == number
    assert id_region_name(number) is None
    assert region_name("330000") == "浙江省"


def test_an_old_15_digit_number_is_upgraded_with_a_warning():
    full = make_id_number(region="330423", birth=date(1960, 5, 1), sequence=3, sex="M")
    old = make_old_id_number(region="330423", birth=date(1960, 5, 1), sequence=3, sex="M")
    assert (len(old), old) == (15, full[:6] + full[8:17])
    found = check_id_number(old, today=TODAY)
    assert found.number == full
    assert found.warnings == ["15位旧身份证号已按国家标准升为18位，请与本人身份证核对"]
    assert check_id_number(full, today=TODAY).warnings == []


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("33048119900101001", "身份证号位数不对，应为18位"),
        ("3304811990010100AX", "身份证号格式错误：前17位应为数字，最后一位为数字或X"),
        ("33042360050100A", "身份证号为15位旧号码时应全部为数字"),
        (make_id_number(region="990481", birth=date(1980, 1, 1), sequence=1, sex="M"), "「99」不是省级行政区代码"),
        (make_id_number(region="000000", birth=date(1980, 1, 1), sequence=1, sex="M"), "「00」不是省级行政区代码"),
        (make_id_number(region="330481", birth=date(1899, 12, 31), sequence=1, sex="M"), "出生日期早于1900年"),
        (make_id_number(region="330481", birth=date(2026, 11, 26), sequence=1, sex="M"), "出生日期在未来"),
        (FEB_30, "出生日期无效"),
    ],
)
def test_numbers_that_cannot_be_genuine_say_why(value, message):
    check = id_number_check(value, today=TODAY)
    assert check.number == ""
    assert message in (check.problem or "")


def test_the_first_day_of_1900_and_today_are_accepted():
    for birth in (date(1900, 1, 1), TODAY):
        number = make_id_number(region="330481", birth=birth, sequence=1, sex="M")
        assert id_number_check(number, today=TODAY).problem is None


def test_wrong_check_digit():
    number = make_id_number(region="330481", birth=date(1990, 1, 1), sequence=3, sex="M")
    wrong = number[:-1] + ("1" if number[-1] == "0" else "0")
    with pytest.raises(ValidationFailed, match="校验位错误") as caught:
        check_id_number(wrong, field="applicant_id")
    assert caught.value.field == "applicant_id"


def test_lowercase_x_spaces_full_width_digits_and_invisible_characters_are_accepted():
    number = next(
        n
        for n in (make_id_number(region="330481", birth=date(1990, 1, 1), sequence=i, sex="M") for i in range(100))
        if n.endswith("X")
    )
    assert check_id_number(" " + number.lower()).number == number
    spaced = f"{number[:6]} {number[6:14]}-{number[14:]}"
    assert check_id_number(spaced).number == number
    wide = number[:17].translate(str.maketrans("0123456789", "０１２３４５６７８９")) + "ｘ"
    assert check_id_number(wide).number == number
    assert check_id_number("\u200b" + number + "\ufeff").number == number


def test_ages_at_joining():
    birth = date(2008, 3, 1)
    assert age_on(birth, date(2024, 2, 29)) == 15
    assert age_on(birth, date(2024, 3, 1)) == 16
    assert join_age_check(birth, date(2024, 2, 29)).problem == "入会时年满15岁，未满16周岁（最低就业年龄）"
    assert join_age_check(birth, date(2024, 3, 1)) == (None, None)
    old = date(1948, 6, 1)
    assert join_age_check(old, date(2024, 5, 31)) == (None, None)  # 75: not over 75
    assert join_age_check(old, date(2024, 6, 1)) == (None, "入会时已年满76岁（超过75岁），请核对入会时间和身份证号")


def test_mobile_numbers():
    assert check_mobile("+86 139-1234-5678") == "13912345678"
    assert check_mobile("") == ""
    with pytest.raises(ValidationFailed, match="11位"):
        check_mobile("12912345678")
