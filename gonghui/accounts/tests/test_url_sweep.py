"""Every URL the project serves, opened by a staff user who gave a password but not the
second factor: none may answer with staff content. The same sweep by a fully signed-in
officer shows the URLs were really reached (filled with ids of rows that exist)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern
from django.utils.regex_helper import normalize

from gonghui.testing import PASSWORD, Federation

# What may answer 200 before the second factor: the sign-in steps, the language switch,
# the health probe, the API's description and the public pages.
OPEN_NAMES = {
    "accounts:login",
    "accounts:logout",
    "accounts:second_factor",
    "accounts:second_factor_enrol",
    "set_language",
    "healthz",
    "api:openapi-json",
    "api:openapi-view",
}
PUBLIC_NAMESPACES = {"enrolment"}
PUBLIC_NAMES = {
    "enrolment:apply",
    "enrolment:done",
    "enrolment:status",
    "enrolment:union_options",
    "accounts:activate",
}


def url_patterns(resolver: URLResolver, prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str]]:
    """(regex of the whole path, view name) for every leaf pattern, recursively."""
    for entry in resolver.url_patterns:
        regex = prefix + pattern_regex(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}:{entry.namespace}".strip(":") if entry.namespace else namespace
            yield from url_patterns(entry, regex, inner)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}".strip(":") if entry.name else ""
            yield regex, name


def pattern_regex(pattern: Any) -> str:
    if not isinstance(pattern, RoutePattern | RegexPattern):  # pragma: no cover - Django has no other kinds
        raise TypeError(pattern)
    regex = pattern.regex.pattern  # a route compiles to the regex Django matches it by
    return regex.removeprefix("^").removesuffix(r"\Z").removesuffix("$")


def candidate_paths(regex: str, ids: list[str]) -> list[str]:
    """The path with each of its parameters filled with each candidate value."""
    paths = []
    for fmt, params in normalize(regex):
        for value in ids:
            paths.append("/" + fmt % {param: sample(param, value) for param in params})
    return paths


def sample(param: str, value: str) -> str:
    return {"app_label": "members", "fmt": "xlsx", "url": "", "model_name": "person"}.get(param, value)


def every_url(ids: list[str]) -> list[tuple[str, list[str]]]:
    return [(name, candidate_paths(regex, ids)) for regex, name in url_patterns(get_resolver())]


def row_ids(fed: Federation) -> list[str]:
    ids = (fed.member_a1.person_id, fed.town_a.pk, fed.member_a1.pk, fed.union_a1_officer.pk, 1)
    return [str(pk) for pk in ids]


def is_open(name: str) -> bool:
    return name in OPEN_NAMES or name in PUBLIC_NAMES


def make_admin(fed: Federation) -> Any:
    user = fed.city_staff
    user.is_staff = True
    user.save()
    user.user_permissions.add(*Permission.objects.filter(codename__startswith="view_"))
    return user


@pytest.fixture
def half_signed_in(fed: Federation) -> Client:
    make_admin(fed)
    client = Client()
    response = client.post("/accounts/login/", {"username": "city", "password": PASSWORD})
    assert response.status_code == 302 and "second-factor" in response["Location"]
    return client


def test_no_url_opens_to_staff_without_the_second_factor(half_signed_in: Client, fed: Federation) -> None:
    leaks = []
    swept = 0
    for name, paths in every_url(row_ids(fed)):
        for path in paths:
            for method in ("get", "post"):
                response = getattr(half_signed_in, method)(path)
                swept += 1
                if response.status_code < 300 and not is_open(name):
                    leaks.append((method, path, name, response.status_code))
    assert leaks == []
    assert swept > 200  # the admin and the API were walked too


def test_the_sweep_reaches_real_pages_when_signed_in_fully(client: Client, fed: Federation) -> None:
    client.force_login(make_admin(fed))
    reached = set()
    for name, paths in every_url(row_ids(fed)):
        if any(client.get(path).status_code == 200 for path in paths):
            reached.add(name)
    expected = {
        "organisations:workbench",
        "organisations:detail",
        "members:list",
        "members:detail",
        "accounts:account_list",
        "accounts:account_detail",
        "admin:index",
        "admin:members_person_changelist",
        "admin:members_person_change",
    }
    assert expected <= reached
    assert len(reached) > 30
