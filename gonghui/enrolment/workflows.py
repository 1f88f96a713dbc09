"""The membership application as a process (core.workflow): pending until an officer of the
chosen union (or above it) accepts or refuses it, once. The services say what each step
changes; accepting goes through members.services.member_join."""

from django.utils.translation import gettext_noop

from gonghui.core import workflow
from gonghui.core.access import Scope
from gonghui.core.workflow import Process, Step
from gonghui.enrolment.models import Application, ApplicationStatus
from gonghui.organisations.locks import lock_organisation
from gonghui.organisations.models import Organisation

PENDING, ACCEPTED, REFUSED = (s.value for s in ApplicationStatus)


def _covers_union(scope: Scope, application: Application) -> bool:
    return scope.covers_path(application.union.path)


def _lock(application: Application, step: str) -> Application:
    """Accepting writes into the union, so its row is locked first, as for every write into a
    union (members.locks); the union an application names never changes."""
    if step == "accept":
        union_id = Application.objects.values_list("union_id", flat=True).get(pk=application.pk)
        lock_organisation(Organisation(pk=union_id))
    return Application.objects.select_for_update(of=("self",)).select_related("union").get(pk=application.pk)


OUTSIDE = gettext_noop("该申请不在您的管辖范围内")

APPLICATION = workflow.register(
    Process(
        kind="enrolment.application",
        model=Application,
        state_of=lambda application: str(application.status),
        lock=_lock,
        field="application",
        closed_message=lambda application, state: gettext_noop("该申请已处理"),
        subject_label=lambda application: f"入会申请 {application.name}",
        audit_detail=lambda application: {"application": application.pk, "status": application.status},
        steps=(
            Step(
                name="accept",
                label="接收入会",
                from_states=frozenset({PENDING}),
                to_states=frozenset({ACCEPTED}),
                may=_covers_union,
                refusal=OUTSIDE,
            ),
            Step(
                name="refuse",
                label="拒绝入会",
                from_states=frozenset({PENDING}),
                to_states=frozenset({REFUSED}),
                may=_covers_union,
                refusal=OUTSIDE,
                needs_reason=True,
                reason_message=gettext_noop("拒绝理由不能为空"),
            ),
        ),
    )
)
