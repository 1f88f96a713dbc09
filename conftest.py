import os

import pytest
from django.conf import settings as django_settings
from django.utils import translation
from hypothesis import settings as hypothesis_settings

from gonghui.testing import Federation, build_federation

# CI explores the same examples every run, so a landing never hangs on a lucky draw;
# developers' runs keep exploring new ones. No deadline in either: on a shared two-core
# machine one example can take over 200 ms, and a property is about results, not speed.
hypothesis_settings.register_profile("dev", deadline=None)
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True, deadline=None)
hypothesis_settings.load_profile("ci" if os.environ.get("CI") else "dev")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    # The real hasher is slow on purpose; tests create many users and only need it to work.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _force_login_gives_the_second_factor(monkeypatch) -> None:
    """Tests that call force_login mean a fully signed-in user: for staff with a device that
    includes the second factor. Patched on Client itself so that tests making their own
    Client() get it too; tests of the password-only state sign in through the form."""
    from django.test import Client

    from gonghui.accounts.testing import force_login_with_second_factor

    monkeypatch.setattr(Client, "force_login", force_login_with_second_factor)


@pytest.fixture(autouse=True)
def _default_language() -> None:
    # A request in English mode leaves English active in the thread (LocaleMiddleware does
    # not switch back), and services translate their messages as they raise them: each
    # test starts in the site's language, as each request does.
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path_factory) -> None:
    # Uploaded rosters land in a folder of the test run, never in the checkout's var/media.
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory) -> None:
    """SQLite's test database is a file, not memory, so that a real worker started by a test
    (gonghui/core/tests/test_job_worker.py) sees it; one per xdist worker, in its temp folder."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        database.setdefault("TEST", {})["NAME"] = str(tmp_path_factory.getbasetemp() / "test-gonghui.sqlite3")


@pytest.fixture(autouse=True)
def sms_outbox(settings) -> list:
    """Text messages go to an in-memory outbox in tests, never to a console or a gateway."""
    from gonghui.core import sms

    settings.GONGHUI_SMS_BACKEND = "gonghui.core.sms.LocmemBackend"
    sms.outbox.clear()
    return sms.outbox


@pytest.fixture
def fed(db) -> Federation:
    return build_federation()


def pytest_collection_modifyitems(config, items):
    """PostgreSQL-only tests are left out of a SQLite run rather than skipped, so that in CI a
    skip always means something is missing."""
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return
    kept = [item for item in items if "postgres_only" not in item.keywords]
    deselected = [item for item in items if "postgres_only" in item.keywords]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept


def pytest_sessionfinish(session, exitstatus):
    """In CI a skipped test (a missing browser or database) fails the run."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if os.environ.get("CI") and reporter is not None and reporter.stats.get("skipped"):
        reporter.write_line(f"CI: {len(reporter.stats['skipped'])} test(s) skipped; failing the run", red=True)
        session.exitstatus = 1


# --- browser tests (gonghui/browser_testing.py has what they share besides these) ---------


@pytest.fixture(scope="session")
def browser():
    from gonghui.browser_testing import CHROMIUM, CHROMIUM_ARGS

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
def site(live_server, transactional_db, fed) -> str:
    return live_server.url


@pytest.fixture
def open_page(browser, site):
    """New pages in fresh browser contexts, closed before the database is torn down so no
    request is still in flight against it."""
    from gonghui.browser_testing import DESKTOP

    contexts = []

    def new_page(viewport=DESKTOP):
        context = browser.new_context(viewport=viewport, locale="zh-CN")
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield new_page
    for context in contexts:
        context.close()
