"""Row locks of the member registry, taken only through these helpers and always in this
order, so that two requests can never each hold a row the other waits for:

    1. organisations (unions), in primary-key order   organisations.locks
    2. the person                                      member_join
    3. memberships, in primary-key order
    4. transfers, in primary-key order

A union closing takes its union and the target (1), then the closing union's memberships
(3), then their transfers and the transfers into it (4). A transfer's steps take the
receiving union (1), the membership (3), then the transfer (4). Before this order was
written down, confirming a transfer locked the transfer and then its membership while a
closing locked memberships and then transfers: two such requests could deadlock.

Each write into a union (join, roster import, a transfer's start and completion) locks the
union first and re-checks that it is open, which serialises it with the union's closing."""

from django.db.models import QuerySet
from django.utils.translation import gettext

from gonghui.core.errors import Conflict
from gonghui.members.models import Membership, MembershipStatus, Transfer, TransferStatus
from gonghui.organisations.locks import lock_organisation, lock_organisations
from gonghui.organisations.models import Organisation, OrganisationStatus

__all__ = ["lock_organisation", "lock_organisations", "lock_open_union", "lock_membership", "lock_transfer"]


def lock_open_union(union: Organisation, *, field: str = "union") -> Organisation:
    """The union, locked, refusing one that is no longer an open grassroots union: a union
    checked before the lock may have closed while this request waited for it."""
    locked = lock_organisation(union)
    if not locked.is_grassroots or locked.status != OrganisationStatus.ACTIVE:
        raise Conflict(gettext("%(union)s不是正常状态的基层工会，不能接收会员") % {"union": locked.name}, field=field)
    return locked


def lock_membership(membership: Membership) -> Membership:
    # of=("self",): on PostgreSQL a plain FOR UPDATE would lock the joined union's row too,
    # out of the order above.
    return Membership.objects.select_for_update(no_key=True, of=("self",)).select_related("union").get(pk=membership.pk)


def lock_transfer(transfer: Transfer, *, completing: bool) -> Transfer:
    """The transfer, locked. A step that may complete it (a confirmation) writes into the
    receiving union and ends the membership, so it locks those first; which union and
    membership a transfer names never changes, so they are read unlocked. Other steps
    change the transfer's row only and lock it alone (a union closing cancels transfers
    this way after locking its memberships, so it takes no union lock out of order)."""
    if completing:
        to_union_id, membership_id = Transfer.objects.values_list("to_union_id", "membership_id").get(pk=transfer.pk)
        lock_organisations(Organisation(pk=to_union_id))
        Membership.objects.select_for_update(no_key=True).filter(pk=membership_id).first()
    return (
        Transfer.objects.select_for_update(of=("self",))
        .select_related("membership__union", "to_union")
        .get(pk=transfer.pk)
    )


def lock_memberships_of(union: Organisation) -> QuerySet[Membership]:
    """The union's active memberships, locked in primary-key order (a union closing)."""
    rows = Membership.objects.select_for_update(no_key=True).filter(union=union, status=MembershipStatus.ACTIVE)
    return rows.order_by("pk")


def lock_pending_transfers(*, out_of: Organisation | None = None, into: Organisation | None = None) -> list[Transfer]:
    """Pending transfers out of or into a union, locked in primary-key order."""
    rows = Transfer.objects.select_for_update(of=("self",)).filter(status=TransferStatus.PENDING)
    rows = rows.filter(membership__union=out_of) if out_of is not None else rows.filter(to_union=into)
    return list(rows.select_related("membership__union", "to_union").order_by("pk"))
