from typing import Any

from django.db import models
from django.http import HttpRequest

from gonghui.core.models import AuditEntry


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def audit_record(
    *,
    actor: Any,
    action: str,
    subject: models.Model | None = None,
    subject_label: str = "",
    reason: str = "",
    request: HttpRequest | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        subject_type=subject._meta.label_lower if subject is not None else "",
        subject_id=str(subject.pk) if subject is not None else "",
        subject_label=subject_label or (str(subject) if subject is not None else ""),
        reason=reason,
        ip_address=client_ip(request),
        detail=detail or {},
    )
