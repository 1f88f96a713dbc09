"""What every browser test shares: Debian's Chromium and its flags, the page sizes, where
screenshots go, and signing in. The fixtures that start the browser (`browser`, `site`,
`open_page`) live in the root conftest.py: a fixture imported into two test modules is two
fixtures to pytest, and a second Playwright started in the same thread fails."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from django.contrib.auth.models import User
from django.urls import reverse

from gonghui.testing import PASSWORD, totp_code

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(os.environ.get("GONGHUI_SCREENSHOTS", tempfile.gettempdir()))
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


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


def no_sideways_scroll(page: Any) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
