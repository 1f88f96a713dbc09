"""One helper for every list that apps add to: report figures, member-detail sections,
personal-data parts, navigation entries, workbench to-dos, demo data, audited models and the
hooks earlier apps announce (a union closed, a subtree counted). An earlier app owns the
registry and reads it; a later app adds its entries, so the earlier app never imports it.

Where: each app lists everything it adds in its own `contributions.py`. That module is
imported once, at start-up, by `discover_contributions()` (called from core's AppConfig.ready),
in INSTALLED_APPS order; nothing is registered anywhere else.

    # gonghui/mutual_aid/contributions.py
    from gonghui.core import figures, navigation
    from gonghui.mutual_aid import figures as aid_figures

    figures.registry.register_all(aid_figures.FIGURES)
    navigation.registry.register(navigation.NavEntry(key="mutual_aid", label=_("医疗互助"), ...))

Entries have a unique key (registering another entry under a key already taken is a bug
and raises) and an order; `all()` gives them by order, then key.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from operator import attrgetter
from typing import Any, Generic, TypeVar

from django.utils.module_loading import autodiscover_modules

T = TypeVar("T")

CONTRIBUTIONS_MODULE = "contributions"


class Registry(Generic[T]):
    """Entries of one kind, by key. `key` and `order` read them off an entry."""

    def __init__(
        self,
        name: str,
        *,
        key: Callable[[T], str] = attrgetter("key"),
        order: Callable[[T], Any] = attrgetter("order"),
    ) -> None:
        self.name = name
        self._key = key
        self._order = order
        self._entries: dict[str, T] = {}

    def register(self, entry: T) -> T:
        key = self._key(entry)
        if key in self._entries and self._entries[key] is not entry:
            raise ValueError(f"{self.name}: {key} registered twice")
        self._entries[key] = entry
        return entry

    def register_all(self, entries: Iterable[T]) -> None:
        for entry in entries:
            self.register(entry)

    def unregister(self, key: str) -> None:
        self._entries.pop(key, None)

    def get(self, key: str) -> T:
        """The entry under `key`; KeyError when there is none."""
        return self._entries[key]

    def all(self) -> list[T]:
        return sorted(self._entries.values(), key=lambda e: (self._order(e), self._key(e)))

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def __iter__(self) -> Iterator[T]:
        return iter(self.all())

    def __len__(self) -> int:
        return len(self._entries)


def discover_contributions() -> None:
    """Import every installed app's `contributions.py`, once. Called from CoreConfig.ready."""
    autodiscover_modules(CONTRIBUTIONS_MODULE)
