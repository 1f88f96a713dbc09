"""GET /healthz: open to load balancers, nothing personal, 503 naming what is down."""

import pytest
from django.conf import settings
from django.db import OperationalError, close_old_connections, connection, connections
from kombu import Connection

from gonghui.core import health

pytestmark = pytest.mark.django_db


def test_healthy_without_a_broker_says_so_without_signing_in(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "not configured"}
    assert "no-cache" in response["Cache-Control"]


def test_a_reachable_broker_is_ok(client, settings, monkeypatch):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/0"
    monkeypatch.setattr(Connection, "ensure_connection", lambda self, **kwargs: self)
    assert client.get("/healthz").json() == {"database": "ok", "broker": "ok"}


def test_an_unreachable_broker_gives_503_naming_it_and_not_its_address(client, settings):
    settings.CELERY_BROKER_URL = "redis://:secret@127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"database": "ok", "broker": "error"}
    assert b"secret" not in response.content


def test_an_unreachable_database_gives_503_naming_it(client, monkeypatch):
    class DownDatabase:
        def cursor(self):
            raise OperationalError("could not connect to server")

        def close(self):
            pass

    monkeypatch.setattr(health, "connection", DownDatabase())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"database": "error", "broker": "not configured"}


def test_only_get_is_answered(client):
    assert client.post("/healthz").status_code == 405


# --- dropped connections -------------------------------------------------------------------
# Closing a connection inside a test's transaction would end that transaction, so these run
# outside one.


class DropsTheFirst:
    """An execute wrapper that fails the first `times` queries as a dropped connection does."""

    def __init__(self, times: int) -> None:
        self.times = times
        self.calls = 0

    def __call__(self, execute, sql, params, many, context):
        self.calls += 1
        if self.calls <= self.times:
            raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)


@pytest.mark.django_db(transaction=True)
def test_a_dropped_connection_is_retried_once_on_a_new_one(client):
    dropped = DropsTheFirst(times=1)
    with connection.execute_wrapper(dropped):
        response = client.get("/healthz")
    assert (response.status_code, response.json()["database"]) == (200, "ok")
    assert dropped.calls == 2


@pytest.mark.django_db(transaction=True)
def test_a_database_still_down_on_the_retry_is_503(client):
    dropped = DropsTheFirst(times=2)
    with connection.execute_wrapper(dropped):
        response = client.get("/healthz")
    assert (response.status_code, response.json()["database"]) == (503, "error")
    assert dropped.calls == 2


def test_kept_connections_are_checked_before_reuse():
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True


def terminate_backend() -> None:
    """What a database restart or failover does to every kept connection: end it from the
    server's side, so the client only learns on its next query."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    finally:
        other.close()


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_healthz_survives_a_terminated_backend(client):
    terminate_backend()
    response = client.get("/healthz")
    assert (response.status_code, response.json()["database"]) == (200, "ok")


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_the_next_request_after_a_terminated_backend_does_not_fail():
    from gonghui.organisations.models import Organisation

    terminate_backend()
    close_old_connections()  # what Django does as each request starts
    assert Organisation.objects.count() == 0
