"""The member's data download reads in the member's language: Chinese headings (English in
English mode) over the workbook's columns, and times in Asia/Shanghai with their offset."""

import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from openpyxl import load_workbook

from gonghui.core.audit import audit_record
from gonghui.core.models import AuditEntry
from gonghui.privacy.models import ConsentCategory
from gonghui.privacy.services import consent_give

SHANGHAI = ZoneInfo("Asia/Shanghai")


def workbook(client) -> dict[str, list[tuple]]:
    response = client.get(reverse("privacy:my_data"), {"format": "xlsx"})
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets}


def test_the_workbook_has_chinese_headings_and_local_times(client, fed):
    consent_give(scope=fed.scope(fed.member_user), category=ConsentCategory.HEALTH)
    audit_record(
        actor=fed.city_staff, action=AuditEntry.Action.REVEAL_ID_NUMBER, subject=fed.member_a1.person, reason="核对"
    )
    client.force_login(fed.member_user)
    sheets = workbook(client)
    assert sheets["个人信息"][0][:4] == ("姓名", "身份证号", "出生日期", "性别")
    assert sheets["个人信息"][1][3] == "男"
    assert sheets["会籍"][0][:3] == ("所在工会", "工作单位", "入会时间")
    header, *rows = sheets["涉及本人的操作记录"]
    assert header == ("时间", "操作", "结果", "对象")
    entry = AuditEntry.objects.filter(data_subject_id=fed.member_a1.person_id).order_by("at", "pk")[0]
    assert rows[0][0] == entry.at.astimezone(SHANGHAI).isoformat()
    assert rows[0][0].endswith("+08:00")


def test_the_json_keeps_its_keys_names_the_headings_and_says_local_times(client, fed):
    consent_give(scope=fed.scope(fed.member_user), category=ConsentCategory.HEALTH)
    client.force_login(fed.member_user)
    body = client.get("/api/v1/members/me/data").json()
    assert body["generated_at"].endswith("+08:00")
    consent = body["parts"]["consents"]
    assert consent["columns"]["given_at"] == "同意时间"
    given = datetime.fromisoformat(consent["rows"][0]["given_at"])
    assert given.utcoffset() == timedelta(hours=8)


def test_in_english_mode_the_headings_and_values_are_english(client, fed):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(fed.member_user)
    sheets = workbook(client)
    person = next(rows for title, rows in sheets.items() if rows and rows[0][0] == "Name")
    assert person[0][:4] == ("Name", "ID number", "Date of birth", "Sex")
    assert person[1][3] == "Male"
    assert not any("\u4e00" <= ch <= "\u9fff" for title in sheets for ch in title)
