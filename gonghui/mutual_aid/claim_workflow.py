"""A claim the member filed, as a process (core.workflow): the union's officer checks it,
then the town federation above the union (or the city) approves it; either may turn it
down with a reason. What each step changes is member_claims.py's to say.

    (new) ──file (the member)──▶ submitted ──check (union officer)──▶ checked
    checked ──approve (town or city)──▶ approved (or refused: the rules pay nothing)
    submitted | checked ──reject (officer, town or city, with a reason)──▶ rejected
"""

from __future__ import annotations

from django.utils.translation import gettext_noop

from gonghui.core import workflow
from gonghui.core.access import MemberScope, Role, Scope
from gonghui.core.workflow import INITIAL, Process, Step
from gonghui.mutual_aid.models import Claim, ClaimStatus, MemberClaim, SchemeYear

SUBMITTED, CHECKED = ClaimStatus.SUBMITTED.value, ClaimStatus.CHECKED.value
APPROVED, REFUSED, REJECTED = ClaimStatus.APPROVED.value, ClaimStatus.REFUSED.value, ClaimStatus.REJECTED.value
APPROVERS = {Role.TOWN, Role.CITY}


def _covers_union(scope: Scope, claim: Claim) -> bool:
    return scope.covers_path(claim.enrolment.union.path)


def own_claim(scope: Scope, claim: Claim) -> bool:
    return isinstance(scope, MemberScope) and claim.person_id == scope.person_id


def may_check(scope: Scope, claim: Claim) -> bool:
    return scope.role == Role.UNION and _covers_union(scope, claim)


def may_approve(scope: Scope, claim: Claim) -> bool:
    return scope.role in APPROVERS and _covers_union(scope, claim)


def may_reject(scope: Scope, claim: Claim) -> bool:
    return scope.role in {Role.UNION, *APPROVERS} and _covers_union(scope, claim)


def _lock(claim: Claim, step: str) -> MemberClaim:
    """Approving values the claim against the member's year, so it takes the scheme year's
    row first, as a settlement run does (settlements.py): no batch values the same annual
    caps meanwhile."""
    if step == "approve":
        SchemeYear.objects.select_for_update().filter(pk=claim.scheme_year_id).first()
    return (
        MemberClaim.objects.select_for_update(of=("self",))
        .select_related("person", "enrolment__union", "scheme_year", "rule_set")
        .get(pk=claim.pk)
    )


CLOSED = {
    SUBMITTED: gettext_noop("该申请尚待工会审核，不能审批"),
    CHECKED: gettext_noop("该申请已经工会审核，正在等待审批"),
    APPROVED: gettext_noop("该申请已审批通过"),
    REFUSED: gettext_noop("该申请已审批（按规则补助为零）"),
    REJECTED: gettext_noop("该申请已退回"),
}
OUTSIDE = gettext_noop("该申请不在您的管辖范围内")

CLAIM = workflow.register(
    Process(
        kind="mutual_aid.claim",
        model=MemberClaim,
        state_of=lambda claim: str(claim.status),
        lock=_lock,
        field="claim",
        closed_message=lambda claim, state: CLOSED.get(state, gettext_noop("该申请已处理")),
        subject_label=lambda claim: f"互助保障补助申请 {claim.person.name}",
        audit_detail=lambda claim: {"claim": claim.pk, "status": claim.status, "amount": str(claim.amount)},
        steps=(
            Step(
                name="file",
                label="提交补助申请",
                from_states=frozenset({INITIAL}),
                to_states=frozenset({SUBMITTED}),
                may=own_claim,
                refusal=gettext_noop("只有参保职工本人可以申请补助"),
            ),
            Step(
                name="check",
                label="工会审核",
                from_states=frozenset({SUBMITTED}),
                to_states=frozenset({CHECKED}),
                may=may_check,
                refusal=gettext_noop("只有职工所在基层工会可以审核该申请"),
                repeated=gettext_noop("该申请已经工会审核，正在等待审批"),
            ),
            Step(
                name="approve",
                label="审批通过",
                from_states=frozenset({CHECKED}),
                to_states=frozenset({APPROVED, REFUSED}),
                may=may_approve,
                refusal=gettext_noop("只有工会所在的镇（街道）总工会或市总工会可以审批该申请"),
                repeated=gettext_noop("该申请已审批通过"),
            ),
            Step(
                name="reject",
                label="退回申请",
                from_states=frozenset({SUBMITTED, CHECKED}),
                to_states=frozenset({REJECTED}),
                may=may_reject,
                refusal=OUTSIDE,
                needs_reason=True,
                reason_message=gettext_noop("请填写退回理由"),
            ),
        ),
    )
)
