"""The audit log: who did what to whose data, when, from where, and with what result.

Callers write with `audit_record(...)`. Three kinds of entry are written here for everyone,
so no app has to remember them:
- refused access: pages (core/pages.py) and the API (core/api_support.py) both call
  `audit_refusal` when they answer 403 or 404;
- changes: every history row django-simple-history writes for a model in `audited_models`
  becomes a "change" entry. Each app registers its own models there (its contributions.py),
  with how to find the worker a row is about, so this module names no domain model. Bulk paths
  (the roster import's COPY and bulk_update_with_history) write no per-row entry; the import
  writes one "import" entry per job instead;
- sign-in, sign-out and lock-out are written by the accounts app.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connections, models, transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext
from simple_history.models import HistoricalRecords

from gonghui.core.access import Role, Scope
from gonghui.core.errors import Forbidden, ServiceError, ValidationFailed
from gonghui.core.models import AuditEntry
from gonghui.core.registry import Registry

# Set on a request once a refusal has been written for it, so a service that logs its own
# refusal (with the reason the user gave) is not logged a second time by the error handler.
_REFUSAL_LOGGED = "_gonghui_refusal_logged"
logger = logging.getLogger(__name__)

# Given a row of the entry's own model (which the registry cannot spell as a type: it holds
# entries for many models), the worker it is about.
PersonOf = Callable[[Any], int | None]


def _person_id_attribute(subject: models.Model) -> int | None:
    person_id = getattr(subject, "person_id", None)
    return person_id if isinstance(person_id, int) else None


@dataclass(frozen=True)
class AuditedModel:
    """A model the log knows. `key` is its "app_label.model_name"; `person_of` finds the
    worker whose personal information a row is (the default reads a `person_id`); with
    `changes` every history row of the model becomes a "change" entry."""

    key: str
    person_of: PersonOf = _person_id_attribute
    changes: bool = True
    order: int = 100


audited_models: Registry[AuditedModel] = Registry("audited models")


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address for the audit log, sign-in lockout and rate limits. Behind N
    trusted proxies (GONGHUI_TRUSTED_PROXIES) it is the Nth address from the right of
    X-Forwarded-For: the ones further left were written by the client and can be forged."""
    if request is None:
        return None
    proxies = settings.GONGHUI_TRUSTED_PROXIES
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
    if proxies and len(forwarded) >= proxies:
        return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR") or None


def data_subject_of(subject: models.Model | None) -> int | None:
    """The worker whose personal information `subject` is, as its app registered (the
    person, or the person a membership, transfer or claim belongs to)."""
    if subject is None:
        return None
    label = subject._meta.label_lower
    person_of = audited_models.get(label).person_of if label in audited_models else _person_id_attribute
    return person_of(subject)


def audit_record(
    *,
    actor: Any,
    action: str,
    subject: models.Model | None = None,
    subject_label: str = "",
    reason: str = "",
    request: HttpRequest | None = None,
    detail: dict[str, Any] | None = None,
    result: str = AuditEntry.Result.OK,
    data_subject_id: int | None = None,
) -> AuditEntry:
    """Append one entry. `data_subject_id` defaults to the person behind `subject`."""
    signed_in = getattr(actor, "is_authenticated", False)
    entry = AuditEntry.objects.create(
        actor=actor if signed_in else None,
        actor_username=actor.get_username() if signed_in else "",
        action=action,
        result=result,
        subject_type=subject._meta.label_lower if subject is not None else "",
        subject_id=str(subject.pk) if subject is not None else "",
        subject_label=_storable(subject_label or (str(subject) if subject is not None else ""), 200),
        data_subject_id=data_subject_id if data_subject_id is not None else data_subject_of(subject),
        reason=_storable(reason, 500),
        ip_address=client_ip(request),
        path=_storable(request.path, 300) if request is not None else "",
        detail=detail or {},
    )
    if request is not None and action == AuditEntry.Action.ACCESS_DENIED:
        setattr(request, _REFUSAL_LOGGED, True)
    return entry


def _storable(text: str, limit: int) -> str:
    # PostgreSQL text cannot hold NUL, which a hostile URL may carry into the path and into
    # a refusal's message (an unknown name quoted back), so the entry would not be written.
    return text.replace("\x00", "")[:limit]


# --- refused access ------------------------------------------------------------------------


def audit_refusal(*, request: HttpRequest, status: int, message: str = "", code: str = "") -> AuditEntry | None:
    """Log a 403 or 404 answer, once per request. Called by both the pages' and the API's
    error handling, so every refusal is logged the same way whichever door was knocked on."""
    if status not in (403, 404) or getattr(request, _REFUSAL_LOGGED, False):
        return None
    try:
        # A savepoint: if the entry cannot be written the refusal still stands, and the
        # caller's transaction stays usable.
        with transaction.atomic():
            return audit_record(
                actor=getattr(request, "user", None),
                action=AuditEntry.Action.ACCESS_DENIED,
                result=AuditEntry.Result.DENIED,
                subject_label=message,
                request=request,
                detail={"status": status, "method": request.method, "code": code},
            )
    except DatabaseError:
        logger.exception("could not write the audit entry for a refused request")
        return None


