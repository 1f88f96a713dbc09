"""The fixed-window counter behind the public channels' limits."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from gonghui.core.ratelimit import Limit, Throttled, enforce, hit

LIMIT = Limit("test", limit=2, period_seconds=60)


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    cache.clear()


def test_allows_up_to_the_limit_then_refuses() -> None:
    assert [hit(LIMIT, "10.0.0.1") for _ in range(3)] == [True, True, False]


def test_keys_and_limits_count_apart() -> None:
    hit(LIMIT, "a")
    hit(LIMIT, "a")
    assert hit(LIMIT, "b")
    assert hit(Limit("other", limit=1, period_seconds=60), "a")


def test_a_new_window_starts_when_the_old_one_expires() -> None:
    hit(LIMIT, "a")
    hit(LIMIT, "a")
    cache.delete(LIMIT.cache_key("a"))  # what the expiry does
    assert hit(LIMIT, "a")


def test_enforce_raises_429_and_ignores_a_missing_key() -> None:
    enforce(LIMIT, "a")
    enforce(LIMIT, "a")
    with pytest.raises(Throttled) as refused:
        enforce(LIMIT, "a")
    assert refused.value.status_code == 429
    for _ in range(5):
        enforce(LIMIT, None)


def test_the_cache_holds_no_phone_number() -> None:
    assert "13900000001" not in LIMIT.cache_key("13900000001")
