"""Identity numbers and ages where they arrive: a roster (its check, its job's report on the
page, the API, the command and the .xlsx), a join by an officer, the member search. Every
number that can be genuine is taken; an old 15-digit one is upgraded and flagged; a worker
under 16 on the join date is refused, one over 75 flagged."""

from __future__ import annotations

import io
import json
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from openpyxl import load_workbook

from gonghui.core.crypto import blind_index
from gonghui.core.errors import ValidationFailed
from gonghui.members import importing, services
from gonghui.members.identity import make_id_number, make_old_id_number
from gonghui.members.importing import import_job_submit, roster_check
from gonghui.members.models import ImportStatus, Membership, Person
from gonghui.members.selectors import MemberFilter, membership_list
from gonghui.members.tests.rosterfiles import HEADERS, csv_bytes, xlsx_bytes
from gonghui.testing import new_id_number

TODAY = date(2025, 6, 30)
UPGRADED = "15位旧身份证号已按国家标准升为18位，请与本人身份证核对"


def check(fed, rows, *, content=None, filename="名册.csv"):
    data = content if content is not None else csv_bytes([HEADERS, *rows])
    return roster_check(union=fed.union_a1, file=io.BytesIO(data), filename=filename, today=TODAY)


def submit(fed, rows, *, content=None, filename="名册.csv"):
    return import_job_submit(
        scope=fed.scope(fed.union_a1_officer),
        union=fed.union_a1,
        uploaded_file=io.BytesIO(content if content is not None else csv_bytes([HEADERS, *rows])),
        filename=filename,
        run_inline=True,
    )


# Workers of a Haining workforce, born 1950-1988, their cards issued under the codes of the
# day: the city's own (older than some of their holders' birth years' tables) and retired ones.
WORKFORCE = [
    ("沈国强", "330481198811052027", "2010-07-01"),  # Haining city code; its table dates from 1989
    ("陆建华", make_id_number(region="330481", birth=date(1975, 3, 2), sequence=5, sex="M"), "1998-09-01"),
    ("朱美芳", make_id_number(region="330423", birth=date(1962, 8, 8), sequence=6, sex="F"), "1985-04-01"),  # 海宁县
    ("钱卫东", make_id_number(region="330402", birth=date(1955, 1, 20), sequence=7, sex="M"), "1980-01-01"),
    ("吴丽萍", make_id_number(region="330425", birth=date(1968, 6, 1), sequence=8, sex="F"), "1990-03-01"),  # 桐乡县
    ("许志明", make_id_number(region="330103", birth=date(1950, 2, 2), sequence=9, sex="M"), "1972-05-01"),  # 下城区
    ("顾佩芬", make_id_number(region="310103", birth=date(1958, 10, 3), sequence=4, sex="F"), "2003-11-01"),  # 卢湾区
    ("曹振华", make_id_number(region="310108", birth=date(1986, 12, 24), sequence=3, sex="M"), "2012-02-01"),  # 闸北区
]


def test_numbers_under_todays_and_retired_region_codes_are_all_imported(fed):
    rows = [[name, number, "", fed.employer_a1.name, joined] for name, number, joined in WORKFORCE]
    job = submit(fed, rows)
    assert (job.status, job.created_count, job.errors, job.warnings) == (ImportStatus.DONE, len(WORKFORCE), [], [])
    stored = set(Person.objects.filter(name__in=[n for n, _, _ in WORKFORCE]).values_list("id_number_hash", flat=True))
    assert stored == {blind_index(number) for _, number, _ in WORKFORCE}


def test_an_old_15_digit_number_is_imported_upgraded_with_a_warning(fed):
    birth = date(1963, 4, 9)
    old = make_old_id_number(region="330423", birth=birth, sequence=21, sex="F")
    job = submit(fed, [["蒋月娥", old, "", fed.employer_a1.name, "1984-05-01"]])
    assert (job.status, job.created_count, job.error_count) == (ImportStatus.DONE, 1, 0)
    assert (job.warning_count, job.warnings) == (1, [{"row": 2, "column": "身份证号", "message": UPGRADED}])
    person = Person.objects.get(name="蒋月娥")
    assert person.id_number == make_id_number(region="330423", birth=birth, sequence=21, sex="F")
    assert (person.birth_date, person.sex) == (birth, "F")


