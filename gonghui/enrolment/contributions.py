"""What the enrolment app adds to core's registries (core/registry.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gonghui.core import audit, navigation, todos
from gonghui.enrolment import todos as enrolment_todos

todos.registry.register_all(enrolment_todos.TODOS)

navigation.registry.register(
    navigation.NavEntry(
        "enrolment.list", _("入会申请"), "enrolment:list", order=50, current=navigation.in_namespace("enrolment")
    )
)


def _applicant(application: object) -> int | None:
    # An accepted application is about the member it made; before that there is no person.
    membership = getattr(application, "membership", None)
    return membership.person_id if membership is not None else None


# Only whose data an application is: its changes are not logged row by row.
audit.audited_models.register(audit.AuditedModel("enrolment.application", person_of=_applicant, changes=False))
