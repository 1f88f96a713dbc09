"""GET /healthz for load balancers and monitoring: is the database answering, and the broker?

No sign-in and nothing personal in the answer; a failure is named but not explained (its
message could hold a connection URL), the detail goes to the log."""

import logging

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)
BROKER_TIMEOUT_SECONDS = 2
IN_PROCESS_BROKERS = ("memory://",)


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": _database(), "broker": _broker()}
    healthy = all(value in {"ok", "not configured"} for value in checks.values())
    return JsonResponse(checks, status=200 if healthy else 503)


def _database() -> str:
    """One retry on a fresh connection: a kept connection the database dropped says nothing
    about the database itself, and taking the server out of the pool for it would be wrong."""
    try:
        _select_one()
    except Exception:
        logger.warning("health check: database connection failed, retrying on a new one", exc_info=True)
    else:
        return "ok"
    try:
        connection.close()
        _select_one()
    except Exception:
        logger.exception("health check: database unavailable")
        return "error"
    return "ok"


def _select_one() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _broker() -> str:
    url = settings.CELERY_BROKER_URL
    if not url or url.startswith(IN_PROCESS_BROKERS):
        return "not configured"
    from kombu import Connection

    try:
        with Connection(url, connect_timeout=BROKER_TIMEOUT_SECONDS) as broker:
            broker.ensure_connection(max_retries=1, interval_start=0, timeout=BROKER_TIMEOUT_SECONDS)
    except Exception:
        logger.exception("health check: broker unavailable")
        return "error"
    return "ok"
