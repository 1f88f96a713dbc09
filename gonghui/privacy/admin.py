from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from gonghui.privacy.models import Consent, ConsentText


@admin.register(ConsentText)
class ConsentTextAdmin(admin.ModelAdmin):
    """Texts are added as new versions; an old version is never edited, since consents point at it."""

    list_display = ["category", "version", "effective_from"]
    list_filter = ["category"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Consent)
class ConsentAdmin(admin.ModelAdmin):
    """Read-only: only the member gives or withdraws consent."""

    list_display = ["person", "category", "given_at", "withdrawn_at", "channel"]
    list_filter = ["category", "channel"]
    raw_id_fields = ["person"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
