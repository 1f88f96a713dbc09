"""The member registry's parts of a member's data download (core/personal_data.py): their
record, memberships, membership changes and transfers."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gonghui.core.personal_data import PersonalData, row
from gonghui.members.models import MembershipEvent, Person, Transfer


def person_part(person: Person) -> list[dict[str, Any]]:
    # The full identity number: it is the member's own, so nothing is masked.
    return [
        row(
            name=person.name,
            id_number=person.id_number,
            birth_date=person.birth_date,
            sex=gettext(person.get_sex_display()),
            mobile=person.mobile,
            household_registration=person.household_registration,
            education=gettext(person.get_education_display()) if person.education else "",
            skill_level=gettext(person.get_skill_level_display()) if person.skill_level else "",
            is_migrant_worker=person.is_migrant_worker,
            ethnicity=person.ethnicity,
            political_status=person.get_political_status_display() if person.political_status else "",
        )
    ]


def memberships_part(person: Person) -> list[dict[str, Any]]:
    """Each stretch at one union: first_joined_on is the member's 入会时间 (kept across
    transfers), joined_on the day they came into that union (转入时间)."""
    memberships = person.memberships.select_related("union", "employer").order_by("joined_on", "pk")
    return [
        row(
            union=m.union.name,
            employer=m.employer.name if m.employer else "",
            first_joined_on=m.first_joined_on,
            department=m.department,
            job_title=m.job_title,
            joined_on=m.joined_on,
            ended_on=m.ended_on,
            status=gettext(m.get_status_display()),
            leave_reason=m.leave_reason,
        )
        for m in memberships
    ]


def events_part(person: Person) -> list[dict[str, Any]]:
    events = MembershipEvent.objects.filter(person=person).select_related("union", "counterpart")
    return [
        row(
            on=e.on,
            kind=gettext(e.get_kind_display()),
            union=e.union.name,
            counterpart=e.counterpart.name if e.counterpart else "",
            reason=e.reason,
        )
        for e in events.order_by("on", "pk")
    ]


def transfers_part(person: Person) -> list[dict[str, Any]]:
    transfers = Transfer.objects.filter(membership__person=person).select_related("membership__union", "to_union")
    return [
        row(
            from_union=t.membership.union.name,
            to_union=t.to_union.name,
            requested_on=t.requested_on,
            effective_on=t.effective_on,
            status=gettext(t.get_status_display()),
            initiated_by=gettext(t.get_initiated_by_display()),
            note=t.note,
            refuse_reason=t.refuse_reason,
        )
        for t in transfers.order_by("requested_on", "pk")
    ]


PERSON_COLUMNS = {
    "name": _("姓名"),
    "id_number": _("身份证号"),
    "birth_date": _("出生日期"),
    "sex": _("性别"),
    "mobile": _("手机号码"),
    "household_registration": _("户籍地"),
    "education": _("学历"),
    "skill_level": _("技能等级"),
    "is_migrant_worker": _("是否农民工"),
}
MEMBERSHIP_COLUMNS = {
    "union": _("所在工会"),
    "employer": _("工作单位"),
    "first_joined_on": _("入会时间"),
    "joined_on": _("转入时间"),
    "ended_on": _("离会时间"),
    "status": _("状态"),
    "leave_reason": _("退会原因"),
}
EVENT_COLUMNS = {
    "on": _("日期"),
    "kind": _("变动"),
    "union": _("工会"),
    "counterpart": _("对方工会"),
    "reason": _("原因"),
}
TRANSFER_COLUMNS = {
    "from_union": _("转出工会"),
    "to_union": _("转入工会"),
    "requested_on": _("申请日期"),
    "effective_on": _("生效日期"),
    "status": _("状态"),
    "initiated_by": _("发起方"),
    "note": _("备注"),
    "refuse_reason": _("退回理由"),
}

PARTS = (
    PersonalData("person", _("个人信息"), person_part, order=10, columns=PERSON_COLUMNS),
    PersonalData("memberships", _("会籍"), memberships_part, order=20, columns=MEMBERSHIP_COLUMNS),
    PersonalData("membership_events", _("会籍变动"), events_part, order=30, columns=EVENT_COLUMNS),
    PersonalData("transfers", _("组织关系转接"), transfers_part, order=40, columns=TRANSFER_COLUMNS),
)
