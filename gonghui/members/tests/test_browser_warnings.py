"""The import page in a real browser: a clean roster with an old 15-digit number and a worker
past 75 is imported, and the warnings are listed for the officer to check."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from gonghui.browser_testing import SCREENSHOTS, sign_in
from gonghui.members.identity import make_old_id_number
from gonghui.testing import new_id_number

pytestmark = pytest.mark.browser


def test_an_imported_roster_shows_its_warnings(
    open_page: Callable[..., Any],
    site: str,
    settings: Any,
    tmp_path: Path,
) -> None:
    settings.MEDIA_ROOT = tmp_path
    old = make_old_id_number(region="330423", birth=date(1961, 9, 1), sequence=11, sex="F")
    roster = "\n".join(
        [
            "姓名,身份证号,手机号码,工作单位,入会时间",
            f"蒋月娥,{old},13912345671,海宁中国皮革城股份有限公司,1985-03-01",
            f"周老伯,{new_id_number(birth=date(1940, 1, 1))},13912345672,海宁中国皮革城股份有限公司,2024-03-01",
        ]
    )
    page = open_page()
    sign_in(page, site, "union_a1")
    page.get_by_role("link", name="花名册导入").click()
    page.get_by_label("花名册文件").set_input_files(
        {"name": "花名册.csv", "mimeType": "text/csv", "buffer": roster.encode("utf-8-sig")}
    )
    page.get_by_role("button", name="上传并检查").click()
    page.get_by_role("heading", name="提示（不影响导入，请核对）").wait_for()
    assert page.get_by_text("文件检查通过，已全部导入").is_visible()
    rows = page.locator("#import-warnings tbody tr")
    texts = [rows.nth(i).inner_text() for i in range(rows.count())]
    assert [t.split()[:2] for t in texts] == [["2", "身份证号"], ["3", "入会时间"]], texts
    assert "15位旧身份证号已按国家标准升为18位" in texts[0] and "入会时已年满84岁" in texts[1]
    page.screenshot(path=str(SCREENSHOTS / "gonghui-import-warnings.png"), full_page=True)
