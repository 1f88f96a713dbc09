import io
from datetime import date

import pytest
from openpyxl import load_workbook

from gonghui.core.errors import Forbidden, ValidationFailed
from gonghui.core.masking import mask_id_number, mask_mobile
from gonghui.core.models import AuditEntry
from gonghui.members.exports import import_errors_xlsx, members_export_xlsx, roster_template
from gonghui.members.models import ImportJob
from gonghui.members.roster import TEMPLATE_COLUMNS, read_roster
from gonghui.members.selectors import MemberFilter
from gonghui.testing import make_member


def sheet_rows(content: bytes, sheet: int = 0) -> list[tuple]:
    book = load_workbook(io.BytesIO(content), read_only=True)
    return list(book.worksheets[sheet].iter_rows(values_only=True))


def test_member_list_exports_with_numbers_masked_and_an_audit_entry(fed):
    person = fed.member_b1.person
    content = members_export_xlsx(scope=fed.scope(fed.city_staff), filters=MemberFilter(migrant_only=True))
    header, *rows = sheet_rows(content)
    assert header[:5] == ("姓名", "身份证号", "性别", "出生日期", "手机号码")
    assert len(rows) == 1
    row = dict(zip(header, rows[0], strict=True))
    assert (row["姓名"], row["身份证号"], row["手机号码"]) == (
        "李娜",
        mask_id_number(person.id_number),
        mask_mobile(person.mobile),
    )
    assert (row["性别"], row["所在工会"], row["状态"], row["是否农民工"]) == ("女", "许村家纺工会", "在会", "是")
    assert row["入会时间"].date() == date(2022, 3, 1)
    assert person.id_number not in str(rows)
    audit = AuditEntry.objects.get(action=AuditEntry.Action.EXPORT)
    assert audit.actor == fed.city_staff
    assert (audit.detail["rows"], audit.detail["filter"]["migrant_only"]) == (1, True)


def test_an_export_holds_only_the_scopes_members(fed):
    make_member(union=fed.union_a2, name="张三")
    content = members_export_xlsx(scope=fed.scope(fed.town_b_staff), filters=MemberFilter())
    names = [row[0] for row in sheet_rows(content)[1:]]
    assert names == ["李娜"]
    content = members_export_xlsx(scope=fed.scope(fed.town_a_staff), filters=MemberFilter(union=fed.union_a1))
    assert [row[0] for row in sheet_rows(content)[1:]] == ["张伟"]


def test_a_member_cannot_export_lists(fed):
    with pytest.raises(Forbidden):
        members_export_xlsx(scope=fed.scope(fed.member_user), filters=MemberFilter())
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT).exists()


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_template_has_the_headers_and_an_example_row_the_reader_accepts(fmt):
    content = roster_template(fmt)
    errors, rows, warnings = read_roster(io.BytesIO(content), filename=f"模板.{fmt}")
    assert (errors, warnings) == ([], [])
    (number, example) = next(rows)
    assert (number, example["name"], example["joined_on"]) == (2, "张三", "2024-03-01")


def test_the_xlsx_template_explains_each_column_and_keeps_numbers_as_text():
    content = roster_template("xlsx")
    header, example = sheet_rows(content)
    assert list(header) == [column.header for column in TEMPLATE_COLUMNS]
    notes = sheet_rows(content, sheet=1)
    assert notes[0] == ("列名", "是否必填", "说明")
    assert [row[:2] for row in notes[1:3]] == [("姓名", "必填"), ("身份证号", "必填")]
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    assert sheet["B2"].number_format == "@"
    assert sheet.column_dimensions["B"].number_format == "@"


def test_the_csv_template_opens_in_excel_as_utf8():
    assert roster_template("csv").startswith("\ufeff姓名,身份证号".encode())


def test_an_unknown_template_format_is_refused():
    with pytest.raises(ValidationFailed):
        roster_template("xls")


def test_the_error_report_as_xlsx_lists_each_error_and_warning_and_what_was_left_out(fed):
    job = ImportJob(
        union=fed.union_a1,
        filename="a.csv",
        error_count=3,
        errors=[{"row": 2, "column": "姓名", "message": "姓名不能为空"}, {"row": 5, "column": "", "message": "x"}],
        warning_count=2,
        warnings=[{"row": 3, "column": "身份证号", "message": "15位身份证号已按国家标准升为18位，请核对"}],
    )
    rows = sheet_rows(import_errors_xlsx(job))
    assert rows == [
        ("类型", "行号", "列", "说明"),
        ("错误", 2, "姓名", "姓名不能为空"),
        ("错误", 5, None, "x"),
        ("错误", None, None, "……另有 1 处错误未列出"),
        ("提示", 3, "身份证号", "15位身份证号已按国家标准升为18位，请核对"),
        ("提示", None, None, "……另有 1 处提示未列出"),
    ]
