from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from gonghui.core.access import request_scope
from gonghui.core.errors import Forbidden
from gonghui.core.models import AuditEntry


class ReadOnlyAdminMixin:
    """No add, change or delete in the admin: writes go through services, which check scope
    and keep history."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ScopedAdminMixin(ReadOnlyAdminMixin):
    """Admin lists go through the same scoped selectors as pages and the API, and stay
    read-only: changes to people and the tree go through services, which check scope and
    keep history."""

    def scoped_queryset(self, request: HttpRequest) -> QuerySet:
        raise NotImplementedError

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        try:
            request_scope(request)
        except Forbidden:
            return super().get_queryset(request).none()  # type: ignore[misc]
        return self.scoped_queryset(request)


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: the log is append-only (the model refuses changes, PostgreSQL's trigger too)."""

    list_display = ["at", "actor_username", "action", "result", "subject_label", "reason", "ip_address"]
    list_filter = ["action", "result"]
    search_fields = ["subject_label", "actor_username", "reason"]
    date_hierarchy = "at"
