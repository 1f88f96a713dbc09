"""Officers' files as they are (issue 8, parts 4 and 5): a title row above the header, an
instructions sheet before the roster, the national real-name system's columns, invisible
characters, phones with a country code, and .xls and .ods as well as .xlsx and .csv."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from gonghui.core.crypto import blind_index
from gonghui.core.errors import Conflict, ValidationFailed
from gonghui.members import spreadsheets
from gonghui.members.importing import import_job_retry, import_job_submit, roster_check
from gonghui.members.models import ImportJob, ImportStatus, Membership, Person, PoliticalStatus
from gonghui.members.roster import HEADER_SCAN_ROWS, NO_HEADER, RowError, read_roster
from gonghui.members.spreadsheets import CELL_BUDGET, TOO_WIDE, RosterFileError, open_book
from gonghui.members.tests.rosterfiles import (
    FIXTURE_ROWS,
    HEADERS,
    INSTRUCTIONS,
    NATIONAL_HEADERS,
    csv_bytes,
    fixture,
    national_row,
    person_row,
    workbook_bytes,
)
from gonghui.testing import new_id_number

TODAY = date(2025, 6, 30)
TITLE = "海宁中国皮革城股份有限公司工会会员花名册"
UNREAD = "以下列不在导入范围内，未导入：备注"


def check_file(fed, content: bytes, filename: str, **kwargs):
    return roster_check(union=fed.union_a1, file=io.BytesIO(content), filename=filename, today=TODAY, **kwargs)


def check_national(fed, rows, *, headers=NATIONAL_HEADERS):
    return check_file(fed, csv_bytes([headers, *rows]), "花名册.csv")


def triples(errors: list[RowError]) -> list[tuple[int, str, str]]:
    return [(error.row, error.column, error.message) for error in errors]


def submit(fed, content: bytes, filename: str, sheet: str = "") -> ImportJob:
    return import_job_submit(
        scope=fed.scope(fed.union_a1_officer),
        union=fed.union_a1,
        uploaded_file=io.BytesIO(content),
        filename=filename,
        sheet=sheet,
    )


def workers_of_every_age(employer: str) -> list[list]:
    """A school leaver who joined at 16, and workers of 25, 38, 51 and 64."""
    return [
        national_row(1, employer, name="周雨欣", birth=date(2008, 10, 1), joined="2024-11-01", duty="学徒工"),
        national_row(2, employer, name="韦春燕", birth=date(2000, 2, 29), ethnicity="壮族", political="共青团员"),
        national_row(3, employer, name="陈浩", birth=date(1987, 6, 18), sex="男", department="技术部", duty="工程师"),
        national_row(4, employer, name="马晓燕", birth=date(1974, 12, 24), ethnicity="回族", political="中共党员"),
        national_row(5, employer, name="沈建国", birth=date(1961, 3, 12), sex="男", joined="1984-07-01"),
    ]


# --- the roster in each format: made by LibreOffice ---------------------------------------------


@pytest.mark.parametrize("kind", ["xlsx", "xls", "ods"])
def test_a_roster_saved_by_office_software_as_xlsx_xls_or_ods_imports_every_worker(fed, kind):
    """Given the same roster saved as .xlsx, .xls and .ods: an instructions sheet first, then a
    merged title row, a note row, the header on row 3, the national column order with 序号,
    性别, 出生日期, 民族, 政治面貌, 部门, 职务 and 备注; workers aged 16 to 64."""
    job = submit(fed, fixture(kind), f"会员花名册.{kind}")
    assert (job.status, job.total_rows, job.created_count, job.error_count) == (
        ImportStatus.DONE,
        FIXTURE_ROWS,
        FIXTURE_ROWS,
        0,
    ), job.errors
    assert [(w["row"], w["message"]) for w in job.warnings] == [(3, UNREAD)]
    people = {p.name: p for p in Person.objects.filter(memberships__import_job=job)}
    assert len(people) == FIXTURE_ROWS and "陈浩" in people  # the zero-width space is gone
    shen = people["沈建国"]
    assert (shen.ethnicity, shen.political_status, shen.mobile) == ("汉族", PoliticalStatus.CPC_MEMBER, "13905731234")
    assert (people["朱丽萍"].ethnicity, people["朱丽萍"].mobile) == ("汉族", "13957312201")  # "汉", 0086
    assert people["杨光荣"].mobile == "13812345678"  # (+86)
    assert people["郑国强"].political_status == PoliticalStatus.CDL
    assert people["韦春燕"].birth_date == date(1996, 2, 29)
    membership = shen.memberships.get()
    assert (membership.department, membership.job_title, membership.joined_on) == (
        "裁剪车间",
        "车间主任",
        date(1984, 7, 1),
    )


def trimmed(cells: tuple) -> tuple:
    end = len(cells)
    while end and cells[end - 1] is None:
        end -= 1
    return cells[:end]


def test_the_three_formats_and_both_xlsx_readers_give_the_same_rows():
    def rows(kind: str, engine: str | None = None) -> list:
        # calamine gives every row the sheet's width, openpyxl each row its own: the cells
        # past a row's last value are empty either way.
        book = open_book(io.BytesIO(fixture(kind)), kind, engine=engine)
        try:
            return [(number, trimmed(cells)) for number, cells in book.lines("会员花名册")]
        finally:
            book.close()

    xlsx = rows("xlsx")
    assert xlsx == rows("xls") == rows("ods") == rows("xlsx", engine="openpyxl")
    number, cells = xlsx[3]
    assert number == 4 and cells[:5] == (1, "沈建国", "男", cells[3], date(1961, 3, 12))


@pytest.mark.parametrize("kind", ["xls", "ods"])
def test_a_damaged_xls_or_ods_says_the_file_cannot_be_read(fed, kind):
    broken = fixture(kind)[: len(fixture(kind)) // 2]
    for content in (broken, b"not a spreadsheet at all"):
        result = check_file(fed, content, f"花名册.{kind}")
        assert triples(result.errors) == [
            (1, "文件", f"文件不是有效的 .{kind} 表格，请用 Excel 或 WPS 另存为 .xlsx 后再导入")
        ]


def test_an_xls_named_xlsx_is_read_by_what_it_is(fed):
    result = check_file(fed, fixture("xls"), "会员花名册.xlsx")
    assert (result.errors, result.total_rows) == ([], FIXTURE_ROWS)


# --- the header and the sheet ------------------------------------------------------------------


def test_the_header_is_found_below_a_title_and_a_note_row_and_errors_keep_excels_row_numbers(fed):
    employer = fed.employer_a1.name
    rows: list[list[Any]] = [
        [TITLE],
        ["填报单位：海宁中国皮革城股份有限公司工会", None, None, "填报日期：2025年6月"],
        NATIONAL_HEADERS,
        *workers_of_every_age(employer),
        national_row(6, employer, name="钱程", joined="2099-01-01"),
    ]
    result = check_file(fed, workbook_bytes([("花名册", rows)]), "花名册.xlsx")
    assert triples(result.errors) == [(9, "入会时间", "入会时间 2099-01-01 晚于今天")]
    assert triples(result.warnings) == [(3, "", UNREAD)]


def test_an_instructions_sheet_before_the_roster_sheet_is_passed_over(fed):
    content = workbook_bytes(
        [("填表说明", INSTRUCTIONS), ("会员花名册", [NATIONAL_HEADERS, *workers_of_every_age(fed.employer_a1.name)])],
        title=TITLE,
    )
    result = check_file(fed, content, "花名册.xlsx")
    assert (result.errors, result.total_rows, [row.row for row in result.rows]) == ([], 5, [3, 4, 5, 6, 7])


def test_a_note_naming_the_columns_in_one_cell_is_not_a_header(fed):
    rows = [["注：姓名、身份证号为必填项"], ["姓名 身份证号"], *[[""] * 3] * 3]
    result = check_file(fed, csv_bytes(rows), "花名册.csv")
    assert triples(result.errors) == [(1, "文件", NO_HEADER % {"rows": HEADER_SCAN_ROWS})]


def test_a_header_below_the_first_twenty_rows_is_not_looked_for(fed):
    rows = [[f"说明第{i}行"] for i in range(1, 21)] + [HEADERS, person_row(fed.employer_a1.name)]
    result = check_file(fed, csv_bytes(rows), "花名册.csv")
    assert triples(result.errors) == [(1, "文件", NO_HEADER % {"rows": HEADER_SCAN_ROWS})]


def test_a_header_with_a_required_column_missing_says_which_on_its_row(fed):
    rows = [
        [TITLE],
        ["序号", "姓名", "身份证号", "工作单位", "入会时间"],
        ["1", "王芳", new_id_number(), "x", "2024-03-01"],
    ]
    result = check_file(fed, csv_bytes(rows), "花名册.csv")
    assert triples(result.errors) == [(2, "手机号码", "缺少必填列「手机号码」")]


def two_rosters(fed) -> bytes:
    employer = fed.employer_a1.name
    this_year = [NATIONAL_HEADERS, *workers_of_every_age(employer)]
    last_year = [NATIONAL_HEADERS, national_row(1, employer, name="吴敏")]
    return workbook_bytes([("填表说明", INSTRUCTIONS), ("2025年", this_year), ("2024年", last_year)], title=TITLE)


def test_two_roster_sheets_make_the_officer_choose_and_the_kept_file_is_read_again(fed):
    # Given a workbook with this year's and last year's roster
    job = submit(fed, two_rosters(fed), "花名册.xlsx")
    # Then nothing is imported, the message names both sheets, and the file is kept
    assert (job.status, job.created_count, job.sheet_choices) == (ImportStatus.CHOOSE_SHEET, 0, ["2025年", "2024年"])
    assert job.errors == [
        {
            "row": 1,
            "column": "文件",
            "message": "工作簿中有 2 个工作表都有花名册表头：「2025年」、「2024年」，请选择要导入的工作表",
        }
    ]
    assert job.file
    # When the officer picks one that is not offered, or none
    for wrong in ("填表说明", ""):
        with pytest.raises(ValidationFailed, match="请从这些工作表中选择一个：2025年、2024年"):
            import_job_retry(scope=fed.scope(fed.union_a1_officer), import_job=job, sheet=wrong)
    # When the officer picks this year's
    job = import_job_retry(scope=fed.scope(fed.union_a1_officer), import_job=job, sheet="2025年")
    # Then that sheet is imported, once, and the file is gone
    assert (job.status, job.sheet_name, job.created_count, job.sheet_choices) == (ImportStatus.DONE, "2025年", 5, [])
    assert not job.file and Membership.objects.filter(import_job=job).count() == 5
    with pytest.raises(Conflict):
        import_job_retry(scope=fed.scope(fed.union_a1_officer), import_job=job, sheet="2025年")


def test_a_sheet_named_at_upload_is_read_and_a_missing_one_is_named(fed):
    job = submit(fed, two_rosters(fed), "花名册.xlsx", sheet="2024年")
    assert (job.status, job.created_count, job.sheet_name) == (ImportStatus.DONE, 1, "2024年")
    missing = submit(fed, two_rosters(fed), "花名册.xlsx", sheet="2023年")
    assert missing.status == ImportStatus.REJECTED
    assert (
        missing.errors[0]["message"] == "工作簿中没有名为「2023年」的工作表；有：「填表说明」、「2025年」、「2024年」"
    )


def test_a_sheet_named_for_a_csv_is_of_no_matter(fed):
    job = submit(fed, csv_bytes([HEADERS, person_row(fed.employer_a1.name)]), "花名册.csv", sheet="Sheet1")
    assert (job.status, job.created_count) == (ImportStatus.DONE, 1)


def test_another_towns_officer_cannot_choose_the_sheet(fed):
    job = submit(fed, two_rosters(fed), "花名册.xlsx")
    with pytest.raises(Exception, match="不在您的管辖范围内"):
        import_job_retry(scope=fed.scope(fed.town_b_staff), import_job=job, sheet="2025年")
    job.refresh_from_db()
    assert job.status == ImportStatus.CHOOSE_SHEET


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_job_page_offers_the_sheets_and_runs_the_chosen_one(fed):
    job = submit(fed, two_rosters(fed), "花名册.xlsx")
    client = signed_in(fed.union_a1_officer)
    page = client.get(reverse("members:import_job", args=[job.pk])).content.decode()
    assert 'name="sheet" value="2025年"' in page and 'name="sheet" value="2024年"' in page
    client.post(reverse("members:import_retry", args=[job.pk]), {"sheet": "2024年"})
    job.refresh_from_db()
    assert (job.status, job.created_count) == (ImportStatus.DONE, 1)


def test_the_api_takes_a_sheet_at_upload_and_on_retry(fed):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = signed_in(fed.union_a1_officer)
    file = SimpleUploadedFile("花名册.xlsx", two_rosters(fed))
    body = client.post("/api/v1/imports", {"union": fed.union_a1.code, "file": file}).json()
    assert (body["status"], body["sheet_choices"]) == ("choose_sheet", ["2025年", "2024年"])
    retried = client.post(f"/api/v1/imports/{body['id']}/retry", {"sheet": "2025年"}, content_type="application/json")
    assert retried.status_code == 200, retried.content
    assert (retried.json()["status"], retried.json()["created_count"]) == ("done", 5)
    outsider = signed_in(fed.town_b_staff).post(
        f"/api/v1/imports/{body['id']}/retry", {"sheet": "2025年"}, content_type="application/json"
    )
    assert outsider.status_code == 404


# --- the national real-name system's columns -----------------------------------------------------


def test_unknown_columns_are_ignored_with_one_warning_naming_them(fed):
    headers = [*HEADERS, "工号", "备注", "紧急联系人电话"]
    row = [*person_row(fed.employer_a1.name), "A0012", "夜班", "13800001111"]
    result = check_national(fed, [row], headers=headers)
    assert result.errors == [] and len(result.rows) == 1
    assert triples(result.warnings) == [(1, "", "以下列不在导入范围内，未导入：工号、备注、紧急联系人电话")]


def test_sex_and_birth_date_must_agree_with_the_identity_number(fed):
    employer = fed.employer_a1.name
    men = [new_id_number(birth=date(1988, 11, 5), sex="M") for _ in range(4)]
    headers = ["姓名", "身份证号", "性别", "出生日期", "手机号码", "工作单位", "入会时间"]
    rows = [
        ["王刚", men[0], "女", "1988-11-05", "", employer, "2024-03-01"],
        ["李强", men[1], "男", "1988-11-06", "", employer, "2024-03-01"],
        ["赵军", men[2], "男", "1988年12月", "", employer, "2024-03-01"],
        ["孙伟", men[3], "未知", "去年", "", employer, "2024-03-01"],
    ]
    result = check_national(fed, rows, headers=headers)
    assert triples(result.errors) == [
        (2, "性别", "性别填的是「女」，身份证号显示为男"),
        (3, "出生日期", "出生日期填的是「1988-11-06」，身份证号显示为1988-11-05"),
        (4, "出生日期", "出生日期填的是「1988年12月」，身份证号显示为1988年11月"),
        (5, "性别", "性别应填“男”或“女”，不能填「未知」"),
        (5, "出生日期", "出生日期「去年」无法识别，请写成 1988-11-05"),
    ]


@pytest.mark.parametrize("written", ["男", "男性", "1", "1988-11-05", "1988/11/5", "1988.11", "198811", "1988年11月"])
def test_sex_and_birth_date_written_the_usual_ways_agree(fed, written):
    number = new_id_number(birth=date(1988, 11, 5), sex="M")
    headers = ["姓名", "身份证号", "性别" if not written[0].isdigit() or written == "1" else "出生日期"]
    headers += ["手机号码", "工作单位", "入会时间"]
    result = check_national(fed, [["王刚", number, written, "", fed.employer_a1.name, "2024-03-01"]], headers=headers)
    assert result.errors == []


def test_a_birth_month_typed_as_a_number_in_excel_is_read_as_the_officer_typed_it(fed):
    number = new_id_number(birth=date(1988, 10, 5), sex="M")
    headers = ["姓名", "身份证号", "出生年月", "手机号码", "工作单位", "入会时间"]
    rows = [headers, ["王刚", number, 1988.1, "", fed.employer_a1.name, "2024-03-01"]]  # 1988.10 in Excel
    result = check_file(fed, workbook_bytes([("花名册", rows)]), "花名册.xlsx")
    assert result.errors == []


def test_ethnic_groups_are_the_56_recognised_written_with_or_without_zu(fed):
    employer = fed.employer_a1.name
    rows = [
        national_row(1, employer, ethnicity="汉"),
        national_row(2, employer, ethnicity="维吾尔族"),
        national_row(3, employer, ethnicity="汉人"),
        national_row(4, employer, ethnicity=""),
    ]
    result = check_national(fed, rows)
    assert triples(result.errors) == [(4, "民族", "民族「汉人」不是56个民族的名称，请填写如“汉族”“回族”")]
    ok = check_national(fed, [rows[0], rows[1], rows[3]])
    assert [row.ethnicity for row in ok.rows] == ["汉族", "维吾尔族", None]


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("中共党员", "01"),
        ("中国共产党党员", "01"),
        ("党员", "01"),
        ("预备党员", "02"),
        ("团员", "03"),
        ("共青团员", "03"),
        ("九三学社社员", "10"),
        ("无党派", "12"),
        ("群众", "13"),
        ("13", "13"),
    ],
)
def test_political_status_takes_gb_t_4762_names_codes_and_short_forms(fed, written, code):
    result = check_national(fed, [national_row(1, fed.employer_a1.name, political=written)])
    assert [row.political_status for row in result.rows] == [code]


def test_an_unknown_political_status_lists_the_choices(fed):
    result = check_national(fed, [national_row(1, fed.employer_a1.name, political="积极分子")])
    assert triples(result.errors) == [
        (
            2,
            "政治面貌",
            "政治面貌「积极分子」不在可选范围内：中共党员、中共预备党员、共青团员、民革会员、民盟盟员、民建会员、"
            "民进会员、农工党党员、致公党党员、九三学社社员、台盟盟员、无党派人士、群众",
        )
    ]


def test_post_and_duty_both_given_are_kept_together_and_department_is_kept(fed):
    headers = [*HEADERS, "部门（车间）", "岗位", "职务"]
    result = check_national(fed, [[*person_row(fed.employer_a1.name), "缝制车间", "缝纫工", "班组长"]], headers=headers)
    assert [(row.department, row.job_title) for row in result.rows] == [("缝制车间", "缝纫工 / 班组长")]


def test_the_national_fields_are_stored_and_shown_on_the_member_page_the_api_and_the_export(fed):
    employer = fed.employer_a1.name
    number = new_id_number(birth=date(1983, 12, 24), sex="F")
    row = national_row(
        1, employer, name="马晓燕", birth=date(1983, 12, 24), number=number, ethnicity="回族", political="中共预备党员"
    )
    job = submit(fed, csv_bytes([NATIONAL_HEADERS, row]), "花名册.csv")
    assert job.status == ImportStatus.DONE, job.errors
    person = Person.objects.get(id_number_hash=blind_index(number))
    client = signed_in(fed.union_a1_officer)
    page = client.get(reverse("members:detail", args=[person.pk])).content.decode()
    assert all(text in page for text in ("回族", "中共预备党员", "缝制车间", "缝纫工"))
    api = client.get(f"/api/v1/members/{person.pk}").json()
    assert (api["person"]["ethnicity"], api["person"]["political_status"]) == ("回族", "02")
    assert (api["memberships"][0]["department"], api["memberships"][0]["job_title"]) == ("缝制车间", "缝纫工")


# --- cells as officers' files carry them ---------------------------------------------------------


def test_invisible_characters_and_the_apostrophe_that_keeps_a_number_as_text_are_removed(fed):
    number = new_id_number()
    rows = [
        ["\ufeff王芳", f"'{number}", "'13912345678", fed.employer_a1.name, "2024-03-01"],
        [
            "赵\u200b强",
            f"{number[:6]}\u200b{number[6:]}\u00a0",
            "139\u00a01234\u00a05679",
            fed.employer_a1.name,
            "2024-03-02",
        ],
    ]
    result = check_national(fed, [rows[0]], headers=HEADERS)
    assert result.errors == [] and [(r.name, r.id_number, r.mobile) for r in result.rows] == [
        ("王芳", number, "13912345678")
    ]
    second = check_national(fed, [rows[1]], headers=HEADERS)
    assert [(r.name, r.id_number, r.mobile) for r in second.rows] == [("赵强", number, "13912345679")]


@pytest.mark.parametrize(
    "written", ["0086 13912345678", "(+86) 139 1234 5678", "（+86）13912345678", "+86 13912345678", "8613912345678"]
)
def test_mobiles_with_the_country_code_are_read(fed, written):
    row = person_row(fed.employer_a1.name)
    row[2] = written
    result = check_national(fed, [row], headers=HEADERS)
    assert [r.mobile for r in result.rows] == ["13912345678"]


def test_an_excel_date_serial_in_a_csv_is_read_as_the_template_promises(fed):
    row = person_row(fed.employer_a1.name, joined="45352")
    result = check_national(fed, [row], headers=HEADERS)
    assert [r.joined_on for r in result.rows] == [date(2024, 3, 1)]
    year_only = check_national(fed, [person_row(fed.employer_a1.name, joined="2024")], headers=HEADERS)
    assert year_only.errors[0].message.startswith("入会时间「2024」无法识别")


# --- what calamine is not given ------------------------------------------------------------------


def stray_cell_xlsx(fed) -> bytes:
    """A roster with one stray cell at the sheet's far corner, XFD1048576."""
    content = workbook_bytes([("花名册", [HEADERS, person_row(fed.employer_a1.name)])])
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                far = b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'
                data = data.replace(b"</sheetData>", far)
            target.writestr(item.filename, data)
    return out.getvalue()


