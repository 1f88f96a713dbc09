"""The pages in a real browser: Debian's Chromium driven by Playwright against a live server.
Screenshots go to $GONGHUI_SCREENSHOTS (default /tmp) so a person can look at them."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from gonghui.accounts.models import Account
from gonghui.browser_testing import PHONE, SCREENSHOTS, no_sideways_scroll, sign_in
from gonghui.core.access import Role
from gonghui.testing import PASSWORD, Federation, new_id_number

pytestmark = pytest.mark.browser


def test_a_new_officer_sets_up_the_authenticator_and_signs_in(
    open_page: Callable[..., Any], site: str, fed: Federation
) -> None:
    newcomer = User.objects.create_user(username="newcomer", password=PASSWORD)
    Account.objects.create(user=newcomer, role=Role.UNION, organisation=fed.union_a1)
    page = open_page(PHONE)
    page.goto(site + reverse("accounts:login"))
    page.get_by_label("用户名").fill("newcomer")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.get_by_role("heading", name="设置动态验证码").wait_for()
    assert page.locator(".totp-qr svg").is_visible()
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    page.screenshot(path=str(SCREENSHOTS / "gonghui-second-factor-enrol.png"), full_page=True)

    device = TOTPDevice.objects.get(user=newcomer)
    assert secret and secret in device.config_url
    page.get_by_label("动态验证码").fill("000000" if totp(device.bin_key) else "111111")
    page.get_by_role("button", name="完成设置").click()
    page.get_by_text("验证码不正确").wait_for()
    page.wait_for_timeout(1100)  # django-otp refuses any code for a second after a wrong one

    page.get_by_label("动态验证码").fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="完成设置").click()
    page.wait_for_url(site + reverse("organisations:workbench"))
    assert page.get_by_role("heading", name="海宁皮革城工会").is_visible()


def test_sign_in_opens_the_workbench_with_its_tree_and_styles(open_page: Callable[..., Any], site: str) -> None:
    page = open_page()
    sign_in(page, site, "city")
    assert page.url == site + reverse("organisations:workbench")
    assert page.get_by_role("heading", name="海宁市总工会").is_visible()
    # Our stylesheet and Pico are served: the header carries the union red border.
    border = page.evaluate("getComputedStyle(document.querySelector('.site-header')).borderTopColor")
    assert border == "rgb(200, 22, 29)"
    assert page.evaluate("getComputedStyle(document.body).getPropertyValue('--pico-font-size')").strip()

    page.locator("summary", has_text="硖石街道总工会").locator(".twisty").click()
    page.get_by_role("link", name="海宁皮革城工会").wait_for()
    assert page.get_by_role("link", name="硖石联合工会").is_visible()
    page.screenshot(path=str(SCREENSHOTS / "gonghui-workbench.png"), full_page=True)


def test_staff_find_a_member_and_open_their_page(open_page: Callable[..., Any], site: str, fed: Federation) -> None:
    page = open_page()
    sign_in(page, site, "town_a")
    page.get_by_role("link", name="会员", exact=True).click()
    page.get_by_label("姓名、身份证号或手机号").fill("张")
    page.wait_for_url(re.compile(r"q=%E5%BC%A0"))  # the live search keeps the address shareable
    results = page.locator("#member-results")
    results.get_by_role("link", name="张伟").wait_for()
    assert fed.member_a1.person.id_number not in results.inner_text()

    results.get_by_role("link", name="张伟").click()
    page.get_by_role("heading", name="会籍记录").wait_for()
    assert page.get_by_text("海宁中国皮革城股份有限公司").first.is_visible()

    # Town staff lack the permission to see the full number: refused in place, with a reason.
    page.get_by_label("查看理由").fill("核对身份")
    page.get_by_role("button", name="显示完整").click()
    page.get_by_text("您没有查看完整身份信息的权限").wait_for()
    assert fed.member_a1.person.id_number not in page.content()
    page.screenshot(path=str(SCREENSHOTS / "gonghui-member-detail.png"), full_page=True)


def test_city_staff_with_the_permission_reveal_the_full_number(
    open_page: Callable[..., Any], site: str, fed: Federation
) -> None:
    page = open_page()
    sign_in(page, site, "city")
    page.goto(site + reverse("members:detail", args=[fed.member_a1.person_id]))
    page.get_by_label("查看理由").fill("办理医疗互助")
    page.get_by_role("button", name="显示完整").click()
    page.get_by_text(fed.member_a1.person.id_number).wait_for()


def test_import_with_errors_lists_row_column_and_reason(
    open_page: Callable[..., Any], site: str, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    number = new_id_number()
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    roster = "\n".join(
        [
            "姓名,身份证号,手机号码,工作单位,入会时间",
            f"王芳,{number},13912345678,海宁中国皮革城股份有限公司,2024-03-01",
            f"赵强,{wrong},13912345679,海宁中国皮革城股份有限公司,2024-03-01",
            f"钱明,{number},13912345670,海宁中国皮革城股份有限公司,2099-01-01",
        ]
    )
    page = open_page()
    sign_in(page, site, "union_a1")
    page.get_by_role("link", name="花名册导入").click()
    assert page.get_by_label("导入到工会").input_value() == "海宁皮革城工会"
    page.get_by_label("花名册文件").set_input_files(
        {"name": "花名册.csv", "mimeType": "text/csv", "buffer": roster.encode("utf-8-sig")}
    )
    page.get_by_role("button", name="上传并检查").click()
    page.get_by_role("heading", name="错误明细").wait_for()
    assert page.get_by_text("文件有错误，一行都没有导入").is_visible()
    rows = page.locator(".error-table tbody tr")
    texts = [rows.nth(i).inner_text() for i in range(rows.count())]
    assert any(re.match(r"3\s+身份证号\s+.*校验位", t) for t in texts), texts
    assert any(t.startswith("4") for t in texts), texts  # the duplicate and the future date
    page.screenshot(path=str(SCREENSHOTS / "gonghui-import-errors.png"), full_page=True)


def test_a_town_officer_cannot_see_another_towns_member(
    open_page: Callable[..., Any], site: str, fed: Federation
) -> None:
    page = open_page()
    sign_in(page, site, "town_b")
    page.goto(site + reverse("members:list"))
    page.get_by_label("姓名、身份证号或手机号").fill("张伟")
    try:
        page.get_by_text("没有找到。可按姓名开头、完整身份证号或完整手机号搜索").wait_for()
    except Exception:
        print(page.url)
        print(page.locator("#member-results").inner_html())
        page.screenshot(path="/tmp/h3/fail.png", full_page=True)
        raise
    page.get_by_label("姓名、身份证号或手机号").fill(fed.member_a1.person.id_number)
    page.wait_for_url(re.compile(r"q=\d{17}"))
    page.get_by_text("没有找到。可按姓名开头、完整身份证号或完整手机号搜索").wait_for()

    response = page.goto(site + reverse("members:detail", args=[fed.member_a1.person_id]))
    assert response.status == 404
    assert "张伟" not in page.content()


def test_my_membership_fits_a_phone(open_page: Callable[..., Any], site: str) -> None:
    page = open_page(PHONE)
    sign_in(page, site, "member_a1")
    assert page.url == site + reverse("members:my_membership")
    card = page.locator(".member-card")
    assert "张伟" in card.inner_text() and "海宁皮革城工会" in card.inner_text()
    assert card.bounding_box()["width"] <= PHONE["width"]
    assert no_sideways_scroll(page)
    page.screenshot(path=str(SCREENSHOTS / "gonghui-my-membership-phone.png"), full_page=True)

    page.get_by_label("转入工会").fill("HN-XC-001")
    page.get_by_role("button", name="申请转接").click()
    page.get_by_text("转接申请已提交").wait_for()
    assert page.get_by_role("button", name="撤回申请").is_visible()


def test_member_pages_fit_a_phone(open_page: Callable[..., Any], site: str, fed: Federation) -> None:
    page = open_page(PHONE)
    sign_in(page, site, "town_a")
    for url in (reverse("members:list"), reverse("members:detail", args=[fed.member_a1.person_id])):
        page.goto(site + url)
        assert no_sideways_scroll(page), url
    page.screenshot(path=str(SCREENSHOTS / "gonghui-member-detail-phone.png"), full_page=True)
