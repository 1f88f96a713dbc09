"""Who is told what when a transfer is decided: the member (through their own account, if
they have one) and the officers of both unions, each with a link to what they may open.
The one who decided is not told of their own decision.

Called by one line from the transfer services (members.services), inside their
transaction: the inbox rows go with it if it rolls back."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_noop

from gonghui.core.access import Role
from gonghui.core.notifications import notify
from gonghui.members.models import Transfer, TransferStatus
from gonghui.organisations.models import Organisation

# (kind, title, what the member reads, what the officers read), by the transfer's outcome.
TEXTS = {
    TransferStatus.COMPLETED: (
        "transfer.completed",
        gettext_noop("组织关系转接已完成"),
        gettext_noop("您的会籍已从%(from)s转入%(to)s，转接日期 %(on)s。"),
        gettext_noop("%(name)s 的会籍已从%(from)s转入%(to)s，转接日期 %(on)s。"),
    ),
    TransferStatus.REFUSED: (
        "transfer.refused",
        gettext_noop("组织关系转接被拒绝"),
        gettext_noop("您从%(from)s转入%(to)s的转接被拒绝，原因：%(reason)s"),
        gettext_noop("%(name)s 从%(from)s转入%(to)s的转接被拒绝，原因：%(reason)s"),
    ),
    TransferStatus.CANCELLED: (
        "transfer.cancelled",
        gettext_noop("组织关系转接已撤回"),
        gettext_noop("您从%(from)s转入%(to)s的转接已撤回。"),
        gettext_noop("%(name)s 从%(from)s转入%(to)s的转接已撤回。"),
    ),
}


def officers_of(union: Organisation) -> QuerySet[User]:
    """The union's own officers: union and town accounts whose organisation is that union
    (not those above it, who see it in their subtree but are not its officers)."""
    return User.objects.filter(
        is_active=True, account__role__in=[Role.UNION, Role.TOWN], account__organisation=union
    ).order_by("pk")


def member_users(person_id: int) -> QuerySet[User]:
    return User.objects.filter(is_active=True, account__role=Role.MEMBER, account__person_id=person_id)


def transfer_decided(transfer: Transfer, *, actor: Any) -> None:
    """Tell the member and both unions' officers how `transfer` ended."""
    kind, title, to_member, to_officers = TEXTS[TransferStatus(transfer.status)]
    membership = transfer.membership
    params = {
        "name": membership.person.name,
        "from": membership.union.name,
        "to": transfer.to_union.name,
        "on": f"{transfer.effective_on:%Y-%m-%d}" if transfer.effective_on else "",
        "reason": transfer.refuse_reason,
    }
    not_actor = {"pk": getattr(actor, "pk", None)}
    tell = partial(notify, kind=kind, title=title, params=params)
    tell(
        users=member_users(membership.person_id).exclude(**not_actor),
        body=to_member,
        link=reverse("members:my_membership"),
    )
    # The member's record is the receiving union's after a completed transfer, the sending
    # union's otherwise: only that union's officers can open it.
    holder = transfer.to_union if transfer.status == TransferStatus.COMPLETED else membership.union
    for union in (membership.union, transfer.to_union):
        link = reverse("members:detail", args=[membership.person_id]) if union == holder else ""
        tell(users=officers_of(union).exclude(**not_actor), body=to_officers, link=link)
