"""Reads of consents, always for the member asking."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext

from gonghui.core.access import MemberScope, Scope
from gonghui.core.errors import Forbidden
from gonghui.privacy.models import Consent, ConsentCategory, ConsentText


@dataclass(frozen=True)
class ConsentStatus:
    category: str
    label: str
    text: ConsentText | None  # the wording in force, shown before consenting
    consent: Consent | None  # the standing consent, if any

    @property
    def given(self) -> bool:
        return self.consent is not None


def _own_person_id(scope: Scope) -> int:
    if not isinstance(scope, MemberScope):
        raise Forbidden(gettext("仅限会员本人查看"))
    return scope.person_id


def consent_overview(*, scope: Scope) -> list[ConsentStatus]:
    """One line per category: the wording in force and whether the member consents now."""
    person_id = _own_person_id(scope)
    live = {
        c.category: c for c in Consent.objects.filter(person_id=person_id, withdrawn_at=None).select_related("text")
    }
    texts: dict[str, ConsentText] = {}
    current = ConsentText.objects.filter(effective_from__lte=timezone.localdate()).order_by(
        "category", "-effective_from", "-version"
    )
    for text in current:
        texts.setdefault(text.category, text)
    return [
        ConsentStatus(category=c.value, label=c.label, text=texts.get(c.value), consent=live.get(c.value))
        for c in ConsentCategory
    ]
