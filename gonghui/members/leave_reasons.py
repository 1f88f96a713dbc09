"""The standard reasons a membership ends by leaving. A federation that counts them
differently sets GONGHUI_LEAVE_REASONS to its own list of LeaveReason; the key is what is
stored with the leave event, the label what officers and reports read."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class LeaveReason:
    key: str
    label: StrOrPromise
    deceased: bool = False  # ends the membership as 已去世 rather than 已退会


DEFAULT_LEAVE_REASONS = (
    LeaveReason("resigned", _("离职")),
    LeaveReason("moved_away", _("调离本市")),
    LeaveReason("voluntary", _("自愿退会")),
    LeaveReason("expelled", _("除名")),
    LeaveReason("deceased", _("去世"), deceased=True),
)


def leave_reasons() -> tuple[LeaveReason, ...]:
    return tuple(getattr(settings, "GONGHUI_LEAVE_REASONS", DEFAULT_LEAVE_REASONS))


def leave_reason_get(key: str) -> LeaveReason | None:
    return next((reason for reason in leave_reasons() if reason.key == key), None)
