"""The privacy app's parts of a member's data download (core/personal_data.py): their
consents, and the audit log's entries about them."""

from __future__ import annotations

from typing import Any

from gonghui.core.models import AuditEntry
from gonghui.core.personal_data import PersonalData, row
from gonghui.privacy.models import Consent


def consents_part(person: Any) -> list[dict[str, Any]]:
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


def audit_part(person: Any) -> list[dict[str, Any]]:
    """What was done with the member's data and when. Staff logins are left out: the member
    is owed the record of processing, not the accounts of the officers who did it."""
    entries = AuditEntry.objects.filter(data_subject_id=person.pk).order_by("at", "pk")
    return [
        row(at=e.at, action=e.get_action_display(), result=e.get_result_display(), subject=e.subject_label)
        for e in entries
    ]


PARTS = (
    PersonalData("consents", "敏感个人信息处理同意", consents_part, order=80),
    PersonalData("audit_entries", "涉及本人的操作记录", audit_part, order=90),
)
