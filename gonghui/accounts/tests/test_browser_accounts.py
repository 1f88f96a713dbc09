"""Account management and the public pages in Debian's Chromium: a town officer creates a
union officer's account, who activates it on a phone, signs in and sets up the
authenticator; a worker applies on a phone, sees every mistake at once, gets a reference
and finds the application by it. Screenshots go to $GONGHUI_SCREENSHOTS (default /tmp).

Playwright runs in a thread of its own, as in test_browser_hostile.py (test_browser.py's
session-wide browser holds the main thread's event loop); the database is read only from
the main thread, before and after the browsing, and the authenticator's code is computed
from the secret the enrolment page shows, as the officer's app would."""

from __future__ import annotations

from base64 import b32decode
from typing import Any

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from gonghui.browser_testing import DESKTOP, PHONE, SCREENSHOTS
from gonghui.core.tests import test_browser_hostile as hostile
from gonghui.enrolment.models import Application
from gonghui.testing import Federation, new_id_number

pytestmark = pytest.mark.browser

live_site = hostile.live_site  # the live server, skipped without Chromium
NEW_PASSWORD = "lotus pond under spring rain"


def no_sideways_scroll(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def authenticator_code(secret: str) -> str:
    return f"{totp(b32decode(secret.replace(' ', ''))):06d}"


def test_a_town_officer_creates_a_union_officer_who_activates_and_enrols(live_site: str, fed: Federation) -> None:
    session = hostile.session_cookie(fed.town_a_staff)
    site = live_site

    def browse(chromium: Any) -> dict[str, Any]:
        seen: dict[str, Any] = {}
        # Given town A's officer on the account pages
        page = hostile.new_page(chromium, site, viewport=DESKTOP, session=session)
        page.goto(site + reverse("organisations:workbench"))
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
        seen["username"] = page.locator("#issued-username").inner_text()
        page.screenshot(path=str(SCREENSHOTS / "gonghui-account-created.png"), full_page=True)

        # When the new officer activates it on their phone
        phone = hostile.new_page(chromium, site, viewport=PHONE)
        phone.goto(site + reverse("accounts:activate"))
        seen["activate_fits"] = no_sideways_scroll(phone)
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
        seen["secret"] = phone.locator("#totp-secret").inner_text().replace(" ", "")
        phone.get_by_label("动态验证码").fill(authenticator_code(seen["secret"]))
        phone.get_by_role("button", name="完成设置").click()
        phone.wait_for_url(site + reverse("organisations:workbench"))
        seen["workbench"] = phone.get_by_role("heading", name="海宁皮革城工会").is_visible()
        seen["officer_nav"] = phone.get_by_role("link", name="账号管理").count()
        phone.screenshot(path=str(SCREENSHOTS / "gonghui-new-officer-workbench.png"), full_page=True)

        # Then town A's officer sees when the new officer signed in, and how
        page.get_by_role("link", name="返回账号页面").click()
        sign_ins = page.locator("article", has=page.get_by_role("heading", name="登录记录"))
        sign_ins.get_by_text("登录 · 动态验证码").wait_for()
        seen["password_step"] = sign_ins.get_by_text("登录 · 密码").is_visible()
        page.screenshot(path=str(SCREENSHOTS / "gonghui-account-detail.png"), full_page=True)
        return seen

    seen = hostile.in_browser(browse)
    assert seen["username"] == "wangfang" and seen["activate_fits"]
    assert seen["secret"] in TOTPDevice.objects.get(user__username="wangfang", confirmed=True).config_url
    assert seen["workbench"] and seen["officer_nav"] == 0  # officers manage no accounts
    assert seen["password_step"]


def test_a_worker_applies_on_a_phone_and_finds_the_application_again(live_site: str, fed: Federation) -> None:
    site, id_number = live_site, new_id_number(sex="F")
    employer, union = fed.employer_a1.name, fed.union_a1.code

    def browse(chromium: Any) -> dict[str, Any]:
        seen: dict[str, Any] = {}
        page = hostile.new_page(chromium, site, viewport=PHONE)
        page.goto(site + reverse("enrolment:apply"))
        page.get_by_label("姓名").fill("陈静")
        page.get_by_label("身份证号").fill("330481199001011234")  # wrong check digit
        page.get_by_label("手机号码").fill("1395731")  # too short
        page.get_by_label("工作单位").fill(employer)
        page.get_by_label("申请加入的工会").fill(union)
        page.get_by_label("我已阅读并同意").check()
        page.get_by_role("button", name="提交申请").click()
        # Both mistakes at once, each beside its field
        page.get_by_text("身份证号校验位错误").wait_for()
        seen["both"] = page.get_by_text("手机号码应为11位，以13-19开头").is_visible()
        seen["form_fits"] = no_sideways_scroll(page)
        page.screenshot(path=str(SCREENSHOTS / "gonghui-join-errors.png"), full_page=True)

        page.get_by_label("身份证号").fill(id_number)
        page.get_by_label("手机号码").fill("13957318888")
        page.get_by_label("我已阅读并同意").check()
        page.get_by_role("button", name="提交申请").click()
        page.get_by_role("heading", name="申请已提交").wait_for()
        seen["reference"] = reference = page.locator("#application-reference").inner_text()
        page.get_by_role("button", name="查询申请进度").click()
        page.get_by_label("申请编号").fill(reference)
        page.get_by_label("手机号码").fill("13957318888")
        page.get_by_role("button", name="查询").click()
        page.get_by_role("heading", name="待审核").wait_for()
        seen["union"] = page.get_by_text("海宁皮革城工会").is_visible()
        seen["status_fits"] = no_sideways_scroll(page)
        page.screenshot(path=str(SCREENSHOTS / "gonghui-join-status.png"), full_page=True)
        page.get_by_role("link", name="返回首页").click()
        page.get_by_role("heading", name="登录").wait_for()
        return seen

    seen = hostile.in_browser(browse)
    assert seen["both"] and seen["form_fits"] and seen["status_fits"] and seen["union"]
    assert seen["reference"] == Application.objects.get().reference
