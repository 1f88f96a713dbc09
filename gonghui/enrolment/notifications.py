"""Who is told what when an application is decided: the applicant, by a text message to the
phone number given in the application (they have no account to read an inbox in). The
message goes out only once the decision has been committed.

Called by one line from the decision services (enrolment.services)."""

from __future__ import annotations

from django.utils.translation import gettext_noop

from gonghui.core.notifications import notify
from gonghui.enrolment.models import Application, ApplicationStatus

# (kind, title, text), by the decision.
TEXTS = {
    ApplicationStatus.ACCEPTED: (
        "application.accepted",
        gettext_noop("入会申请已通过"),
        gettext_noop("%(name)s，您申请加入%(union)s的入会申请已通过，欢迎加入工会。"),
    ),
    ApplicationStatus.REFUSED: (
        "application.refused",
        gettext_noop("入会申请未通过"),
        gettext_noop("%(name)s，您申请加入%(union)s的入会申请未通过，原因：%(reason)s"),
    ),
}


def application_decided(application: Application) -> None:
    kind, title, text = TEXTS[ApplicationStatus(application.status)]
    params = {"name": application.name, "union": application.union.name, "reason": application.refusal_reason}
    notify(users=[], kind=kind, title=title, body=text, params=params, sms_to=application.mobile)
