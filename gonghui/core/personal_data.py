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

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from gonghui.core.registry import Registry

# Given the member's own members.Person; returns JSON-ready rows.
Collect = Callable[[Any], list[dict[str, Any]]]


@dataclass(frozen=True)
class PersonalData:
    key: str
    label: str
    collect: Collect
    order: int = 100


registry: Registry[PersonalData] = Registry("personal data parts")


def register_personal_data(key: str, label: str, collect: Collect, order: int = 100) -> PersonalData:
    """Add a part to the member's data download; registering the same key twice is a bug."""
    return registry.register(PersonalData(key=key, label=label, collect=collect, order=order))


def unregister_personal_data(key: str) -> None:
    registry.unregister(key)


def personal_data_parts() -> list[PersonalData]:
    return registry.all()


def json_ready(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def row(**values: Any) -> dict[str, Any]:
    """One JSON-ready row of a part: dates and times as ISO strings."""
    return {key: json_ready(value) for key, value in values.items()}
