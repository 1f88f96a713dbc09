"""Writes for membership applications. A public submission is rate-limited per address and
per phone before anything else, so a flood costs one cache hit per request; officers'
decisions are scoped like every other write and accepting goes through member_join."""

from __future__ import annotations

from datetime import date
from functools import partial

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from gonghui.core import workflow
from gonghui.core.access import Scope
from gonghui.core.errors import ValidationFailed
from gonghui.core.ratelimit import Limit, enforce
from gonghui.core.text import CONTROL_MESSAGE, has_control_characters
from gonghui.enrolment import notifications
from gonghui.enrolment.models import CONSENT_VERSION, Application, ApplicationStatus
from gonghui.enrolment.workflows import APPLICATION  # noqa: F401  (registers the process)
from gonghui.members.ages import join_age_check
from gonghui.members.identity import IdNumber, birth_date_of, check_id_number, check_mobile, normalise_mobile
from gonghui.members.models import Membership
from gonghui.members.services import member_join
from gonghui.organisations.identity import normalise_code
from gonghui.organisations.models import Employer, Organisation
from gonghui.organisations.selectors import union_directory

PER_ADDRESS = Limit("enrol-address", limit=5, period_seconds=3600)
PER_PHONE = Limit("enrol-phone", limit=3, period_seconds=86400)


# (max length, message when empty, message when too long) of each free-text field.
TEXT_FIELDS = {
    "name": (50, gettext_noop("姓名不能为空"), gettext_noop("姓名最多50个字")),
    "employer_name": (200, gettext_noop("工作单位不能为空"), gettext_noop("工作单位最多200个字")),
    "reason": (200, gettext_noop("拒绝理由不能为空"), gettext_noop("拒绝理由最多200个字")),
}


def _text(value: str, *, field: str) -> str:
    max_length, empty, too_long = TEXT_FIELDS[field]
    # Checked before spaces are tidied: Python counts U+001C-U+001F as whitespace.
    if has_control_characters(value or "", multiline=field == "reason"):
        raise ValidationFailed(CONTROL_MESSAGE, field=field)
    text = " ".join((value or "").split())
    if not text:
        raise ValidationFailed(empty, field=field)
    if len(text) > max_length:
        raise ValidationFailed(too_long, field=field)
    return text


def _open_union(code: str) -> Organisation:
    code = normalise_code(code)
    union = union_directory(query=code).filter(code=code).first() if code else None
    if union is None:
        raise ValidationFailed(gettext_noop("没有找到该工会，请从列表中选择"), field="union")
    return union


def application_id_check(id_number: str) -> IdNumber:
    """The applicant's number as stored and what they should check (an old 15-digit number
    upgraded); ValidationFailed if it cannot be genuine or its holder is, today, under the
    minimum working age. Accepting checks the age again on the join date (member_join)."""
    found = check_id_number(id_number)
    age = join_age_check(birth_date_of(found.number), timezone.localdate())
    if age.problem:
        raise ValidationFailed(age.problem, field="id_number")
    return found


@transaction.atomic
def application_submit(
    *,
    union_code: str,
    name: str,
    id_number: str,
    mobile: str,
    employer_name: str,
    consented: bool,
    client_ip: str | None,
) -> Application:
    """A worker's application, pending until the union's officers decide on it."""
    enforce(PER_ADDRESS, client_ip)
    enforce(PER_PHONE, normalise_mobile(mobile or "")[:32])
    if not consented:
        raise ValidationFailed(gettext_noop("请阅读并同意个人信息处理告知书"), field="consent")
    number = application_id_check(id_number).number
    phone = check_mobile(mobile)
    if not phone:
        raise ValidationFailed(gettext_noop("手机号码不能为空"), field="mobile")
    return Application.objects.create(
        name=_text(name, field="name"),
        id_number=number,
        mobile=phone,
        employer_name=_text(employer_name, field="employer_name"),
        union=_open_union(union_code),
        consent_version=CONSENT_VERSION,
        consented_at=timezone.now(),
        submitted_from=client_ip,
    )


def _employer_named(union: Organisation, name: str) -> Employer | None:
    """The union's employer of exactly that name, if there is one; a typed name that matches
    nothing leaves the membership without an employer for the officer to set later."""
    matches = list(Employer.objects.filter(union=union, name=name)[:2])
    return matches[0] if len(matches) == 1 else None


@transaction.atomic
def application_accept(
    *,
    scope: Scope,
    application: Application,
    joined_on: date | None = None,
    confirm_name_change: bool = False,
    confirm_mobile_change: bool = False,
) -> Membership:
    """Accept into membership. Anyone can apply with anyone's identity number, so a known
    person's stored name and mobile change only when the officer confirms (member_join)."""
    scope.require_staff()
    joined: list[Membership] = []

    def accept(locked: Application) -> None:
        membership = member_join(
            scope=scope,
            union=locked.union,
            id_number=locked.id_number,
            name=locked.name,
            joined_on=joined_on or timezone.localdate(),
            employer=_employer_named(locked.union, locked.employer_name),
            mobile=locked.mobile,
            confirm_name_change=confirm_name_change,
            confirm_mobile_change=confirm_mobile_change,
        )
        _decided(scope, locked, ApplicationStatus.ACCEPTED, membership=membership)
        joined.append(membership)

    workflow.decide(application, "accept", scope=scope, change=accept)
    return joined[0]


@transaction.atomic
def application_refuse(*, scope: Scope, application: Application, reason: str) -> Application:
    scope.require_staff()
    reason = _text(reason, field="reason")
    return workflow.decide(
        application,
        "refuse",
        scope=scope,
        reason=reason,
        change=partial(_decided, scope, status=ApplicationStatus.REFUSED, reason=reason),
    )


def _decided(
    scope: Scope, application: Application, status: str, *, membership: Membership | None = None, reason: str = ""
) -> None:
    """The decision on the application's own row; the workflow keeps the step and the audit entry."""
    application.status = status
    application.membership = membership
    application.refusal_reason = reason
    application.decided_at = timezone.now()
    application.decided_by = scope.user
    application.save(update_fields=["status", "membership", "refusal_reason", "decided_at", "decided_by", "updated_at"])
    notifications.application_decided(application)
