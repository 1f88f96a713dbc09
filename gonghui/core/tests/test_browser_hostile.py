"""In a real browser: script hidden in names a worker typed (through the public form or a
roster) does not run on the staff pages that show them, and the Swagger UI at /api/docs
still works under the Content-Security-Policy.

Playwright runs in a thread of its own here: test_browser.py's session-wide browser keeps
Playwright's event loop in the main thread, where a second sync Playwright cannot start.
The database is only touched from the main thread (before and after the browsing)."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from gonghui.browser_testing import CHROMIUM, CHROMIUM_ARGS, DESKTOP, PHONE, SCREENSHOTS
from gonghui.enrolment.models import Application
from gonghui.testing import Federation, make_member, new_id_number, new_mobile

pytestmark = pytest.mark.browser

PAYLOADS = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", '"><svg onload=alert(1)>']
T = TypeVar("T")


@pytest.fixture
def live_site(live_server: Any, transactional_db: None, fed: Federation) -> str:
    if not CHROMIUM.exists():
        pytest.skip("Debian's Chromium is missing: apt-get install -y chromium fonts-noto-cjk")
    return live_server.url


def in_browser(work: Callable[[Any], T]) -> T:
    def run() -> T:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                return work(chromium)
            finally:
                chromium.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


def session_cookie(user: Any) -> str:
    """A fully signed-in session (second factor included) made by the test client, so this
    test does not depend on how the sign-in form looks."""
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def new_page(chromium: Any, site: str, *, viewport: dict[str, int] = DESKTOP, session: str | None = None) -> Any:
    context = chromium.new_context(viewport=viewport, locale="zh-CN")
    context.set_default_timeout(10_000)
    if session:
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": site}])
    return context.new_page()


class Watch:
    """Dialogs opened (what alert(1) would do) and Content-Security-Policy violations."""

    def __init__(self, page: Any) -> None:
        self.dialogs: list[str] = []
        self.violations: list[str] = []
        page.on("dialog", self._dialog)
        page.on("console", self._console)

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _console(self, message: Any) -> None:
        if "Content Security Policy" in message.text:
            self.violations.append(message.text)


def apply_in_browser(page: Any, site: str, union_code: str, name: str, id_number: str, mobile: str) -> None:
    page.goto(site + reverse("enrolment:apply"))
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.get_by_label("姓名").fill(name)
    page.get_by_label("身份证号").fill(id_number)
    page.get_by_label("手机号码").fill(mobile)
    page.get_by_label("工作单位").fill(name)
    page.get_by_label("申请加入的工会").fill(union_code)
    page.get_by_label("我已阅读并同意").check()
    page.get_by_role("button", name="提交申请").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="申请已提交").is_visible()


def test_hostile_names_do_not_run_on_staff_pages(live_site: str, fed: Federation) -> None:
    applicants = [(payload, new_id_number(), new_mobile()) for payload in PAYLOADS]

    def as_worker(chromium: Any) -> Watch:
        page = new_page(chromium, live_site, viewport=PHONE)
        watch = Watch(page)
        for name, id_number, mobile in applicants:
            apply_in_browser(page, live_site, fed.union_a1.code, name, id_number, mobile)
        return watch

    worker = in_browser(as_worker)
    for payload in PAYLOADS:
        make_member(union=fed.union_a1, name=payload, employer=fed.employer_a1)
    urls = [reverse("enrolment:list"), f"{reverse('members:list')}?status=all&union={fed.union_a1.code}"]
    urls += [reverse("enrolment:detail", args=[pk]) for pk in Application.objects.values_list("pk", flat=True)]
    session = session_cookie(fed.union_a1_officer)

    def as_officer(chromium: Any) -> tuple[Watch, list[bool]]:
        page = new_page(chromium, live_site, session=session)
        watch = Watch(page)
        for url in urls:
            page.goto(live_site + url)
            page.wait_for_load_state("networkidle")
        page.goto(live_site + reverse("enrolment:list"))
        page.screenshot(path=str(SCREENSHOTS / "gonghui-applications-hostile.png"), full_page=True)
        return watch, [page.get_by_role("link", name=payload).is_visible() for payload in PAYLOADS]

    officer, shown_as_text = in_browser(as_officer)
    assert len(urls) == 2 + len(PAYLOADS)
    assert shown_as_text == [True] * len(PAYLOADS)
    assert officer.dialogs == [] and worker.dialogs == []
    # Nothing of ours needed an exception to the policy.
    assert officer.violations == [] and worker.violations == []


def test_swagger_ui_works_under_the_policy(live_site: str, fed: Federation) -> None:
    session = session_cookie(fed.city_staff)

    def read_docs(chromium: Any) -> tuple[str, int, list[str]]:
        page = new_page(chromium, live_site, session=session)
        watch = Watch(page)
        page.goto(live_site + "/api/docs")
        title = page.locator(".swagger-ui .info .title")
        title.wait_for()
        return title.inner_text(), page.locator(".opblock").count(), watch.violations

    title, operations, violations = in_browser(read_docs)
    assert "Gonghui API" in title
    assert operations > 10
    assert violations == []
