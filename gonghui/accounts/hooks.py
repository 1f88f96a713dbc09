"""What the accounts app asks of the apps built on it, which subscribe in their own
contributions.py (core/registry.py); this app never imports them.

- people_seen: the people (members.Person rows) a staff scope may see, so that the accounts
  of those members are in the scope's account list too. The members app answers with its
  own scoped person list.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import QuerySet

from gonghui.core.access import Scope
from gonghui.core.registry import Registry


@dataclass(frozen=True)
class PeopleSeen:
    key: str
    people: Callable[[Scope], QuerySet]
    order: int = 100


people_seen: Registry[PeopleSeen] = Registry("people a scope sees")
