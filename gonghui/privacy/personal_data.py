"""The privacy app's parts of a member's data download (core/personal_data.py): their
consents, and the audit log's entries about them."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gonghui.core.models import AuditEntry
from gonghui.core.personal_data import PersonalData, row
from gonghui.privacy.models import Consent


def consents_part(person: Any) -> list[dict[str, Any]]:
    consents = Consent.objects.filter(person=person).select_related("text").order_by("given_at", "pk")
    return [
        row(
            category=gettext(c.get_category_display()),
            text_version=c.text.version,
            text=c.text.text,
            given_at=c.given_at,
            withdrawn_at=c.withdrawn_at,
            channel=gettext(c.get_channel_display()),
        )
        for c in consents
    ]


def audit_part(person: Any) -> list[dict[str, Any]]:
    """What was done with the member's data and when. Staff logins are left out: the member
    is owed the record of processing, not the accounts of the officers who did it."""
    entries = AuditEntry.objects.filter(data_subject_id=person.pk).order_by("at", "pk")
    return [
        row(
            at=e.at,
            action=gettext(e.get_action_display()),
            result=gettext(e.get_result_display()),
            subject=e.subject_label,
        )
        for e in entries
    ]


CONSENT_COLUMNS = {
    "category": _("类别"),
    "text_version": _("同意书版本"),
    "text": _("同意书内容"),
    "given_at": _("同意时间"),
    "withdrawn_at": _("撤回时间"),
    "channel": _("渠道"),
}
AUDIT_COLUMNS = {"at": _("时间"), "action": _("操作"), "result": _("结果"), "subject": _("对象")}

PARTS = (
    PersonalData("consents", _("敏感个人信息处理同意"), consents_part, order=80, columns=CONSENT_COLUMNS),
    PersonalData("audit_entries", _("涉及本人的操作记录"), audit_part, order=90, columns=AUDIT_COLUMNS),
)
