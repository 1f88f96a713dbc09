"""Account management and the public pages in Debian's Chromium: a town officer creates a
union officer's account, who activates it on a phone, signs in and sets up the
authenticator; a worker applies on a phone, sees every mistake at once, gets a reference
and finds the application by it. Screenshots go to $GONGHUI_SCREENSHOTS (default /tmp)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from gonghui.core.tests import test_browser as browser_tests
from gonghui.core.tests.test_browser import DESKTOP, PHONE, SCREENSHOTS, no_sideways_scroll, sign_in
from gonghui.enrolment.models import Application
from gonghui.testing import Federation, new_id_number

pytestmark = pytest.mark.browser

# The browser, the live server and fresh pages, as the core browser tests have them.
browser = browser_tests.browser
site = browser_tests.site
open_page = browser_tests.open_page

NEW_PASSWORD = "lotus pond under spring rain"


def test_a_town_officer_creates_a_union_officer_who_activates_and_enrols(
    open_page: Callable[..., Any], site: str, fed: Federation
) -> None:
    # Given town A's officer on the account pages
    page = open_page(DESKTOP)
    sign_in(page, site, "town_a")
    page.get_by_role("link", name="账号管理").click()
    page.get_by_role("button", name="新建账号").click()
    # When they create an account for an officer of 海宁皮革城工会, picked by name
    page.get_by_label("姓名").fill("王芳")
    page.get_by_label("用户名").fill("wangfang")
    page.get_by_label("手机号码").fill("13957310001")
    page.get_by_label("角色").select_option(label="基层工会")
    page.get_by_label("所属组织").select_option(label="海宁皮革城工会")
    page.get_by_role("button", name="创建账号").click()
    # Then the code is shown once, with the username
    page.get_by_role("heading", name="账号已创建").wait_for()
    code = page.locator("#activation-code").inner_text()
    assert page.locator("#issued-username").inner_text() == "wangfang"
    page.screenshot(path=str(SCREENSHOTS / "gonghui-account-created.png"), full_page=True)

    # When the new officer activates it on their phone
    phone = open_page(PHONE)
    phone.goto(site + reverse("accounts:activate"))
    assert no_sideways_scroll(phone)
    phone.get_by_label("激活码").fill(code)
    phone.get_by_label("手机号码或身份证号").fill("139 5731 0001")
    phone.get_by_label("设置密码").fill(NEW_PASSWORD)
    phone.get_by_label("再次输入密码").fill(NEW_PASSWORD)
    phone.get_by_role("button", name="激活并设置密码").click()
    phone.get_by_role("heading", name="账号已激活").wait_for()
    phone.get_by_role("button", name="去登录").click()
    # And signs in for the first time: the authenticator is set up before anything opens
    phone.get_by_label("用户名").fill("wangfang")
    phone.get_by_label("密码").fill(NEW_PASSWORD)
    phone.get_by_role("button", name="登录").click()
    phone.get_by_role("heading", name="设置动态验证码").wait_for()
    secret = phone.locator("#totp-secret").inner_text().replace(" ", "")
    device = TOTPDevice.objects.get(user__username="wangfang")
    assert secret and secret in device.config_url
    phone.get_by_label("动态验证码").fill(f"{totp(device.bin_key):06d}")
    phone.get_by_role("button", name="完成设置").click()
    phone.wait_for_url(site + reverse("organisations:workbench"))
    assert phone.get_by_role("heading", name="海宁皮革城工会").is_visible()
    assert phone.get_by_role("link", name="账号管理").count() == 0  # officers manage no accounts
    phone.screenshot(path=str(SCREENSHOTS / "gonghui-new-officer-workbench.png"), full_page=True)

    # Then town A's officer sees when the new officer signed in
    page.get_by_role("link", name="返回账号页面").click()
    page.get_by_role("heading", name="登录记录").wait_for()
    sign_ins = page.locator("article", has=page.get_by_role("heading", name="登录记录"))
    assert sign_ins.get_by_text("动态验证码").first.is_visible() and sign_ins.get_by_text("密码").first.is_visible()
    page.screenshot(path=str(SCREENSHOTS / "gonghui-account-detail.png"), full_page=True)


def test_a_worker_applies_on_a_phone_and_finds_the_application_again(
    open_page: Callable[..., Any], site: str, fed: Federation
) -> None:
    page = open_page(PHONE)
    page.goto(site + reverse("enrolment:apply"))
    page.get_by_label("姓名").fill("陈静")
    page.get_by_label("身份证号").fill("330481199001011234")  # wrong check digit
    page.get_by_label("手机号码").fill("1395731")  # too short
    page.get_by_label("工作单位").fill(fed.employer_a1.name)
    page.get_by_label("申请加入的工会").fill(fed.union_a1.code)
    page.get_by_label("我已阅读并同意").check()
    page.get_by_role("button", name="提交申请").click()
    # Both mistakes at once, each beside its field
    page.get_by_text("身份证号校验位错误").wait_for()
    assert page.get_by_text("手机号码应为11位，以13-19开头").is_visible()
    assert no_sideways_scroll(page)
    page.screenshot(path=str(SCREENSHOTS / "gonghui-join-errors.png"), full_page=True)

    page.get_by_label("身份证号").fill(new_id_number(sex="F"))
    page.get_by_label("手机号码").fill("13957318888")
    page.get_by_label("我已阅读并同意").check()
    page.get_by_role("button", name="提交申请").click()
    page.get_by_role("heading", name="申请已提交").wait_for()
    reference = page.locator("#application-reference").inner_text()
    assert reference == Application.objects.get().reference
    page.get_by_role("button", name="查询申请进度").click()
    page.get_by_label("申请编号").fill(reference)
    page.get_by_label("手机号码").fill("13957318888")
    page.get_by_role("button", name="查询").click()
    page.get_by_role("heading", name="待审核").wait_for()
    assert page.get_by_text("海宁皮革城工会").is_visible() and no_sideways_scroll(page)
    page.screenshot(path=str(SCREENSHOTS / "gonghui-join-status.png"), full_page=True)
    page.get_by_role("link", name="返回首页").click()
    page.get_by_role("heading", name="登录").wait_for()
