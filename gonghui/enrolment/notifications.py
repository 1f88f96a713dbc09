"""Who is told what when an application is decided: the applicant, by a text message to the
phone number given in the application (they have no account to read an inbox in). The
message goes out only once the decision has been committed.

Called by one line from the decision services (enrolment.services). An accepted applicant's
activation code, when it goes by text message, is in the same message."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_noop

from gonghui.accounts.activation import IssuedCode
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


# Accepted, with the member's activation code when it is sent this way (accounts.activation).
WITH_CODE = gettext_noop(
    "%(name)s，您申请加入%(union)s的入会申请已通过，欢迎加入工会。会员账号用户名 %(username)s，"
    "激活码 %(code)s，%(expires)s前有效。请在平台“激活账号”页面输入激活码和身份证号，设置密码。"
)


def application_decided(application: Application, *, sign_in: IssuedCode | None = None) -> None:
    kind, title, text = TEXTS[ApplicationStatus(application.status)]
    params = {"name": application.name, "union": application.union.name, "reason": application.refusal_reason}
    if sign_in is not None and sign_in.sent_to:
        expires = timezone.localtime(sign_in.expires_at).strftime("%Y-%m-%d %H:%M")
        params |= {"username": sign_in.username, "code": sign_in.code, "expires": expires}
        text = WITH_CODE
    notify(users=[], kind=kind, title=title, body=text, params=params, sms_to=application.mobile)
