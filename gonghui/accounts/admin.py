from django.contrib import admin

from gonghui.accounts.models import Account, ApiToken


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
