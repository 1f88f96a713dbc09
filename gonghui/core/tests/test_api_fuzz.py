"""schemathesis against the API's own schema: generated requests (valid and hostile) from a
city staff member's token meet no server error and no response the schema does not describe.
Each operation gets a bounded number of examples so the module runs in about a minute."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from gonghui.accounts.models import ApiToken
from gonghui.testing import Federation, new_id_number

EXAMPLES_PER_OPERATION = 15


@pytest.fixture
def api_schema() -> Iterator[Any]:
    from config.wsgi import application

    # The WSGI app would close the test's database connection after each request (it is
    # inside the test's transaction, so "unusable" to Django); the test client avoids this
    # the same way.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/openapi.json", application)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.fixture
def city_key(fed: Federation) -> str:
    cache.clear()  # the public endpoint's limits should not carry over from other tests
    _, key = ApiToken.issue(user=fed.city_staff, name="fuzz")
    return key


# Not inside one test transaction: a request the database refuses (NUL, an integer past the
# column) would abort it on PostgreSQL and fail every later request of the test, while in
# production each request has its own. Committing as it goes mirrors production.
@pytest.mark.django_db(transaction=True)
@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: a failure is reported as found
    suppress_health_check=list(HealthCheck),
)
def test_api_survives_generated_requests(case: Any, city_key: str) -> None:
    case.call_and_validate(
        headers={"Authorization": f"Bearer {city_key}"},
        checks=[not_a_server_error, response_schema_conformance],
    )


def test_schema_has_no_duplicate_keys(client: Client) -> None:
    """Python's json keeps the last of two equal keys, but Swagger UI refuses the whole
    document: a response documented as both 200 and "200" once broke /api/docs."""
    duplicates: list[str] = []

    def keep(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [key for key, _ in pairs]
        duplicates.extend(key for key in set(keys) if keys.count(key) > 1)
        return dict(pairs)

    json.loads(client.get("/api/openapi.json").content, object_pairs_hook=keep)
    assert duplicates == []


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("get", "/api/v1/members", {"q": "张\x00"}),
        ("get", "/api/v1/organisations", {"q": "\x00"}),
        ("get", "/api/v1/employers", {"q": "\x00"}),
        ("get", "/api/v1/members/99999999999999999999", None),
        ("get", "/api/v1/organisations/99999999999999999999", None),
        ("get", "/api/v1/members", {"union": "99999999999999999999"}),
        ("get", "/api/v1/members", {"employer": "-99999999999999999999"}),
    ],
)
def test_input_the_database_cannot_store_is_a_400(
    client: Client, city_key: str, method: str, path: str, data: dict[str, str] | None
) -> None:
    """What fuzzing found on PostgreSQL: NUL characters and out-of-range numbers were 500s."""
    response = getattr(client, method)(path, data, HTTP_AUTHORIZATION=f"Bearer {city_key}")
    # SQLite stores NUL and has no narrower integer, so there these may simply succeed.
    assert response.status_code in {200, 400, 404}, response.content
    assert "detail" in response.json() or response.status_code == 200


def test_public_application_with_nul_is_a_400(client: Client, fed: Federation) -> None:
    cache.clear()
    payload = {
        "name": "王\x00",
        "id_number": new_id_number(),
        "mobile": "13900000000",
        "employer_name": "厂\x00",
        "union": "HN-XF-001",
    }
    response = client.post("/api/v1/public/applications", {**payload, "consent": True}, content_type="application/json")
    assert response.status_code == 400
