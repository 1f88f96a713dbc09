"""The admin's rules, shared by every app's admin.py: it reads through the same Scope as the
pages and the API, it writes nothing about people or the tree (services do that, checking
scope and keeping history), and only a superuser maintains sign-ins there. Who may open the
admin at all is decided by the site (accounts.admin_site)."""

from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from simple_history.admin import SimpleHistoryAdmin

from gonghui.core.access import Scope, request_scope
from gonghui.core.audit import AuditFilter, audit_entry_list, audit_require_reader
from gonghui.core.errors import Forbidden
from gonghui.core.models import AuditEntry

READ_METHODS = ("GET", "HEAD")


def admin_scope(request: HttpRequest) -> Scope | None:
    try:
        return request_scope(request)
    except Forbidden:
        return None


class ReadOnlyAdminMixin:
    """No add, change or delete in the admin, for anyone: writes go through services, which
    check scope and keep history. Every field is shown as text, so no form (and no drop-down
    listing rows of the whole city) is ever rendered."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        declared = list(super().get_readonly_fields(request, obj))  # type: ignore[misc]
        hidden = set(self.exclude or ())  # type: ignore[attr-defined]
        opts = self.model._meta  # type: ignore[attr-defined]
        fields = [f.name for f in [*opts.fields, *opts.many_to_many] if f.editable and not f.auto_created]
        return declared + [name for name in fields if name not in hidden and name not in declared]


class SuperuserWritesMixin:
    """City staff read these; only a superuser changes them (a lost phone's device, a
    lock-out, an account), whatever permissions a city officer has been given."""

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return request.user.is_superuser and super().has_add_permission(request, *args)  # type: ignore[misc]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser and super().has_change_permission(request, obj)  # type: ignore[misc]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser and super().has_delete_permission(request, obj)  # type: ignore[misc]

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        # Some libraries' actions ask for no permission (axes' clean-up deletes rows).
        return super().get_actions(request) if request.user.is_superuser else {}  # type: ignore[misc]


class ScopedQuerysetMixin:
    """Admin lists, pages, history and autocomplete all start from get_queryset, so it goes
    through the same scoped selectors as pages and the API; a user without a scope (or whom
    the selector refuses) sees no row."""

    def scoped_queryset(self, request: HttpRequest) -> QuerySet:
        raise NotImplementedError

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        try:
            request_scope(request)
            rows = self.scoped_queryset(request)
        except Forbidden:
            return super().get_queryset(request).none()  # type: ignore[misc]
        ordering = self.get_ordering(request)  # type: ignore[attr-defined]
        if ordering:
            return rows.order_by(*ordering)
        return rows if rows.ordered else rows.order_by("pk")  # autocomplete pages through it


class ScopedAdminMixin(ScopedQuerysetMixin, ReadOnlyAdminMixin):
    """Scoped and read-only: the admin of people, the tree and the logs."""


class ScopedHistoryAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    """simple_history's pages, read-only and scoped. Left alone, its history page falls back
    to the history table for a row outside the queryset, and its version page ("revert")
    saves a POST with nothing but view permission."""

    def history_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> HttpResponse:
        self._get_in_scope(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context: Any = None
    ) -> HttpResponse:
        if request.method not in READ_METHODS:
            raise PermissionDenied  # no revert: an old version is shown, never saved back
        self._get_in_scope(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)

    def revert_disabled(self, request: HttpRequest, obj: Any = None) -> bool:
        return True

    def _get_in_scope(self, request: HttpRequest, object_id: str) -> Model:
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404
        return obj

    def set_history_delta_changes(
        self, request: HttpRequest, historical_records: Any, foreign_keys_are_objs: bool = True
    ) -> None:
        """simple_history's own loop, leaving out the fields this admin hides (a changed
        identity number would otherwise be listed in full, old and new)."""
        hidden = list(self.exclude or ())
        previous = None
        for current in historical_records:
            if previous is not None:
                delta = previous.diff_against(
                    current, excluded_fields=hidden, foreign_keys_are_objs=foreign_keys_are_objs
                )
                helper = self.get_historical_record_context_helper(request, previous)
                previous.history_delta_changes = helper.context_for_delta_changes(delta)
            previous = current


@admin.register(AuditEntry)
class AuditEntryAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Read-only (the log is append-only: the model refuses changes, PostgreSQL's trigger too),
    and by the same rule as /audit/: city staff holding core.view_auditentry."""

    list_display = ["at", "actor_username", "action", "result", "subject_label", "reason", "ip_address"]
    list_filter = ["action", "result"]
    search_fields = ["subject_label", "actor_username", "reason"]
    date_hierarchy = "at"

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        scope = admin_scope(request)
        if scope is None:
            return False
        try:
            audit_require_reader(scope=scope)
        except Forbidden:
            return False
        return True

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)

    def scoped_queryset(self, request: HttpRequest) -> QuerySet:
        return audit_entry_list(scope=request_scope(request), filters=AuditFilter())


from gonghui.core import ledger_admin  # noqa: E402, F401  (the ledger's read-only pages)
