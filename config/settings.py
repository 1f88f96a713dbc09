"""Settings for every environment; each value comes from the environment with a safe
development default, so a clone runs with no configuration at all."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("GONGHUI_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    return os.environ.get(name, str(default)).lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# DJANGO_DEBUG=false is the production profile: see "Production profile" below.
DEBUG = env_bool("DJANGO_DEBUG", True)
DEV_SECRET_KEY = "dev-only-insecure-key-change-me"
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", DEV_SECRET_KEY)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "gonghui.accounts.apps.VerifiedAdminConfig",  # the admin, refusing staff without a second factor
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.humanize",
    "django.contrib.staticfiles",
    "ninja",  # serves its bundled Swagger UI, so /api/docs needs no outside network
    "treebeard",
    "simple_history",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "gonghui.core",
    "gonghui.accounts",
    "gonghui.organisations",
    "gonghui.members",
    "gonghui.reports",
    "gonghui.privacy",
    "gonghui.enrolment",
    "gonghui.mutual_aid",
    "gonghui.demo",  # last: puts together every app's demo data
]

MIDDLEWARE = [
    "gonghui.core.logging.RequestIdMiddleware",
    "gonghui.core.api_support.ApiErrorsAsJson",  # errors under /api/ as JSON, whoever answered
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "gonghui.accounts.middleware.SessionLimitsMiddleware",
    "gonghui.accounts.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a lock-out into its page
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "gonghui" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "gonghui.core.context_processors.scope",
                "gonghui.core.context_processors.notifications",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'gonghui.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        # A kept connection the database has dropped (a restart, a failover, an idle
        # timeout) is tested before each request reuses it, instead of failing that request.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the import job write while pages read; IMMEDIATE avoids lock upgrade deadlocks.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Sign-in (docs/sign-in.md) ----------------------------------------------------------------
# Length over complexity: a long passphrase, no rules about symbols; common passwords refused.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
]
# Axes first: it refuses a locked account or address before the password is even checked.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = int(os.environ.get("GONGHUI_SIGN_IN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("GONGHUI_SIGN_IN_LOCK_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # either one reaching the limit locks
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True  # successful sign-ins go to our audit log instead
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "gonghui.core.audit.client_ip"  # the same address the audit log records
AXES_VERBOSE = False  # failures and lockouts reach the audit log; no banner on every command
# Idle limit: the session cookie and its stored copy expire this long after the last request
# (refreshed at most once a minute by SessionLimitsMiddleware, not written on every request).
SESSION_COOKIE_AGE = int(os.environ.get("GONGHUI_SESSION_IDLE_MINUTES", "30")) * 60
SESSION_ABSOLUTE_SECONDS = int(os.environ.get("GONGHUI_SESSION_MAX_HOURS", "12")) * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
OTP_TOTP_ISSUER = os.environ.get("GONGHUI_TOTP_ISSUER", "海宁工会")
# Secrets are shown once, at enrolment; the admin never shows them again (and its config
# page would answer 500 for a missing device rather than 404).
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
LOGIN_URL = "accounts:login"
# A new account, or an accepted member, gets a one-time activation code instead of a password;
# an unused code stops working after this many days (docs/sign-in.md, "Accounts").
GONGHUI_ACTIVATION_CODE_DAYS = int(os.environ.get("GONGHUI_ACTIVATION_CODE_DAYS", "7"))
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["config.formats"]  # thousands separators in Chinese too (config/formats)

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
# Front-end libraries come from npm into node_modules; only their dist folders are served.
STATICFILES_DIRS = [
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
    ("vendor/pico", BASE_DIR / "node_modules" / "@picocss" / "pico" / "css"),
    ("vendor/echarts", BASE_DIR / "node_modules" / "echarts" / "dist"),
]
STATICFILES_DIRS = [(prefix, path) for prefix, path in STATICFILES_DIRS if path.exists()]
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "media/"

# Background work (docs/operations.md, "Worker and broker"): Celery with Redis in production;
# `filesystem://` for the embedded demo (scripts/demo.sh starts a worker beside the server, the
# queue is a folder under var/); with no broker at all (memory://) tasks run in-process.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "memory://")
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", CELERY_BROKER_URL == "memory://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    BROKER_DIR = Path(os.environ.get("GONGHUI_BROKER_DIR", VAR_DIR / "broker"))
    for _folder in ("queue", "control"):
        (BROKER_DIR / _folder).mkdir(parents=True, exist_ok=True)
    # One folder both ways: what the web process writes is what the worker reads.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "control_folder": str(BROKER_DIR / "control"),
        "polling_interval": 0.5,
    }
# A worker takes one job at a time; one that dies is noticed by its jobs' heartbeat stopping
# for this long, and they are queued again or failed, saying so (gonghui/core/jobs.py).
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
GONGHUI_JOB_LEASE_SECONDS = int(os.environ.get("GONGHUI_JOB_LEASE_SECONDS", "120"))
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE  # the beat schedule in config/celery.py is in local time
# The worker logs through LOGGING below (JSON lines, personal numbers masked), not its own setup.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Roster imports (docs/operations.md, "Uploaded rosters"): a file above either limit is refused
# with a message saying so; the size before the file is read, the rows while it is read.
GONGHUI_IMPORT_MAX_BYTES = int(os.environ.get("GONGHUI_IMPORT_MAX_BYTES", str(20 * 1024 * 1024)))
GONGHUI_IMPORT_MAX_ROWS = int(os.environ.get("GONGHUI_IMPORT_MAX_ROWS", "300000"))
# An uploaded roster is kept (encrypted) only until its job ends; purge_imports (daily, from
# Celery beat) removes any left over after this many days. Never more than 30.
GONGHUI_IMPORT_RETENTION_DAYS = max(1, min(int(os.environ.get("GONGHUI_IMPORT_RETENTION_DAYS", "30")), 30))

# Invoice photos a member files with a mutual-aid claim (docs/mutual-aid.md, "Member claims"):
# each at most this many bytes, and at most this many photos a claim.
GONGHUI_INVOICE_MAX_BYTES = int(os.environ.get("GONGHUI_INVOICE_MAX_BYTES", str(5 * 1024 * 1024)))
GONGHUI_INVOICE_MAX_FILES = int(os.environ.get("GONGHUI_INVOICE_MAX_FILES", "6"))

# Ages at joining (docs/rosters.md): younger than the minimum working age (Labour Law art. 15)
# is refused; older than the warning age is accepted with a warning to check the row.
GONGHUI_MIN_JOIN_AGE = int(os.environ.get("GONGHUI_MIN_JOIN_AGE", "16"))
GONGHUI_JOIN_AGE_WARNING = int(os.environ.get("GONGHUI_JOIN_AGE_WARNING", "75"))

# Text messages (gonghui/core/sms.py): the console backend prints them, number masked, and
# sends nothing. A real gateway: "gonghui.core.sms.HttpBackend" with GONGHUI_SMS_HTTP_URL,
# GONGHUI_SMS_HTTP_TOKEN and GONGHUI_SMS_SIGN (the sender's signature), or a subclass of it.
GONGHUI_SMS_BACKEND = os.environ.get("GONGHUI_SMS_BACKEND", "gonghui.core.sms.ConsoleBackend")

# The audit log is kept at least 180 days (Cybersecurity Law art. 21, MLPS 2.0); prune_audit
# removes older entries only past this age and refuses any value below 180.
AUDIT_RETENTION_DAYS = int(os.environ.get("AUDIT_RETENTION_DAYS", "180"))

# JSON lines in production (LOG_FORMAT=json|text overrides); every handler masks anything that
# looks like an identity or mobile number, whatever logged it.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "personal_data": {"()": "gonghui.core.logging.PersonalDataFilter"},
        "request_id": {"()": "gonghui.core.logging.RequestIdFilter"},
    },
    "formatters": {
        "json": {"()": "gonghui.core.logging.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id", "personal_data"],
            "formatter": os.environ.get("LOG_FORMAT", "text" if DEBUG else "json"),
        }
    },
    # Django's own handlers (a console in debug, mail to admins, runserver's lines) would write
    # the same records unmasked: its loggers keep none and pass everything to the root's.
    "loggers": {
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": [], "level": "INFO", "propagate": True},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# --- Production profile (DJANGO_DEBUG=false) ------------------------------------------------
# Static files are served by whitenoise from hashed, pre-compressed copies made by collectstatic.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    # Shared by every app server, so the public application's rate limits hold across all of
    # them (sign-in lockouts are counted in the database by axes).
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
if not DEBUG:
    if SECRET_KEY == DEV_SECRET_KEY or len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set to 50 or more random characters in production")
    if "DJANGO_ALLOWED_HOSTS" not in os.environ:
        raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must name the site's host(s) in production")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    # The load balancer probes /healthz over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", True)
    if env_bool("DJANGO_BEHIND_TLS_PROXY", False):
        # Only behind a proxy that sets this header itself; otherwise clients could forge it.
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# How many proxies (load balancer, nginx) stand in front of the app and append to
# X-Forwarded-For; 0 trusts only the connection's own address.
GONGHUI_TRUSTED_PROXIES = int(os.environ.get("GONGHUI_TRUSTED_PROXIES", "0"))

# --- Keys for encrypted personal fields (gonghui/core/crypto.py, docs/operations.md "Keys") ---
# GONGHUI_FIELD_KEYS: comma-separated, newest first; the newest seals, all of them open.
# GONGHUI_HASH_KEY: the key of the look-up hashes, apart from the field keys (it never rotates
# with them). Development derives both from SECRET_KEY; production must be given real ones.
GONGHUI_FIELD_KEYS = env_list("GONGHUI_FIELD_KEYS")
GONGHUI_HASH_KEY = os.environ.get("GONGHUI_HASH_KEY", "").strip()
if not (GONGHUI_FIELD_KEYS and GONGHUI_HASH_KEY):
    if not DEBUG:
        raise ImproperlyConfigured("GONGHUI_FIELD_KEYS and GONGHUI_HASH_KEY must be set in production")
    import base64
    import hashlib

    def _dev_key(purpose: str) -> str:
        return base64.urlsafe_b64encode(hashlib.sha256(f"{purpose}:{SECRET_KEY}".encode()).digest()).decode()

    GONGHUI_FIELD_KEYS = GONGHUI_FIELD_KEYS or [_dev_key("gonghui-field-key")]
    GONGHUI_HASH_KEY = GONGHUI_HASH_KEY or _dev_key("gonghui-hash-key")

# Content-Security-Policy on every response: scripts and styles only from our own static
# files, so a name like <img onerror=...> that slipped past escaping still cannot run in a
# staff page. htmx's injected indicator style is turned off in base.html's htmx-config.
# Swagger UI at /api/docs loads only its own static files and data: icons, so it fits too.
_SELF = "'self'"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [_SELF],
        "script-src": [_SELF],
        "style-src": [_SELF],
        "img-src": [_SELF, "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": [_SELF],
        "frame-ancestors": ["'none'"],
    }
}
