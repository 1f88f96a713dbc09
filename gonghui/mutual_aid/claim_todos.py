"""The workbench's to-dos for claims members filed (core/todos.py): a union officer's claims
to check, the town's or the city's claims to approve, each counted in the viewer's unions."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from gonghui.core.access import Role, Scope
from gonghui.core.errors import Forbidden
from gonghui.core.todos import Todo
from gonghui.mutual_aid.claim_workflow import APPROVERS
from gonghui.mutual_aid.member_claims import claim_queue
from gonghui.mutual_aid.models import ClaimStatus

NOT_YOURS = gettext_noop("此项待办不属于您")


def claims_to_check(scope: Scope) -> int:
    if scope.role != Role.UNION:
        raise Forbidden(NOT_YOURS)  # left off the workbench of everyone but union officers
    return claim_queue(scope=scope, status=ClaimStatus.SUBMITTED).count()


def claims_to_approve(scope: Scope) -> int:
    if scope.role not in APPROVERS:
        raise Forbidden(NOT_YOURS)
    return claim_queue(scope=scope, status=ClaimStatus.CHECKED).count()


TODOS = (
    Todo("mutual_aid.claims_to_check", _("待审核的互助补助申请"), claims_to_check, "mutual_aid:claims", order=40),
    Todo("mutual_aid.claims_to_approve", _("待审批的互助补助申请"), claims_to_approve, "mutual_aid:claims", order=41),
)
