"""The foundation's parts of a member's data download: their record, memberships, changes,
transfers, consents, and the audit log's entries about them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from gonghui.core.models import AuditEntry
from gonghui.members.models import MembershipEvent, Person, Transfer
from gonghui.privacy.models import Consent
from gonghui.privacy.registry import register_personal_data


def json_ready(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def row(**values: Any) -> dict[str, Any]:
    return {key: json_ready(value) for key, value in values.items()}


def person_part(person: Person) -> list[dict[str, Any]]:
    # The full identity number: it is the member's own, so nothing is masked.
    return [
        row(
            name=person.name,
            id_number=person.id_number,
            birth_date=person.birth_date,
            sex=person.get_sex_display(),
            mobile=person.mobile,
            household_registration=person.household_registration,
            education=person.get_education_display() if person.education else "",
            skill_level=person.get_skill_level_display() if person.skill_level else "",
            is_migrant_worker=person.is_migrant_worker,
        )
    ]


def memberships_part(person: Person) -> list[dict[str, Any]]:
    memberships = person.memberships.select_related("union", "employer").order_by("joined_on", "pk")
    return [
        row(
            union=m.union.name,
            employer=m.employer.name if m.employer else "",
            joined_on=m.joined_on,
            ended_on=m.ended_on,
            status=m.get_status_display(),
            leave_reason=m.leave_reason,
        )
        for m in memberships
    ]


def events_part(person: Person) -> list[dict[str, Any]]:
    events = MembershipEvent.objects.filter(person=person).select_related("union", "counterpart")
    return [
        row(
            on=e.on,
            kind=e.get_kind_display(),
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
            status=t.get_status_display(),
            initiated_by=t.get_initiated_by_display(),
            note=t.note,
            refuse_reason=t.refuse_reason,
        )
        for t in transfers.order_by("requested_on", "pk")
    ]


def consents_part(person: Person) -> list[dict[str, Any]]:
    consents = Consent.objects.filter(person=person).select_related("text").order_by("given_at", "pk")
    return [
        row(
            category=c.get_category_display(),
            text_version=c.text.version,
            text=c.text.text,
            given_at=c.given_at,
            withdrawn_at=c.withdrawn_at,
            channel=c.get_channel_display(),
        )
        for c in consents
    ]


def audit_part(person: Person) -> list[dict[str, Any]]:
    """What was done with the member's data and when. Staff logins are left out: the member
    is owed the record of processing, not the accounts of the officers who did it."""
    entries = AuditEntry.objects.filter(data_subject_id=person.pk).order_by("at", "pk")
    return [
        row(at=e.at, action=e.get_action_display(), result=e.get_result_display(), subject=e.subject_label)
        for e in entries
    ]


register_personal_data("person", "个人信息", person_part, order=10)
register_personal_data("memberships", "会籍", memberships_part, order=20)
register_personal_data("membership_events", "会籍变动", events_part, order=30)
register_personal_data("transfers", "组织关系转接", transfers_part, order=40)
register_personal_data("consents", "敏感个人信息处理同意", consents_part, order=80)
register_personal_data("audit_entries", "涉及本人的操作记录", audit_part, order=90)
