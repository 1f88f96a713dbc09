"""What the members app announces to the apps that build on it (core/registry.py); they
subscribe in their own contributions.py, and this app never imports them.

- membership_ended: one member's membership ended by leaving (or death) or by a completed
  transfer to another union. Called inside the ending transaction, with the new membership
  for a transfer; a hook that raises rolls the change back. A union's closure moves all its
  members at once and is announced by the organisations app's closure hooks instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from gonghui.core.registry import Registry
from gonghui.members.models import Membership


@dataclass(frozen=True)
class MembershipEnded:
    membership: Membership  # the membership that ended (status left, deceased or transferred)
    on: date
    successor: Membership | None  # the membership in the receiving union, for a transfer
    actor: Any


@dataclass(frozen=True)
class MembershipHook:
    key: str
    on_end: Callable[[MembershipEnded], object]
    order: int = 100


membership_ended: Registry[MembershipHook] = Registry("membership ended hooks")


def announce_membership_ended(ended: MembershipEnded) -> None:
    for hook in membership_ended.all():
        hook.on_end(ended)
