"""Keeping each enrolment's cover right as its member's life in the registry changes
(docs/mutual-aid.md, "Enrolment and coverage"):

- joining after the enrolment window: the member may still be enrolled, covered from the
  day they joined (enrolling.py asks `late_joiners`); a first-time enrolee still waits;
- leaving (or death): cover ends on the day they leave; an enrolment for a year whose cover
  has not begun yet is removed while unpaid (nothing was covered), else kept for its first
  day only (the contribution stays paid: refunds are not this app's);
- a transfer between unions: the enrolments still covering move to the new union (the
  history table keeps the old one); the dates do not change;
- a union merged: its enrolments still covering move to the union it merged into;
- a union dissolved: its members' cover ends on the day it closed, as if they left.

Enrolments whose cover ended before the change stay with the union that enrolled them, so
past years' figures by union do not move. Each change is saved with a reason in the history.
"""

from __future__ import annotations

from datetime import date

from django.db.models import QuerySet
from simple_history.utils import bulk_update_with_history

from gonghui.members.hooks import MembershipEnded
from gonghui.members.models import Membership, MembershipStatus
from gonghui.mutual_aid.models import Enrolment, PaymentStatus, SchemeYear
from gonghui.organisations.hooks import UnionClosure
from gonghui.organisations.models import Organisation, OrganisationStatus


def late_joiners(*, scheme_year: SchemeYear, union: Organisation) -> dict[int, date]:
    """The union's active members who joined after the year's window closed, and the day
    their cover may start (the day they joined, or the start of cover if later)."""
    rows = Membership.objects.filter(
        union=union, status=MembershipStatus.ACTIVE, joined_on__gt=scheme_year.enrolment_closes_on
    ).values_list("person_id", "joined_on")
    return {person_id: max(joined_on, scheme_year.coverage_starts_on) for person_id, joined_on in rows}


def _still_covering(enrolments: QuerySet[Enrolment], on: date) -> QuerySet[Enrolment]:
    return enrolments.filter(coverage_to__gte=on).select_for_update().order_by("pk")


def cover_end(*, enrolments: QuerySet[Enrolment], on: date, reason: str) -> int:
    """End the cover of these enrolments on `on` (the leaving rule); how many changed."""
    changed = 0
    for enrolment in _still_covering(enrolments, on).exclude(coverage_to=on):
        setattr(enrolment, "_change_reason", reason)  # noqa: B010  (simple_history reads it on save)
        not_begun = enrolment.coverage_from > on and enrolment.payment_status == PaymentStatus.UNPAID
        if not_begun and not enrolment.claims.exists():
            enrolment.delete()
            changed += 1
            continue
        enrolment.coverage_to = max(on, enrolment.coverage_from)
        enrolment.save(update_fields=["coverage_to", "updated_at"])
        changed += 1
    return changed


def enrolments_move(*, enrolments: QuerySet[Enrolment], on: date, to_union: Organisation, reason: str) -> int:
    """Move the enrolments still covering on `on` to `to_union` (cover unchanged)."""
    moving = list(_still_covering(enrolments, on).exclude(union=to_union))
    for enrolment in moving:
        enrolment.union = to_union
    bulk_update_with_history(moving, Enrolment, ["union"], default_change_reason=reason)
    return len(moving)


def on_membership_ended(ended: MembershipEnded) -> int:
    """The members app's hook: a member left, died or transferred."""
    old = ended.membership
    mine = Enrolment.objects.filter(person_id=old.person_id)
    if ended.successor is None:
        return cover_end(enrolments=mine, on=ended.on, reason=f"{old.get_status_display()}，保障截止")
    new = ended.successor
    moving = list(_still_covering(mine.filter(union_id=old.union_id), ended.on))
    for enrolment in moving:
        enrolment.union_id, enrolment.employer_id = new.union_id, new.employer_id
    bulk_update_with_history(moving, Enrolment, ["union", "employer"], default_change_reason="会籍转接，随转入工会")
    return len(moving)


def on_union_closed(closure: UnionClosure) -> int:
    """The organisations app's closure hook: a merger moves the union's enrolments to the
    union it merged into; a dissolution ends its members' cover on the day."""
    enrolments = Enrolment.objects.filter(union=closure.union)
    if closure.kind == OrganisationStatus.MERGED:
        reason = f"{closure.union.name}并入{closure.target.name}"
        return enrolments_move(enrolments=enrolments, on=closure.on, to_union=closure.target, reason=reason)
    return cover_end(enrolments=enrolments, on=closure.on, reason=f"{closure.union.name}撤销，保障截止")
