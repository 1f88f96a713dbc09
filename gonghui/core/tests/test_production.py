"""The production profile (DJANGO_DEBUG=false) and the Celery broker, read from the
environment of a fresh process, since settings are read once at start."""

import base64
import json
import os
import subprocess
import sys

from django.conf import settings

KEY = "k" * 20 + "-7Qp2vX9rT4mZ8wL1nB6yC3hF5jD0sA"
PRODUCTION = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": KEY,
    "DJANGO_ALLOWED_HOSTS": "gonghui.example",
    # Production also needs the personal-data keys (docs/operations.md, "Keys").
    "GONGHUI_FIELD_KEYS": base64.urlsafe_b64encode(b"f" * 32).decode(),
    "GONGHUI_HASH_KEY": base64.urlsafe_b64encode(b"h" * 32).decode(),
}
SHOW = """
import json, django
django.setup()
from django.conf import settings as s
from config.celery import app
print(json.dumps({
    "debug": s.DEBUG, "hosts": s.ALLOWED_HOSTS, "csrf_origins": s.CSRF_TRUSTED_ORIGINS,
    "session_secure": s.SESSION_COOKIE_SECURE, "csrf_secure": s.CSRF_COOKIE_SECURE,
    "ssl_redirect": s.SECURE_SSL_REDIRECT, "hsts": s.SECURE_HSTS_SECONDS, "proxy_header": s.SECURE_PROXY_SSL_HEADER,
    "static": s.STORAGES["staticfiles"]["BACKEND"], "cache": s.CACHES["default"]["BACKEND"],
    "log_format": s.LOGGING["handlers"]["console"]["formatter"],
    "broker": app.conf.broker_url, "eager": app.conf.task_always_eager,
}))
"""


def run_settings(**env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CELERY_", "REDIS_", "GONGHUI_"))}
    clean["DJANGO_SETTINGS_MODULE"] = "config.settings"
    return subprocess.run(
        [sys.executable, "-c", SHOW], env={**clean, **env}, cwd=settings.BASE_DIR, capture_output=True, text=True
    )


def shown(**env: str) -> dict:
    result = run_settings(**env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_production_profile_is_secure_and_serves_compressed_hashed_static_files():
    found = shown(**PRODUCTION, DJANGO_CSRF_TRUSTED_ORIGINS="https://gonghui.example,https://www.gonghui.example")
    assert found["debug"] is False and found["hosts"] == ["gonghui.example"]
    assert found["csrf_origins"] == ["https://gonghui.example", "https://www.gonghui.example"]
    assert found["session_secure"] and found["csrf_secure"] and found["ssl_redirect"]
    assert found["hsts"] >= 365 * 24 * 3600 and found["proxy_header"] is None
    assert found["static"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert found["log_format"] == "json"


def test_behind_a_tls_proxy_the_forwarded_scheme_is_trusted():
    found = shown(**PRODUCTION, DJANGO_BEHIND_TLS_PROXY="true")
    assert found["proxy_header"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_production_refuses_to_start_without_a_real_secret_key():
    for key in (None, "dev-only-insecure-key-change-me", "short"):
        env = {**PRODUCTION, "DJANGO_SECRET_KEY": key} if key else {"DJANGO_DEBUG": "false"}
        result = run_settings(**env)
        assert result.returncode != 0
        assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_production_refuses_to_start_without_its_host_names():
    env = {k: v for k, v in PRODUCTION.items() if k != "DJANGO_ALLOWED_HOSTS"}
    result = run_settings(**env)
    assert result.returncode != 0 and "DJANGO_ALLOWED_HOSTS" in result.stderr


def test_celery_takes_the_broker_from_the_environment_and_then_queues_tasks():
    found = shown(CELERY_BROKER_URL="redis://127.0.0.1:6379/0", REDIS_URL="redis://127.0.0.1:6379/1")
    assert found["broker"] == "redis://127.0.0.1:6379/0" and found["eager"] is False
    assert found["cache"] == "django.core.cache.backends.redis.RedisCache"


def test_without_a_broker_tasks_run_in_process():
    found = shown()
    assert found["broker"] == "memory://" and found["eager"] is True and found["debug"] is True
