"""The rule editor in a real browser: a city officer changes a ratio, tries an example bill
(htmx, under the page's Content-Security-Policy), sees the amount and how it was computed,
then saves. Chromium runs in its own thread (as in core's hostile-input tests), so these
tests share no browser with another module's. Screenshots go to $GONGHUI_SCREENSHOTS."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from gonghui.browser_testing import CHROMIUM, DESKTOP, PHONE, SCREENSHOTS, no_sideways_scroll
from gonghui.core.tests.test_browser_hostile import in_browser, new_page, session_cookie
from gonghui.mutual_aid.models import BenefitRuleSet
from gonghui.mutual_aid.tests.helpers import make_scheme
from gonghui.testing import Federation

pytestmark = pytest.mark.browser


@pytest.fixture
def editor(live_server: Any, transactional_db: None, fed: Federation) -> tuple[str, str]:
    """The editor's address for 2026's first rules, and a signed-in city officer's session."""
    if not CHROMIUM.exists():
        pytest.skip("Debian's Chromium is missing: apt-get install -y chromium fonts-noto-cjk")
    make_scheme(fed)
    return live_server.url, session_cookie(fed.city_staff)


def test_a_city_officer_tries_a_changed_rule_then_saves_it(editor: tuple[str, str]) -> None:
    site, session = editor

    def work(chromium: Any) -> str:
        page = new_page(chromium, site, viewport=DESKTOP, session=session)
        page.goto(site + reverse("mutual_aid:rule_set_edit", args=[2026, 1]))
        page.get_by_label("第2档比例（%）").fill("70")
        page.get_by_label("政策范围内自付（元）").fill("15000")
        page.get_by_role("button", name="试算").click()
        result = page.locator("#trial-result")
        result.get_by_text("补助 8,000.00 元", exact=True).wait_for()
        shown = result.inner_text()
        page.screenshot(path=str(SCREENSHOTS / "gonghui-mutual-aid-trial.png"), full_page=True)

        page.get_by_label("第2档起点").fill("8000")
        page.get_by_role("button", name="试算").click()
        result.get_by_text("规则有误，不能试算").wait_for()
        shown += result.inner_text()

        page.get_by_label("第2档起点").fill("10000.00")
        page.get_by_role("button", name="保存", exact=True).click()
        page.get_by_text("第 1 版规则已保存").wait_for()
        return shown

    shown = in_browser(work)
    assert "10,000.00 元以上部分 5,000.00 元 × 70% = 3,500.00 元" in shown and "与第1档重叠" in shown
    assert BenefitRuleSet.objects.get(version=1).rules["inpatient"]["bands"][1]["ratio"] == "70"


def test_the_editor_and_its_trial_fit_a_phone(editor: tuple[str, str]) -> None:
    site, session = editor

    def work(chromium: Any) -> bool:
        page = new_page(chromium, site, viewport=PHONE, session=session)
        page.goto(site + reverse("mutual_aid:rule_set_edit", args=[2026, 1]))
        page.get_by_role("button", name="试算").click()
        page.locator("#trial-result").get_by_text("补助 7,500.00 元", exact=True).wait_for()
        page.screenshot(path=str(SCREENSHOTS / "gonghui-mutual-aid-trial-phone.png"), full_page=True)
        return no_sideways_scroll(page)

    assert in_browser(work)
