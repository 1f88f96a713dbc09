"""The real-name-system export in a real browser: the officer states a reason, the job page's
progress bar completes, and the workbook downloads with full numbers in the national layout."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from gonghui.browser_testing import sign_in
from gonghui.core.access import Role
from gonghui.testing import Federation, make_user

pytestmark = pytest.mark.browser


def test_the_export_completes_and_downloads(open_page: Callable[..., Any], site: str, fed: Federation) -> None:
    make_user("town_a_export", role=Role.TOWN, organisation=fed.town_a, perms=("members.export_full_identity",))
    page = open_page()
    sign_in(page, site, "town_a_export")
    page.goto(site + "/members/exports/realname/")
    page.get_by_label("导出理由").fill("2026年度全国实名制数据上报")
    page.get_by_role("button", name="开始导出").click()
    page.get_by_text("已完成，文件可以下载。").wait_for()
    assert page.locator("progress").count() == 0  # the bar gives way to the file once done
    with page.expect_download() as download:
        page.get_by_role("button", name=re.compile("^下载 会员实名制-")).click()
    assert download.value.suggested_filename.endswith(".xlsx")
    content = io.BytesIO(Path(download.value.path()).read_bytes())  # the saved file has no extension
    rows = list(load_workbook(content, read_only=True).worksheets[0].iter_rows(values_only=True))
    assert rows[0][:6] == ("序号", "姓名", "性别", "民族", "出生日期", "身份证号")
    assert rows[1][5] == fed.member_a1.person.id_number
