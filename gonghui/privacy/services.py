"""Giving and withdrawing consent, and the guard every processing of sensitive information
calls first. Each write is audited with the text version the member saw."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext

from gonghui.core.access import MemberScope, Scope
from gonghui.core.audit import audit_record
from gonghui.core.errors import Forbidden, NotFound, ValidationFailed
from gonghui.core.models import AuditEntry
from gonghui.privacy.models import Consent, ConsentCategory, ConsentChannel, ConsentText

# What a refused processing says, per category: the member (or the officer helping them)
# must learn which consent is missing and where to give it.
MISSING_CONSENT = {
    ConsentCategory.HEALTH: "处理健康信息（医疗互助）需要职工本人单独同意；请职工在“我的会籍”中同意后再办理",
    ConsentCategory.HOUSEHOLD_INCOME: "处理家庭收入信息（困难职工帮扶）需要职工本人单独同意；请职工在“我的会籍”中同意后再办理",
}


def _category(value: str) -> ConsentCategory:
    try:
        return ConsentCategory(value)
    except ValueError:
        raise ValidationFailed(gettext("不认识的同意类别"), field="category") from None


def _own_person_id(scope: Scope) -> int:
    if not isinstance(scope, MemberScope):
        raise Forbidden(gettext("仅限会员本人操作"))
    return scope.person_id


def consent_text_current(*, category: str) -> ConsentText:
    """The wording in force today for a category."""
    text = (
        ConsentText.objects.filter(category=_category(category), effective_from__lte=timezone.localdate())
        .order_by("-effective_from", "-version")
        .first()
    )
    if text is None:
        raise NotFound(gettext("该类别还没有生效的同意书文本"))
    return text


def consent_require(*, person: Any, category: str) -> Consent:
    """The person's live consent for the category; processing without it is refused.
    Mutual aid (health) and hardship files (household income) call this before touching data."""
    category = _category(category)
    consent = Consent.objects.filter(person=person, category=category, withdrawn_at__isnull=True).first()
    if consent is None:
        raise Forbidden(MISSING_CONSENT[category], code="consent_required")
    return consent


@transaction.atomic
def consent_give(
    *, scope: Scope, category: str, channel: str = ConsentChannel.WEB, request: HttpRequest | None = None
) -> Consent:
    """The member consents to the text in force; giving it again while it stands changes nothing."""
    person_id = _own_person_id(scope)
    text = consent_text_current(category=category)
    live = Consent.objects.select_for_update().filter(person_id=person_id, category=text.category, withdrawn_at=None)
    if (existing := live.first()) is not None:
        return existing
    try:
        with transaction.atomic():
            consent = Consent.objects.create(
                person_id=person_id, category=text.category, text=text, given_at=timezone.now(), channel=channel
            )
    except IntegrityError:  # a second click racing the first: one live consent is kept
        return live.get()
    _audit(scope, AuditEntry.Action.CONSENT_GIVEN, consent, request)
    return consent


@transaction.atomic
def consent_withdraw(*, scope: Scope, category: str, request: HttpRequest | None = None) -> Consent:
    """Withdraw a standing consent; from now on processing that needs it is refused."""
    person_id = _own_person_id(scope)
    consent = (
        Consent.objects.select_for_update()
        .filter(person_id=person_id, category=_category(category), withdrawn_at=None)
        .first()
    )
    if consent is None:
        raise NotFound(gettext("没有可撤回的同意"))
    consent.withdrawn_at = timezone.now()
    consent.save(update_fields=["withdrawn_at"])
    _audit(scope, AuditEntry.Action.CONSENT_WITHDRAWN, consent, request)
    return consent


def _audit(scope: Scope, action: str, consent: Consent, request: HttpRequest | None) -> None:
    audit_record(
        actor=scope.user,
        action=action,
        subject=consent,
        subject_label=consent.get_category_display(),
        request=request,
        detail={"category": consent.category, "text_version": consent.text.version, "channel": consent.channel},
    )


def personal_data_download(*, scope: Scope, request: HttpRequest | None = None) -> dict[str, Any]:
    """Everything held about the member asking, part by part as registered; audited. There is
    no person argument: a member can only ever download their own data."""
    from gonghui.core.personal_data import personal_data_parts
    from gonghui.members.models import Person

    person = Person.objects.get(pk=_own_person_id(scope))
    parts = {
        part.key: {
            "label": str(part.label),
            "columns": {key: str(heading) for key, heading in part.columns.items()},
            "rows": part.collect(person),
        }
        for part in personal_data_parts()
    }
    audit_record(
        actor=scope.user,
        action=AuditEntry.Action.DATA_DOWNLOAD,
        subject=person,
        request=request,
        detail={"parts": list(parts)},
    )
    return {"generated_at": timezone.localtime().isoformat(), "parts": parts}
