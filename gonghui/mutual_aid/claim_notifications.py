"""Who is told what about a claim the member filed: the union's officers when it is filed,
the town federation above the union (or the city, where no town has staff) once it is
checked, and the member at every decision. Called from member_claims.py inside its
transaction, so the inbox rows go with it if it rolls back."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_noop

from gonghui.core.access import Role
from gonghui.core.money import format_money
from gonghui.core.notifications import notify
from gonghui.core.tree import STEPLEN
from gonghui.members.notifications import member_users, officers_of
from gonghui.mutual_aid.models import Claim, ClaimStatus


def approvers_of(claim: Claim) -> QuerySet[User]:
    """The staff of the nearest federation above the claim's union that has any: its town's,
    or else its city's."""
    path = claim.enrolment.union.path
    above = [path[:end] for end in range(STEPLEN, len(path), STEPLEN)]
    for role in (Role.TOWN, Role.CITY):
        users = User.objects.filter(is_active=True, account__role=role, account__organisation__path__in=above)
        if users.exists():
            return users.order_by("pk")
    return User.objects.none()


def _params(claim: Claim) -> dict[str, str]:
    return {
        "name": claim.person.name,
        "union": claim.enrolment.union.name,
        "on": claim.admitted_on.isoformat(),
        "hospital": claim.hospital,
        "total": format_money(claim.total_cost),
        "amount": format_money(claim.amount),
        "filed": format_money(claim.filed_amount if claim.filed_amount is not None else claim.amount),
    }


def _staff_link(claim: Claim) -> str:
    return reverse("mutual_aid:claim_detail", args=[claim.pk])


def _tell_member(claim: Claim, *, kind: str, title: str, body: str, reason: str = "") -> None:
    notify(
        users=member_users(claim.person_id),
        kind=kind,
        title=title,
        body=body,
        params={**_params(claim), "reason": reason},
        link=reverse("mutual_aid:my_claim", args=[claim.pk]),
    )


def claim_filed(claim: Claim) -> None:
    notify(
        users=officers_of(claim.enrolment.union),
        kind="mutual_aid.claim_filed",
        title=gettext_noop("有职工医疗互助补助申请待审核"),
        body=gettext_noop("%(name)s 申请 %(on)s 在%(hospital)s就医的互助补助（总费用 %(total)s 元），请审核。"),
        params=_params(claim),
        link=_staff_link(claim),
    )


def claim_checked(claim: Claim) -> None:
    _tell_member(
        claim,
        kind="mutual_aid.claim_checked",
        title=gettext_noop("您的互助补助申请已通过工会审核"),
        body=gettext_noop("您 %(on)s 就医的互助补助申请已通过%(union)s审核，等待审批。"),
    )
    notify(
        users=approvers_of(claim),
        kind="mutual_aid.claim_checked",
        title=gettext_noop("有职工医疗互助补助申请待审批"),
        body=gettext_noop("%(name)s 申请 %(on)s 就医的互助补助已经%(union)s审核，计算补助 %(amount)s 元，请审批。"),
        params=_params(claim),
        link=_staff_link(claim),
    )


def claim_approved(claim: Claim, *, changed: bool) -> None:
    if claim.status == ClaimStatus.REFUSED:
        body = gettext_noop("您 %(on)s 就医的互助补助申请已审批：按规则本次补助为零，计算过程见申请页面。")
    elif changed:
        body = gettext_noop(
            "您 %(on)s 就医的互助补助申请已批准，按审批时的本年度累计重新计算，补助 %(amount)s 元（申请时为 %(filed)s 元）。"
        )
    else:
        body = gettext_noop("您 %(on)s 就医的互助补助申请已批准，补助 %(amount)s 元。")
    _tell_member(claim, kind="mutual_aid.claim_approved", title=gettext_noop("您的互助补助申请已审批"), body=body)


def claim_rejected(claim: Claim, *, reason: str) -> None:
    _tell_member(
        claim,
        kind="mutual_aid.claim_rejected",
        title=gettext_noop("您的互助补助申请被退回"),
        body=gettext_noop("您 %(on)s 就医的互助补助申请被退回，理由：%(reason)s"),
        reason=reason,
    )