def test_an_old_number_finds_the_person_stored_under_its_18_digit_form(fed):
    person = fed.member_a1.person
    old = person.id_number[:6] + person.id_number[8:17]
    result = check(fed, [[person.name, old, "", fed.employer_a1.name, "2024-03-01"]])
    assert [tuple(e) for e in result.errors] == [(2, "身份证号", "该职工已是本工会会员")]
    assert [tuple(w) for w in result.warnings] == [(2, "身份证号", UPGRADED)]
    scope = fed.scope(fed.town_a_staff)
    assert [m.pk for m in membership_list(scope=scope, filters=MemberFilter(query=old))] == [fed.member_a1.pk]


def test_a_15_digit_number_and_its_18_digit_form_in_one_file_are_one_person(fed):
    number = new_id_number(birth=date(1971, 1, 1))
    rows = [["孙海", number, "", fed.employer_a1.name, "2024-03-01"]]
    rows.append(["孙海", number[:6] + number[8:17], "", fed.employer_a1.name, "2024-03-01"])
    result = check(fed, rows)
    assert [tuple(e) for e in result.errors] == [(3, "身份证号", "身份证号与第2行重复")]


def test_an_old_number_saved_by_excel_as_a_number_is_still_whole(fed):
    old = make_old_id_number(region="330481", birth=date(1966, 6, 6), sequence=2, sex="M")
    content = xlsx_bytes([HEADERS, ["韩建", int(old), "", fed.employer_a1.name, date(2001, 3, 1)]])
    result = check(fed, [], content=content, filename="名册.xlsx")
    assert (result.errors, [tuple(w) for w in result.warnings]) == ([], [(2, "身份证号", UPGRADED)])
    assert result.rows[0].id_number == make_id_number(region="330481", birth=date(1966, 6, 6), sequence=2, sex="M")
    # An 18-digit number Excel turned into a number has lost its last digits: still refused.
    content = xlsx_bytes([HEADERS, ["韩建", int(new_id_number()[:17]), "", fed.employer_a1.name, date(2001, 3, 1)]])
    assert "Excel 只保留15位" in check(fed, [], content=content, filename="名册.xlsx").errors[0].message


def test_numbers_that_cannot_be_genuine_are_errors_on_their_row(fed):
    employer = fed.employer_a1.name
    rows = [
        [
            "甲",
            make_id_number(region="990481", birth=date(1980, 1, 1), sequence=1, sex="M"),
            "",
            employer,
            "2020-01-01",
        ],
        [
            "乙",
            make_id_number(region="330481", birth=date(1899, 5, 5), sequence=1, sex="M"),
            "",
            employer,
            "2020-01-01",
        ],
        [
            "丙",
            make_id_number(region="330481", birth=date(2025, 7, 1), sequence=1, sex="M"),
            "",
            employer,
            "2020-01-01",
        ],
    ]
    result = check(fed, rows)
    assert [tuple(e) for e in result.errors] == [
        (2, "身份证号", "身份证号地区码无效：前两位「99」不是省级行政区代码"),
        (3, "身份证号", "身份证号中的出生日期早于1900年"),
        (4, "身份证号", "身份证号中的出生日期在未来"),
    ]


def test_joining_before_16_is_an_error_naming_the_age_and_over_75_a_warning(fed):
    employer = fed.employer_a1.name
    young = new_id_number(birth=date(2009, 7, 1))
    old = new_id_number(birth=date(1940, 1, 1))
    rows = [["小林", young, "", employer, "2025-06-30"], ["老周", old, "", employer, "2025-01-01"]]
    result = check(fed, rows)
    assert [tuple(e) for e in result.errors] == [(2, "入会时间", "入会时年满15岁，未满16周岁（最低就业年龄）")]
    assert [tuple(w) for w in result.warnings] == [
        (3, "入会时间", "入会时已年满85岁（超过75岁），请核对入会时间和身份证号")
    ]


def test_a_clean_file_with_warnings_is_imported_and_the_warnings_kept_with_the_job(fed, client):
    old_number = make_old_id_number(region="330423", birth=date(1958, 2, 2), sequence=1, sex="M")
    rows = [
        ["老周", new_id_number(birth=date(1940, 1, 1)), "", fed.employer_a1.name, "2024-01-01"],
        ["戴荣", old_number, "", fed.employer_a1.name, "1990-01-01"],
    ]
    job = submit(fed, rows)
    assert (job.status, job.created_count, job.warning_count) == (ImportStatus.DONE, 2, 2)
    assert [(w["row"], w["column"]) for w in job.warnings] == [(2, "入会时间"), (3, "身份证号")]
    client.force_login(fed.union_a1_officer)
    page = client.get(reverse("members:import_job", args=[job.pk])).content.decode()
    assert "已全部导入" in page and UPGRADED in page and "入会时已年满84岁" in page
    api = client.get(f"/api/v1/imports/{job.pk}").json()
    assert (api["warning_count"], api["warnings"][1]["message"]) == (2, UPGRADED)
    sheet = load_workbook(io.BytesIO(client.get(f"/api/v1/imports/{job.pk}/errors?format=xlsx").content)).worksheets[0]
    assert [row[:3] for row in sheet.iter_rows(min_row=2, values_only=True)] == [
        ("提示", 2, "入会时间"),
        ("提示", 3, "身份证号"),
    ]


