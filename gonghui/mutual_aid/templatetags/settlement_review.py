"""Template helpers of the settlement batch pages: masked names, an issue's message (masked)
and a numbered reason."""

from __future__ import annotations

from django import template

from gonghui.core.masking import mask_name
from gonghui.mutual_aid import reviewing
from gonghui.mutual_aid.models import SettlementRecordIssue

register = template.Library()


@register.filter
def masked_name(value: str | None) -> str:
    return mask_name(value or "")


@register.filter
def issue_text(issue: SettlementRecordIssue) -> str:
    return reviewing.issue_text(issue)


@register.filter
def reason_label(number: int | None) -> str:
    return reviewing.reason_label(number)
