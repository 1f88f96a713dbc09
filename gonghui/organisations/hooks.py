"""What the organisations app announces to the apps that build on it. They subscribe in their
own contributions.py (core/registry.py); this app never imports them.

- closure_hooks: a union was merged or dissolved. Called inside the closing transaction, in
  order, with the union, the kind of closure and the organisation its people pass to. The
  members app moves the active memberships; a programme moves its own records (enrolments,
  files) the same way. A hook that raises rolls the whole closure back.
- subtree_counts: what the tree pages count for each subtree besides unions and employers
  (the members app adds active members).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet

from gonghui.core.registry import Registry
from gonghui.core.tree import subtree_q
from gonghui.organisations.models import Organisation


@dataclass(frozen=True)
class UnionClosure:
    union: Organisation
    kind: str  # OrganisationStatus.MERGED or DISSOLVED
    target: Organisation  # the union merged into, or the organisation one level up
    on: date
    reason: str  # the officer's note, else the closure's label
    actor: Any  # the user closing it


@dataclass(frozen=True)
class ClosureHook:
    key: str
    on_close: Callable[[UnionClosure], object]
    order: int = 100


closure_hooks: Registry[ClosureHook] = Registry("union closure hooks")


def announce_closure(closure: UnionClosure) -> None:
    for hook in closure_hooks.all():
        hook.on_close(closure)


@dataclass(frozen=True)
class SubtreeCount:
    """Rows counted per subtree: `rows()` gives them all, `via` is the lookup from a row to
    the organisation it belongs to ("union__")."""

    key: str
    rows: Callable[[], QuerySet]
    via: str
    order: int = 100

    def in_subtree(self, path: str) -> QuerySet:
        return self.rows().filter(subtree_q(path, via=self.via))

    def anywhere(self) -> QuerySet:
        """Every row that belongs to some organisation: the whole tree, with no path join."""
        if not self.via:
            return self.rows()
        return self.rows().filter(Q(**{f"{self.via.removesuffix('__')}__isnull": False}))


subtree_counts: Registry[SubtreeCount] = Registry("subtree counts")
