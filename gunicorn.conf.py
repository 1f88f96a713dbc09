"""gunicorn settings, each from the environment: `gunicorn -c gunicorn.conf.py config.wsgi`.

Its own logs (errors and the access log) go out as the app's do: JSON lines with identity and
mobile numbers masked, since a URL or a query string may carry one."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", str(multiprocessing.cpu_count() * 2 + 1)))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
# Roster imports run in Celery, so a request that takes longer than this is stuck, not busy.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
# Restart workers now and then so a slow leak cannot grow without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "200"))
# Only the proxy on this host may say the request came over HTTPS.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
# The access line names the method, path, status, size, duration (µs) and request id.
access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(D)s rid=%({x-request-id}o)s'

_handler = {
    "class": "logging.StreamHandler",
    "formatter": "json",
    "filters": ["request_id", "personal_data"],
    "stream": "ext://sys.stdout",
}
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "personal_data": {"()": "gonghui.core.logging.PersonalDataFilter"},
        "request_id": {"()": "gonghui.core.logging.RequestIdFilter"},
    },
    "formatters": {"json": {"()": "gonghui.core.logging.JsonFormatter"}},
    "handlers": {"console": _handler},
    "loggers": {
        "gunicorn.error": {"handlers": ["console"], "level": loglevel.upper(), "propagate": False},
        "gunicorn.access": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
