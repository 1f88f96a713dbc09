"""Limits on the public channels (sign-up, and later workers' reports), counted in Django's
cache per address and per phone number.

Written here rather than taken from django-ratelimit: its last release (4.1, 2023) does not
claim Django 5.2, its decorator keys on form fields only (the public API sends JSON), and it
answers 403 where a client should see 429. Counting is a fixed window: the first hit in a
window creates the counter with the window as its expiry, later hits increment it. In
production CACHES must be a shared cache (Redis), or each app process counts on its own."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.core.cache import cache
from django.utils.translation import gettext_noop

from gonghui.core.errors import ServiceError


class Throttled(ServiceError):
    status_code = 429
    code = "throttled"


@dataclass(frozen=True)
class Limit:
    name: str
    limit: int
    period_seconds: int

    def cache_key(self, key: str) -> str:
        # Hashed, so the cache holds no phone number in clear and any key is a valid cache key.
        digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]
        return f"ratelimit:{self.name}:{digest}"


def hit(limit: Limit, key: str) -> bool:
    """Count one request against `limit` for `key`; False once the window's allowance is used."""
    cache_key = limit.cache_key(key)
    if cache.add(cache_key, 1, timeout=limit.period_seconds):
        return limit.limit >= 1
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr: this request opens a new window
        cache.add(cache_key, 1, timeout=limit.period_seconds)
        count = 1
    return count <= limit.limit


def enforce(limit: Limit, key: str | None, *, message: str = gettext_noop("提交过于频繁，请稍后再试")) -> None:
    """Raise Throttled when `key` has used up `limit`; no key (unknown address) is not counted."""
    if key and not hit(limit, key):
        raise Throttled(message, code="throttled")