def test_a_stray_cell_far_away_is_read_the_slow_safe_way_not_by_calamine(fed, monkeypatch):
    """calamine would hold 17 billion cells for it (and the worker would be aborted)."""
    content = stray_cell_xlsx(fed)
    assert spreadsheets._zip_cells(io.BytesIO(content), "x") > CELL_BUDGET
    monkeypatch.setattr(spreadsheets, "CalamineBook", None)  # calamine must not be asked
    result = check_file(fed, content, "花名册.xlsx", max_rows=10)
    assert triples(result.errors) == [(1, "文件", "名单超过 10 行上限，请拆分后导入")]


@pytest.mark.parametrize(
    "cell",
    [
        b'<x:c r="XFD1048576" t="inlineStr"><x:is><x:t>x</x:t></x:is></x:c>',  # a namespace prefix
        b'<c\tr="XFD1048576" t="inlineStr"><is><t>x</t></is></c>',  # a tab after the name
        b'<c t="inlineStr" r="XFD1048576"><is><t>x</t></is></c>',  # the reference last
    ],
)
def test_the_bound_is_not_fooled_by_how_the_xml_is_written(cell):
    sheet = (
        b'<worksheet><sheetData><row r="1"><c r="A1"/></row><row r="1048576">'
        + cell
        + b"</row></sheetData></worksheet>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
    assert spreadsheets._zip_cells(io.BytesIO(out.getvalue()), "x") > CELL_BUDGET


def ods_with(rows_xml: str) -> bytes:
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content'
        ' xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="花名册">{rows_xml}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content)
    return out.getvalue()


def test_an_ods_repeating_a_filled_cell_over_the_whole_sheet_is_refused_before_calamine(fed):
    cell = '<table:table-cell office:value-type="string" table:number-columns-repeated="100"><text:p>x</text:p></table:table-cell>'
    bomb = ods_with(f'<table:table-row table:number-rows-repeated="1000000">{cell}</table:table-row>')
    assert len(bomb) < 2000
    assert triples(check_file(fed, bomb, "花名册.ods").errors) == [(1, "文件", TOO_WIDE)]
    # LibreOffice's own filler, empty cells repeated to the end of the sheet, is nothing.
    filler = '<table:table-row table:number-rows-repeated="1048575"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>'
    assert spreadsheets._zip_cells(io.BytesIO(ods_with(filler)), "x") == 0
    assert spreadsheets._zip_cells(io.BytesIO(fixture("ods")), "x") < 1000


def test_a_workbook_that_unpacks_to_more_than_a_gigabyte_is_refused(fed, monkeypatch):
    monkeypatch.setattr(spreadsheets, "MAX_XML_BYTES", 1000)
    with pytest.raises(RosterFileError, match="解压后超过 1 GB"):
        read_roster(io.BytesIO(fixture("xlsx")), filename="花名册.xlsx")
