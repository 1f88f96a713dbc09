from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from gonghui.core.access import request_scope
from gonghui.core.admin import ScopedHistoryAdmin
from gonghui.organisations import selectors
from gonghui.organisations.models import Employer, Organisation


@admin.register(Organisation)
class OrganisationAdmin(ScopedHistoryAdmin):
    list_display = ["name", "code", "kind", "status", "founded_on"]
    list_filter = ["kind", "status"]
    search_fields = ["name", "code"]

    def scoped_queryset(self, request: HttpRequest) -> QuerySet:
        return selectors.organisation_list(scope=request_scope(request))


@admin.register(Employer)
class EmployerAdmin(ScopedHistoryAdmin):
    list_display = ["name", "uscc", "category", "industry", "staff_count", "town", "union"]
    list_filter = ["category"]
    search_fields = ["name", "uscc"]

    def scoped_queryset(self, request: HttpRequest) -> QuerySet:
        return selectors.employer_list(scope=request_scope(request))
