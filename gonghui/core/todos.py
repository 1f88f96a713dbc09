"""To-dos on the workbench: what is waiting for the viewer, counted in their scope. Each app
adds its own in its contributions.py (core/registry.py):

    todos.registry.register(todos.Todo(
        key="mutual_aid.claims_to_check",
        label=gettext_lazy("待审核的互助申请"),
        count=lambda scope: claim_list(scope=scope, status=ClaimStatus.SUBMITTED).count(),
        url_name="mutual_aid:claims",
        order=40,
    ))

`count` is given the viewer's scope and must count only what that viewer may act on (call a
scoped selector); a to-do whose count raises Forbidden is left out for that viewer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django_stubs_ext import StrOrPromise

from gonghui.core.access import Scope
from gonghui.core.errors import Forbidden
from gonghui.core.registry import Registry


@dataclass(frozen=True)
class Todo:
    key: str
    label: StrOrPromise
    count: Callable[[Scope], int]
    url_name: str
    order: int = 100


@dataclass(frozen=True)
class ShownTodo:
    key: str
    label: str
    count: int
    url: str


registry: Registry[Todo] = Registry("workbench to-dos")


def todos_for(*, scope: Scope) -> list[ShownTodo]:
    """Every to-do the viewer may see, with its count (zero included, so an officer can
    see that nothing is waiting)."""
    shown = []
    for todo in registry.all():
        try:
            url = reverse(todo.url_name)
            count = todo.count(scope)
        except (Forbidden, NoReverseMatch):
            continue
        shown.append(ShownTodo(key=todo.key, label=str(todo.label), count=count, url=url))
    return shown
