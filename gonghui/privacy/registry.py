"""What a member's "download my data" contains. Each programme that holds personal data
adds its part in its own `personal_data.py`, imported the first time a download is made:

    register_personal_data(
        key="mutual_aid_claims",
        label="医疗互助申请",
        collect=lambda person: [{"claim_no": c.number, ...} for c in person.claims.all()],
        order=40,
    )

`collect` is given the member's own Person (access is already settled: it is their data)
and returns JSON-ready rows. A programme that forgets to register is the one thing this
file cannot catch, so each programme's tests should check its key is in the download.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.module_loading import autodiscover_modules

if TYPE_CHECKING:
    from gonghui.members.models import Person

Collect = Callable[["Person"], list[dict[str, Any]]]


@dataclass(frozen=True)
class PersonalData:
    key: str
    label: str
    collect: Collect
    order: int = 100


_parts: dict[str, PersonalData] = {}
_discovered = False


def register_personal_data(key: str, label: str, collect: Collect, order: int = 100) -> PersonalData:
    """Add a part to the member's data download; registering the same key twice is a bug."""
    if key in _parts:
        raise ValueError(f"personal data part {key} registered twice")
    part = PersonalData(key=key, label=label, collect=collect, order=order)
    _parts[key] = part
    return part


def unregister_personal_data(key: str) -> None:
    _parts.pop(key, None)


def personal_data_parts() -> list[PersonalData]:
    global _discovered
    if not _discovered:
        _discovered = True
        autodiscover_modules("personal_data")
    return sorted(_parts.values(), key=lambda p: (p.order, p.key))
