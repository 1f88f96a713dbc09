from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.http import HttpRequest

from gonghui.accounts.models import Account, ApiToken
from gonghui.accounts.services import account_disable


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "organisation", "person"]
    list_filter = ["role"]
    raw_id_fields = ["organisation", "person"]
    search_fields = ["user__username"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "created_at", "last_used_at", "revoked"]
    readonly_fields = ["key_hash", "last_used_at"]


admin.site.unregister(User)


@admin.register(User)
class AccountUserAdmin(UserAdmin):
    """Disabling a sign-in goes through account_disable, so its open sessions end at once,
    whether by the list's action or by unticking "active" on the user's page."""

    actions = ["disable_accounts"]

    @admin.action(description="停用所选账号并结束其所有会话", permissions=["change"])
    def disable_accounts(self, request: HttpRequest, queryset: QuerySet) -> None:
        for user in queryset:
            account_disable(actor=request.user, user=user, request=request)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data and not obj.is_active:
            account_disable(actor=request.user, user=obj, request=request)