def test_a_rejected_file_reports_its_warnings_beside_its_errors(fed, tmp_path):
    old_number = make_old_id_number(region="330423", birth=date(1958, 2, 2), sequence=3, sex="M")
    rows = [["戴荣", old_number, "", fed.employer_a1.name, "1990-01-01"], ["", new_id_number(), "", "", ""]]
    path = tmp_path / "名册.csv"
    path.write_bytes(csv_bytes([HEADERS, *rows]))
    out = StringIO()
    with pytest.raises(CommandError, match="发现 3 处错误"):
        call_command("import_members", str(path), "--union", fed.union_a1.code, stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == f"提示：第2行【身份证号】{UPGRADED}"
    assert lines[1:] == [
        "第3行【姓名】姓名不能为空",
        "第3行【工作单位】工作单位不能为空",
        "第3行【入会时间】入会时间不能为空",
    ]
    job = importing.ImportJob.objects.get()
    assert (job.status, job.warning_count, job.error_count) == (ImportStatus.REJECTED, 1, 3)


# --- a join by an officer --------------------------------------------------------------------


def test_member_join_refuses_a_worker_under_16_naming_the_age(fed):
    scope = fed.scope(fed.union_a1_officer)
    number = new_id_number(birth=date(2010, 2, 1))
    with pytest.raises(ValidationFailed) as caught:
        services.member_join(scope=scope, union=fed.union_a1, id_number=number, name="小李", joined_on=date(2025, 1, 5))
    assert (caught.value.message, caught.value.field) == ("入会时年满14岁，未满16周岁（最低就业年龄）", "joined_on")
    assert not Person.objects.filter(id_number_hash=blind_index(number)).exists()


def test_member_join_takes_an_old_number_and_an_older_worker_and_says_what_to_check(fed):
    scope = fed.scope(fed.union_a1_officer)
    old = make_old_id_number(region="330423", birth=date(1947, 3, 3), sequence=9, sex="M")
    joined = date(2024, 4, 1)
    membership = services.member_join(scope=scope, union=fed.union_a1, id_number=old, name="冯老", joined_on=joined)
    assert membership.person.id_number == make_id_number(region="330423", birth=date(1947, 3, 3), sequence=9, sex="M")
    assert services.member_join_check(id_number=old, joined_on=joined).warnings == [
        UPGRADED,
        "入会时已年满77岁（超过75岁），请核对入会时间和身份证号",
    ]


def test_the_join_api_returns_the_warnings(fed, client):
    client.force_login(fed.union_a1_officer)
    old = make_old_id_number(region="330481", birth=date(1970, 9, 9), sequence=4, sex="F")
    payload = {"union_id": fed.union_a1.pk, "id_number": old, "name": "褚秀英", "joined_on": "2024-05-01"}
    response = client.post("/api/v1/members", json.dumps(payload), content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["warnings"] == [UPGRADED]
    young = {**payload, "id_number": new_id_number(birth=date(2010, 1, 1)), "name": "小褚"}
    refused = client.post("/api/v1/members", json.dumps(young), content_type="application/json")
    assert (refused.status_code, refused.json()["field"]) == (400, "joined_on")
    assert "未满16周岁" in refused.json()["detail"]
    assert Membership.objects.filter(person__name="小褚").count() == 0


def test_the_detail_page_names_the_region_a_retired_code_stood_for(fed, client):
    number = make_id_number(region="330423", birth=date(1962, 8, 8), sequence=30, sex="F")
    membership = services.member_join(
        scope=fed.scope(fed.union_a1_officer), union=fed.union_a1, id_number=number, name="朱美芳", joined_on=TODAY
    )
    client.force_login(fed.union_a1_officer)
    page = client.get(reverse("members:detail", args=[membership.person_id])).content.decode()
    assert "浙江省嘉兴市海宁县" in page
