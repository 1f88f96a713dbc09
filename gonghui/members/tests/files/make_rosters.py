"""Writes the roster fixtures beside this file, once, as an officer's office software would:
openpyxl lays out the workbook (an instructions sheet first, then the roster under a merged
title row and a note row, columns in the national real-name system's order), and
LibreOffice saves it again as .xlsx, .xls and .ods. Run it again only to change them:

    .venv/bin/python gonghui/members/tests/files/make_rosters.py   # needs soffice on PATH

The people are of every working age, from a school leaver who joined at 16 to a worker of 64,
with ethnic groups, political status, departments and posts as such rosters have them."""

from __future__ import annotations

import subprocess  # noqa: S404 (LibreOffice, run by hand)
import sys
import tempfile
from datetime import date
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[3]))

from gonghui.members.identity import id_number_problem, make_id_number  # noqa: E402

NAME = "roster-haining-leather"
EMPLOYER = "海宁中国皮革城股份有限公司"
HEADER = [
    "序号", "姓名", "性别", "身份证号", "出生日期", "民族", "政治面貌", "学历", "户籍所在地",
    "工作单位", "部门", "职务", "手机号码", "入会时间", "是否农民工", "技能等级", "备注",
]  # fmt: skip
# Region codes are where a number was issued: the older Haining workers carry 330423, the
# county's code until it became a city in 1986, and keep it today.
# (name, sex, birth, region, ethnicity, political status, education, household, department,
#  post, mobile as written, joined, migrant, skill, note)
PEOPLE = [
    ("沈建国", "男", date(1961, 3, 12), "330423", "汉族", "中共党员", "初中", "浙江省海宁市", "裁剪车间", "车间主任", 13905731234, date(1984, 7, 1), "否", "高级工", ""),
    ("朱丽萍", "女", date(1968, 9, 30), "330423", "汉", "群众", "中专", "浙江省海宁市", "缝制车间", "缝纫工", "0086 139 5731 2201", date(1992, 5, 1), "否", "中级工", ""),
    ("杨光荣", "男", date(1975, 1, 8), "522401", "苗族", "群众", "初中", "贵州省毕节市", "物流部", "叉车司机", "(+86)13812345678", date(2010, 3, 15), "是", "初级工", "2010年从外省来海宁"),
    ("马晓燕", "女", date(1983, 12, 24), "412701", "回族", "中共预备党员", "大专", "河南省周口市", "财务部", "会计", "13757312345", date(2015, 6, 1), "是", "", ""),
    ("陈\u200b浩", "男", date(1990, 6, 18), "330481", "汉族", "群众", "本科", "浙江省海宁市", "技术部", "工程师", "+86 13588881234", date(2016, 9, 1), "否", "", "姓名中有一个看不见的零宽空格"),
    ("韦春燕", "女", date(1996, 2, 29), "452101", "壮族", "共青团员", "大专", "广西壮族自治区凭祥市", "电商部", "客服", "18857310001", date(2018, 7, 1), "是", "", ""),
    ("李子涵", "男", date(2004, 5, 5), "433101", "土家族", "共青团员", "高中", "湖南省吉首市", "仓储部", "仓管员", "15968310002", date(2022, 6, 1), "是", "", ""),
    ("周雨欣", "女", date(2008, 10, 1), "330481", "汉族", "共青团员", "中专", "浙江省海宁市", "缝制车间", "学徒工", "17757310003", date(2024, 11, 1), "否", "", "职高学徒，满16周岁后入会"),
    ("郑国强", "男", date(1965, 11, 11), "330423", "满族", "民盟盟员", "本科", "浙江省海宁市", "质检部", "质检员", "13905730004", date(1988, 10, 1), "否", "技师", ""),
]  # fmt: skip
INSTRUCTIONS = [
    "填表说明",
    "1. 姓名、身份证号、工作单位、入会时间为必填项。",
    "2. 身份证号请设置为文本格式，18位。",
    "3. 性别、出生日期应与身份证号一致。",
    "4. 政治面貌填写：中共党员、中共预备党员、共青团员、民主党派、无党派人士、群众。",
]


def id_number(name: str, sex: str, birth: date, region: str) -> str:
    sequence = sum(map(ord, name)) % 400
    for offset in range(100):  # the first sequence number today's check accepts
        number = make_id_number(region=region, birth=birth, sequence=sequence + offset, sex="M" if sex == "男" else "F")
        if id_number_problem(number, today=date(2025, 6, 30)) is None:
            return number
    raise SystemExit(f"no valid number for {name} in {region}")


def workbook() -> Workbook:
    book = Workbook()
    notes = book.worksheets[0]
    notes.title = "填表说明"
    for line in INSTRUCTIONS:
        notes.append([line])
    notes["A1"].font = Font(bold=True, size=14)
    sheet = book.create_sheet("会员花名册")
    sheet.append([f"{EMPLOYER}工会会员花名册"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
    sheet["A1"].font = Font(bold=True, size=16)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.append(
        [
            f"填报单位：{EMPLOYER}工会",
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            "填报日期：2025年6月",
        ]
    )
    sheet.append(HEADER)
    for serial, (name, sex, birth, region, *rest) in enumerate(PEOPLE, start=1):
        ethnicity, political, education, home, department, post, mobile, joined, migrant, skill, note = rest
        number = id_number(name.replace("\u200b", ""), sex, birth, region)
        sheet.append(
            [serial, name, sex, number, birth, ethnicity, political, education, home, EMPLOYER, department, post,
             mobile, joined, migrant, skill, note]
        )  # fmt: skip
        row = sheet.max_row
        sheet.cell(row, 4).number_format = "@"  # the identity number as text, as the notes ask
        sheet.cell(row, 5).number_format = "yyyy-mm-dd"
        sheet.cell(row, 14).number_format = "yyyy-mm-dd"
    return book


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        laid_out = Path(folder) / f"{NAME}.xlsx"
        workbook().save(laid_out)
        for kind, filter_name in (("xlsx", "Calc MS Excel 2007 XML"), ("xls", "MS Excel 97"), ("ods", "calc8")):
            subprocess.run(  # noqa: S603, S607
                [
                    "soffice",
                    "--headless",
                    "--convert-to",
                    f"{kind}:{filter_name}",
                    "--outdir",
                    str(HERE / kind),
                    str(laid_out),
                ],
                check=True,
                capture_output=True,
            )
            (HERE / kind / f"{NAME}.{kind}").replace(HERE / f"{NAME}.{kind}")
            (HERE / kind).rmdir()
            print(f"wrote {NAME}.{kind}")


if __name__ == "__main__":
    main()
