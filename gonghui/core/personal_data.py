"""What a member's "download my data" (the privacy app) contains. Each app that holds
personal data defines its part in its own `personal_data.py` and registers it in its
contributions.py (core/registry.py):

    personal_data.registry.register(personal_data.PersonalData(
        key="mutual_aid_claims",
        label="医疗互助申请",
        collect=lambda person: [{"claim_no": c.number, ...} for c in person.claims.all()],
        order=40,
    ))

`collect` is given the member's own Person (access is already settled: it is their data)
and returns JSON-ready rows. A programme that forgets to register is the one thing this
file cannot catch, so each programme's tests should check its key is in the download.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.utils import timezone
from django.utils.functional import Promise

from gonghui.core.registry import Registry

# Given the member's own members.Person; returns JSON-ready rows.
Collect = Callable[[Any], list[dict[str, Any]]]


@dataclass(frozen=True)
class PersonalData:
    key: str
    label: str | Promise
    collect: Collect
    order: int = 100
    # The heading of each row key, as a reader sees it (gettext_lazy: Chinese, or English in
    # English mode); a key without one is shown as it is.
    columns: Mapping[str, str | Promise] = field(default_factory=dict)


registry: Registry[PersonalData] = Registry("personal data parts")


def register_personal_data(key: str, label: str | Promise, collect: Collect, order: int = 100) -> PersonalData:
    """Add a part to the member's data download; registering the same key twice is a bug."""
    return registry.register(PersonalData(key=key, label=label, collect=collect, order=order))


def unregister_personal_data(key: str) -> None:
    registry.unregister(key)


def personal_data_parts() -> list[PersonalData]:
    return registry.all()


def json_ready(value: Any) -> Any:
    """Dates as ISO strings; times in the federation's time zone with their offset
    (2026-03-01T09:30:00+08:00), the moment the member saw on the page."""
    if isinstance(value, datetime) and timezone.is_aware(value):
        return timezone.localtime(value).isoformat()
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Promise):
        return str(value)
    return value


def row(**values: Any) -> dict[str, Any]:
    """One JSON-ready row of a part: dates and times as ISO strings."""
    return {key: json_ready(value) for key, value in values.items()}
