"""Enrolment in a real browser: a union officer enrols all members, follows the job's
progress to its end and back to the list, records the payment; the member then reads their
cover on a 390x844 phone without sideways scrolling."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.urls import reverse

from gonghui.browser_testing import PHONE, SCREENSHOTS, no_sideways_scroll, sign_in
from gonghui.mutual_aid import services
from gonghui.mutual_aid.models import Enrolment
from gonghui.mutual_aid.tests.helpers import make_scheme
from gonghui.testing import Federation

pytestmark = pytest.mark.browser


def test_an_officer_enrols_and_pays_and_the_member_sees_it_on_the_phone(
    open_page: Callable[..., Any], site: str, fed: Federation, monkeypatch: Any
) -> None:
    monkeypatch.setattr(services, "today", lambda: date(2025, 11, 1))
    make_scheme(fed, 2026)
    page = open_page()
    sign_in(page, site, "union_a1")
    page.get_by_role("link", name="互助参保").click()
    page.get_by_role("link", name="参保名单").click()
    page.get_by_role("button", name="全部在会会员参保").click()
    page.get_by_text("已完成，文件可以下载。").wait_for()
    page.get_by_role("button", name="查看详情").click()
    page.get_by_role("cell", name="张伟").wait_for()
    page.get_by_role("button", name="登记缴费").click()
    page.get_by_label("缴费日期").fill("2025-11-01")
    page.get_by_label("缴费凭证号").fill("HK20251101008")
    page.get_by_role("button", name="确认已缴费").click()
    page.get_by_text("已登记缴费：1 人，60.00 元").wait_for()
    page.screenshot(path=str(SCREENSHOTS / "gonghui-mutual-aid-enrolment.png"), full_page=True)
    assert Enrolment.objects.get().payment_status == "paid"

    phone = open_page(viewport=PHONE)
    sign_in(phone, site, "member_a1")
    phone.get_by_role("link", name="我的互助保障").click()
    phone.get_by_role("heading", name="2026 年度 已缴费").wait_for()
    shown = phone.locator("main").inner_text()
    phone.screenshot(path=str(SCREENSHOTS / "gonghui-mutual-aid-my-cover.png"), full_page=True)
    assert "海宁皮革城工会" in shown and "2026-01-01 – 2026-12-31" in shown and "等待期满" in shown
    assert phone.url.endswith(reverse("mutual_aid:my_cover")) and no_sideways_scroll(phone)
