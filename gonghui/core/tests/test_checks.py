"""`manage.py check --deploy` refuses settings that would fail late or let any host in."""

import base64
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from gonghui.core.checks import check_allowed_hosts, check_field_keys

GOOD_KEY = base64.urlsafe_b64encode(b"f" * 32).decode()
GOOD_HASH_KEY = base64.urlsafe_b64encode(b"h" * 32).decode()


@pytest.fixture
def good_keys(settings, monkeypatch):
    # Set by the browser tests (Playwright runs an event loop); Django's deploy check refuses it.
    monkeypatch.delenv("DJANGO_ALLOW_ASYNC_UNSAFE", raising=False)
    settings.GONGHUI_FIELD_KEYS = [GOOD_KEY]
    settings.GONGHUI_HASH_KEY = GOOD_HASH_KEY
    settings.ALLOWED_HOSTS = ["gonghui.example"]
    return settings


def deploy_check() -> str:
    out = StringIO()
    call_command("check", deploy=True, stdout=out, stderr=out)
    return out.getvalue()


def test_well_formed_keys_and_named_hosts_pass(good_keys):
    assert check_field_keys() == [] and check_allowed_hosts() == []
    deploy_check()  # warnings of the development profile, but no error


@pytest.mark.parametrize(
    "bad",
    [
        base64.urlsafe_b64encode(b"f" * 16).decode(),  # 16 bytes: AES-128, not 256
        base64.urlsafe_b64encode(b"f" * 48).decode(),
        (b"f" * 32).hex(),  # hex, not base64: 48 bytes once decoded
        "这不是密钥",
        GOOD_KEY[:20] + "!" + GOOD_KEY[20:],  # the decoder alone would drop the "!"
        GOOD_KEY[:-3],  # cut short
    ],
)
def test_a_malformed_field_key_fails_the_deploy_check(good_keys, bad):
    good_keys.GONGHUI_FIELD_KEYS = [GOOD_KEY, bad]
    assert [e.id for e in check_field_keys()] == ["core.E001"]
    with pytest.raises(SystemCheckError, match="GONGHUI_FIELD_KEYS"):
        deploy_check()


def test_a_malformed_hash_key_fails_the_deploy_check_without_showing_it(good_keys):
    good_keys.GONGHUI_HASH_KEY = "secret-but-short"
    with pytest.raises(SystemCheckError, match="GONGHUI_HASH_KEY") as raised:
        deploy_check()
    assert "secret-but-short" not in str(raised.value)


def test_missing_keys_fail_the_check(good_keys):
    good_keys.GONGHUI_FIELD_KEYS = []
    good_keys.GONGHUI_HASH_KEY = ""
    assert sorted(str(e.id) for e in check_field_keys()) == ["core.E001", "core.E002"]


@pytest.mark.parametrize("hosts", [["*"], ["gonghui.example", "*"], ["*.gonghui.example"]])
def test_a_wildcard_host_fails_the_deploy_check(good_keys, hosts):
    good_keys.ALLOWED_HOSTS = hosts
    assert [e.id for e in check_allowed_hosts()] == ["core.E003"]
    with pytest.raises(SystemCheckError, match="ALLOWED_HOSTS"):
        deploy_check()


def test_a_subdomain_pattern_is_not_a_wildcard(good_keys):
    good_keys.ALLOWED_HOSTS = [".gonghui.example"]
    assert check_allowed_hosts() == []
