"""The browser-test fixtures, registered once for the whole run (root conftest.py's
pytest_plugins): Playwright's sync API allows one running instance per thread, so a test
module that imported the fixtures would start a second one and fail. Test modules import only
the helpers (sign_in, SCREENSHOTS, the viewports)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from gonghui.testing import PASSWORD, Federation, totp_code

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(os.environ.get("GONGHUI_SCREENSHOTS", "/tmp"))
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("Debian's Chromium is missing: apt-get install -y chromium fonts-noto-cjk")
    # Playwright's sync API runs an event loop in this thread; Django would otherwise refuse
    # the test's own ORM calls (fixtures, assertions) as if they came from async code.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def site(live_server: Any, transactional_db: None, fed: Federation) -> str:
    return live_server.url


@pytest.fixture
def open_page(browser: Any, site: str) -> Iterator[Callable[..., Any]]:
    """New pages in fresh browser contexts, closed before the database is torn down so no
    request is still in flight against it."""
    contexts = []

    def new_page(viewport: dict[str, int] = DESKTOP) -> Any:
        context = browser.new_context(viewport=viewport, locale="zh-CN")
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield new_page
    for context in contexts:
        context.close()


def sign_in(page: Any, site: str, username: str) -> None:
    """The password, then for staff the code their authenticator app shows."""
    page.goto(site + reverse("accounts:login"))
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    if reverse("accounts:second_factor") in page.url:
        page.get_by_label("动态验证码").fill(totp_code(User.objects.get(username=username)))
        page.get_by_role("button", name="验证").click()
        page.wait_for_load_state()