def audit_service_refusal(*, request: HttpRequest, err: ServiceError) -> AuditEntry | None:
    return audit_refusal(request=request, status=err.status_code, message=err.message, code=err.code)


def audit_view_sensitive(
    *, scope: Scope, subject: models.Model, request: HttpRequest | None = None, reason: str = ""
) -> AuditEntry:
    """Log that a staff member opened a sensitive record (a claim, a hardship file, medical
    or income details). Selectors of such records call this when they return one."""
    return audit_record(
        actor=scope.user, action=AuditEntry.Action.VIEW_SENSITIVE, subject=subject, request=request, reason=reason
    )


# --- changes -------------------------------------------------------------------------------


def _logs_changes(label: str) -> bool:
    return label in audited_models and audited_models.get(label).changes


def _change_label(instance: models.Model) -> str:
    # The name where there is one; never str(), which may load related rows on every save.
    name = getattr(instance, "name", None)
    return str(name) if isinstance(name, str) and name else f"{instance._meta.verbose_name} {instance.pk}"


def audit_history_change(
    sender: Any, instance: models.Model, history_instance: Any, history_user: Any = None, **kwargs: Any
) -> None:
    """Receiver for simple_history's post_create_historical_record."""
    if not _logs_changes(instance._meta.label_lower):
        return
    request = getattr(HistoricalRecords.context, "request", None)
    audit_record(
        actor=history_user,
        action=AuditEntry.Action.CHANGE,
        subject=instance,
        subject_label=_change_label(instance),
        reason=getattr(history_instance, "history_change_reason", None) or "",
        request=request,
        detail={"history_type": history_instance.history_type, "history_id": history_instance.pk},
    )


# --- reading -------------------------------------------------------------------------------

AUDIT_VIEW_PERM = "core.view_auditentry"


@dataclass(frozen=True)
class AuditFilter:
    actor: str = ""  # username, exact
    action: str = ""
    result: str = ""
    subject_type: str = ""  # "members.person"
    subject_id: str = ""
    subject: str = ""  # words in the subject's label
    person_id: int | None = None  # the worker the entry is about
    date_from: date | None = None
    date_to: date | None = None


def audit_require_reader(*, scope: Scope) -> None:
    """Only city staff holding the permission read the log: town and union officers would
    otherwise see what the city and other towns looked at."""
    if scope.role != Role.CITY or not scope.has_perm(AUDIT_VIEW_PERM):
        raise Forbidden(gettext("仅限有审计权限的市总工会工作人员查看审计日志"))


def audit_entry_list(*, scope: Scope, filters: AuditFilter) -> QuerySet[AuditEntry]:
    """Entries matching the filters, newest first."""
    audit_require_reader(scope=scope)
    exact = {
        "actor_username": filters.actor,
        "action": filters.action,
        "result": filters.result,
        "subject_type": filters.subject_type,
        "subject_id": filters.subject_id,
    }
    entries = AuditEntry.objects.filter(**{field: value for field, value in exact.items() if value})
    if filters.subject:
        entries = entries.filter(subject_label__icontains=filters.subject)
    if filters.person_id is not None:
        entries = entries.filter(data_subject_id=filters.person_id)
    if filters.date_from is not None:
        entries = entries.filter(at__gte=_day_start(filters.date_from))
    if filters.date_to is not None:
        entries = entries.filter(at__lt=_day_start(filters.date_to + timedelta(days=1)))
    return entries.order_by("-at", "-pk")


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


# --- retention -----------------------------------------------------------------------------

MIN_RETENTION_DAYS = 180
PRUNE_BATCH = 10_000
TRIGGER = "core_auditentry_append_only"


def audit_prune(*, older_than_days: int, batch: int = PRUNE_BATCH) -> int:
    """Remove entries older than `older_than_days`, which may not be under 180; returns how
    many. On PostgreSQL the append-only trigger is disabled only inside each batch's own
    transaction: ALTER TABLE holds an exclusive lock until commit, so no other session can
    change a row while it is off, and a failure rolls the trigger back on with the delete.
    Batches keep that lock short, since every audited request waits on it to insert."""
    if older_than_days < MIN_RETENTION_DAYS:
        raise ValidationFailed(
            gettext("审计日志至少保留 %(days)s 天") % {"days": MIN_RETENTION_DAYS},
            field="older_than",
        )
    cutoff = timezone.now() - timedelta(days=older_than_days)
    removed = 0
    while True:
        with transaction.atomic():
            ids = list(AuditEntry.objects.filter(at__lt=cutoff).order_by("pk").values_list("pk", flat=True)[:batch])
            if not ids:
                return removed
            removed += _delete_bypassing_trigger(ids)


def _delete_bypassing_trigger(ids: list[int]) -> int:
    using = AuditEntry.objects.db
    connection = connections[using]
    if connection.vendor != "postgresql":
        return AuditEntry.objects.filter(pk__in=ids)._raw_delete(using)
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE core_auditentry DISABLE TRIGGER {TRIGGER}")
        cursor.execute("DELETE FROM core_auditentry WHERE id = ANY(%s)", [ids])
        deleted = cursor.rowcount
        cursor.execute(f"ALTER TABLE core_auditentry ENABLE TRIGGER {TRIGGER}")
    return deleted
