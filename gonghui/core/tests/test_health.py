"""GET /healthz: open to load balancers, nothing personal, 503 naming what is down."""

import pytest
from django.db import OperationalError
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

    monkeypatch.setattr(health, "connection", DownDatabase())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"database": "error", "broker": "not configured"}


def test_only_get_is_answered(client):
    assert client.post("/healthz").status_code == 405
