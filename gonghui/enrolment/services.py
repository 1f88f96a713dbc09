"""Writes for membership applications. A public submission is rate-limited per address and
per phone before anything else, so a flood costs one cache hit per request; officers'
decisions are scoped like every other write and accepting goes through member_join."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from gonghui.accounts.activation import IssuedCode
from gonghui.accounts.administration import Delivery, member_sign_in_grant
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


class ApplicationInvalid(ValidationFailed):
    """Everything wrong with an application at once, each problem naming its field, so the
    worker corrects the form in one go. As a ServiceError it reads as its first problem
    (what the API answers)."""

    def __init__(self, problems: list[ValidationFailed]) -> None:
        first = problems[0]
        super().__init__(first.message, field=first.field, code=first.code)
        self.problems = problems


def _consent(consented: bool) -> bool:
    if not consented:
        raise ValidationFailed(gettext_noop("请阅读并同意个人信息处理告知书"), field="consent")
    return True


def _id_number(value: str) -> str:
    if not (value or "").strip():
        raise ValidationFailed(gettext_noop("身份证号不能为空"), field="id_number")
    return application_id_check(value).number


def _phone(value: str) -> str:
    phone = check_mobile(value)
    if not phone:
        raise ValidationFailed(gettext_noop("手机号码不能为空"), field="mobile")
    return phone


FIELD_CHECKS: dict[str, Callable[[Any], Any]] = {
    "name": partial(_text, field="name"),
    "id_number": _id_number,
    "mobile": _phone,
    "employer_name": partial(_text, field="employer_name"),
    "consent": _consent,
}


def application_problems(**values: Any) -> tuple[dict[str, Any], list[ValidationFailed]]:
    """The fields given (by FIELD_CHECKS' names), checked each on its own: their clean values,
    and every problem found. No database and no limit is touched, so the page can say what
    else is wrong while its own form refuses a field."""
    clean, problems = {}, []
    for field, value in values.items():
        try:
            clean[field] = FIELD_CHECKS[field](value)
        except ValidationFailed as err:
            problems.append(err)
    return clean, problems


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
    # Every field is checked, in the form's order, before anything is refused.
    clean, problems = application_problems(name=name, id_number=id_number, mobile=mobile, employer_name=employer_name)
    union = None
    try:
        union = _open_union(union_code)
    except ValidationFailed as err:
        problems.append(err)
    problems += application_problems(consent=consented)[1]
    if problems or union is None:
        raise ApplicationInvalid(problems)
    return Application.objects.create(
        name=clean["name"],
        id_number=clean["id_number"],
        mobile=clean["mobile"],
        employer_name=clean["employer_name"],
        union=union,
        consent_version=CONSENT_VERSION,
        consented_at=timezone.now(),
        submitted_from=client_ip,
    )


def _employer_named(union: Organisation, name: str) -> Employer | None:
    """The union's employer of exactly that name, if there is one; a typed name that matches
    nothing leaves the membership without an employer for the officer to set later."""
    matches = list(Employer.objects.filter(union=union, name=name)[:2])
    return matches[0] if len(matches) == 1 else None


@dataclass(frozen=True)
class Acceptance:
    membership: Membership
    # The member's activation code, shown to the officer once unless it went by text
    # message; None when the member already signs in with a password of their own.
    sign_in: IssuedCode | None


@transaction.atomic
def application_accept(
    *,
    scope: Scope,
    application: Application,
    joined_on: date | None = None,
    confirm_name_change: bool = False,
    confirm_mobile_change: bool = False,
    code_delivery: str = Delivery.SMS,
) -> Acceptance:
    """Accept into membership, and give the member a sign-in: an account with an activation
    code they type with their identity number or mobile. Anyone can apply with anyone's
    identity number, so a known person's stored name and mobile change only when the officer
    confirms (member_join); the code goes by text to the application's phone, or is shown
    to the officer to pass on."""
    scope.require_staff()
    accepted: list[Acceptance] = []

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
        person = membership.person
        sign_in = member_sign_in_grant(
            actor=scope.user,
            person_id=person.pk,
            name=person.name,
            proofs=[person.id_number, person.mobile],
            sent_to=locked.mobile if code_delivery == Delivery.SMS else "",
        )
        _decided(scope, locked, ApplicationStatus.ACCEPTED, membership=membership, sign_in=sign_in)
        accepted.append(Acceptance(membership=membership, sign_in=sign_in))

    workflow.decide(application, "accept", scope=scope, change=accept)
    return accepted[0]


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
    scope: Scope,
    application: Application,
    status: str,
    *,
    membership: Membership | None = None,
    reason: str = "",
    sign_in: IssuedCode | None = None,
) -> None:
    """The decision on the application's own row; the workflow keeps the step and the audit entry."""
    application.status = status
    application.membership = membership
    application.refusal_reason = reason
    application.decided_at = timezone.now()
    application.decided_by = scope.user
    application.save(update_fields=["status", "membership", "refusal_reason", "decided_at", "decided_by", "updated_at"])
    notifications.application_decided(application, sign_in=sign_in)
