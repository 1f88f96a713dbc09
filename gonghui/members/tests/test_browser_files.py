"""The import page in a real browser, with a workbook as officers keep it: an instructions
sheet first, then the roster under a merged title row, in the national column order with a
备注 column the registry does not keep. The officer sees it imported and the warning."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from gonghui.browser_testing import SCREENSHOTS, sign_in
from gonghui.members.models import Person
from gonghui.members.tests.rosterfiles import INSTRUCTIONS, NATIONAL_HEADERS, national_row, workbook_bytes

pytestmark = pytest.mark.browser
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_a_workbook_with_a_title_row_and_an_instructions_sheet_imports_with_its_warning(
    open_page: Callable[..., Any],
    site: str,
    settings: Any,
    tmp_path: Path,
) -> None:
    settings.MEDIA_ROOT = tmp_path
    employer = "海宁中国皮革城股份有限公司"
    roster = [
        NATIONAL_HEADERS,
        national_row(1, employer, name="周雨欣", birth=date(2008, 10, 1), joined="2024-11-01", note="学徒"),
        national_row(2, employer, name="马晓燕", birth=date(1983, 12, 24), ethnicity="回族", political="中共党员"),
        national_row(3, employer, name="沈建国", birth=date(1961, 3, 12), sex="男", joined="1984-07-01"),
    ]
    content = workbook_bytes(
        [("填表说明", INSTRUCTIONS), ("会员花名册", roster)], title="海宁中国皮革城股份有限公司工会会员花名册"
    )
    page = open_page()
    sign_in(page, site, "union_a1")
    page.get_by_role("link", name="花名册导入").click()
    page.get_by_label("花名册文件").set_input_files(
        {"name": "会员花名册.xlsx", "mimeType": XLSX_TYPE, "buffer": content}
    )
    page.get_by_role("button", name="上传并检查").click()
    page.get_by_role("heading", name="提示（不影响导入，请核对）").wait_for()
    assert page.get_by_text("文件检查通过，已全部导入").is_visible()
    rows = page.locator("#import-warnings tbody tr")
    texts = [rows.nth(i).inner_text() for i in range(rows.count())]
    assert len(texts) == 1 and texts[0].split()[0] == "2", texts  # the header's row, below the title
    assert "以下列不在导入范围内，未导入：备注" in texts[0]
    assert Person.objects.filter(name__in=["周雨欣", "马晓燕", "沈建国"]).count() == 3
    page.screenshot(path=str(SCREENSHOTS / "gonghui-import-workbook-warnings.png"), full_page=True)
