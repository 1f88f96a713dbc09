from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from gonghui.core.access import request_scope
from gonghui.core.admin import ScopedAdminMixin, SuperuserWritesMixin
from gonghui.members.selectors import person_queryset
from gonghui.privacy.models import Consent, ConsentText


@admin.register(ConsentText)
class ConsentTextAdmin(SuperuserWritesMixin, admin.ModelAdmin):
    """Texts are added as new versions (by a superuser); an old version is never edited,
    since consents point at it."""

    list_display = ["category", "version", "effective_from"]
    list_filter = ["category"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Consent)
class ConsentAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Read-only: only the member gives or withdraws consent. Consents of the people the
    officer may see, like every other list."""

    list_display = ["person", "category", "given_at", "withdrawn_at", "channel"]
    list_filter = ["category", "channel"]
    list_select_related = ["person"]

    def scoped_queryset(self, request: HttpRequest) -> QuerySet:
        return Consent.objects.filter(person__in=person_queryset(scope=request_scope(request)))
