"""Member pages in a real browser: a union officer adds a worker and corrects their details;
a town officer picks the receiving union of a transfer by typing part of its name."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.urls import reverse

from gonghui.browser_testing import SCREENSHOTS, sign_in
from gonghui.members.identity import make_old_id_number
from gonghui.members.models import Person, Transfer

pytestmark = pytest.mark.browser


def test_an_officer_adds_a_member_and_corrects_their_details(open_page: Callable[..., Any], site: str) -> None:
    old = make_old_id_number(region="330481", birth=date(1970, 5, 6), sequence=21, sex="F")
    page = open_page()
    sign_in(page, site, "union_a1")
    page.goto(site + reverse("members:list"))
    page.get_by_role("button", name="登记会员").click()
    assert page.get_by_label("所在工会").input_value() == "海宁皮革城工会"
    page.get_by_label("身份证号").fill(old)
    page.get_by_label("姓名").fill("沈桂芬")
    page.get_by_label("入会时间").fill("2024-03-01")
    page.get_by_label("工作单位").fill("皮革城")
    page.locator("#employer-options option").first.wait_for(state="attached")
    page.get_by_label("工作单位").fill(page.locator("#employer-options option").first.get_attribute("value"))
    page.get_by_role("button", name="登记").click()
    page.get_by_role("heading", name="沈桂芬").wait_for()
    assert page.get_by_text("已登记为会员").is_visible()
    assert page.get_by_text("15位旧身份证号已按国家标准升为18位").is_visible()
    assert page.get_by_text("1970-05-06").is_visible()  # the birth date, read from the number
    page.screenshot(path=str(SCREENSHOTS / "gonghui-member-added.png"), full_page=True)

    page.get_by_role("button", name="修改资料").click()
    page.get_by_label("户籍地").fill("浙江省海宁市")
    page.get_by_label("学历").select_option(label="大专")
    page.get_by_role("button", name="保存").click()
    page.get_by_text("资料已保存").wait_for()
    assert page.get_by_text("浙江省海宁市").is_visible()
    person = Person.objects.get(name="沈桂芬")
    assert (person.household_registration, person.education, person.sex) == ("浙江省海宁市", "college", "F")
    assert person.history.count() == 2


def test_the_receiving_union_is_picked_by_name_with_its_town(
    open_page: Callable[..., Any], site: str, fed: Any
) -> None:
    page = open_page()
    sign_in(page, site, "town_a")
    page.goto(site + reverse("members:transfer_start", args=[fed.member_a1.person_id]))
    picker = page.get_by_label("转入工会")
    picker.press_sequentially("家纺", delay=50)
    option = page.locator("#to_union-options option").first
    option.wait_for(state="attached")
    assert (option.get_attribute("value"), option.inner_text()) == ("许村家纺工会", "许村镇总工会")
    assert "HN-XC" not in page.locator("#to_union-options").inner_html()
    picker.fill(option.get_attribute("value"))
    page.get_by_role("button", name="发起转接").click()
    page.get_by_text("已发起转接，等待转入工会确认").wait_for()
    assert Transfer.objects.get().to_union == fed.union_b1
