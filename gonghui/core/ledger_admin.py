"""The ledger in the admin: read-only, scoped like the pages (core/admin.py's rules); every
posting goes through core/ledger.py, so the admin neither adds, changes nor deletes."""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from gonghui.core import ledger
from gonghui.core.access import request_scope
from gonghui.core.admin import ScopedAdminMixin
from gonghui.core.ledger_models import Fund, LedgerEntry, LedgerLine


@admin.register(Fund)
class FundAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["code", "name", "kind", "balance", "currency", "created_at"]
    list_filter = ["kind"]
    search_fields = ["code", "name"]
    readonly_fields = ["balance"]

    def scoped_queryset(self, request: HttpRequest) -> QuerySet:
        return ledger.fund_list(scope=request_scope(request))


class LedgerLineInline(admin.TabularInline):
    model = LedgerLine
    fields = ["fund", "amount", "currency"]
    readonly_fields = ["fund", "amount", "currency"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["posted_on", "description", "source_type", "source_id", "purpose", "reverses", "created_by"]
    list_filter = ["purpose", "source_type"]
    search_fields = ["description", "source_id"]
    date_hierarchy = "posted_on"
    inlines = [LedgerLineInline]

    def scoped_queryset(self, request: HttpRequest) -> QuerySet:
        return ledger.entry_list(scope=request_scope(request))
