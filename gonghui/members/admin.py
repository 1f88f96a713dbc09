from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from gonghui.core.access import request_scope
from gonghui.core.admin import ScopedHistoryAdmin
from gonghui.core.masking import mask_id_number, mask_mobile
from gonghui.members import selectors
from gonghui.members.models import Membership, Person


@admin.register(Person)
class PersonAdmin(ScopedHistoryAdmin):
    list_display = ["name", "masked_id_number", "masked_mobile", "sex", "birth_date", "is_migrant_worker"]
    list_filter = ["sex", "is_migrant_worker", "education"]
    search_fields = ["name"]
    exclude = ["id_number", "mobile"]
    readonly_fields = ["masked_id_number", "masked_mobile"]

    @admin.display(description="身份证号")
    def masked_id_number(self, person: Person) -> str:
        return mask_id_number(person.id_number)

    @admin.display(description="手机号码")
    def masked_mobile(self, person: Person) -> str:
        # A former union does not see the mobile of someone who has moved on (selectors).
        return mask_mobile(person.mobile) if getattr(person, "present_here", False) else "—"

    def scoped_queryset(self, request: HttpRequest) -> QuerySet:
        return selectors.person_queryset(scope=request_scope(request))


@admin.register(Membership)
class MembershipAdmin(ScopedHistoryAdmin):
    list_display = ["person", "union", "employer", "first_joined_on", "joined_on", "ended_on", "status"]
    list_filter = ["status"]
    list_select_related = ["person", "union", "employer"]

    def scoped_queryset(self, request: HttpRequest) -> QuerySet:
        return selectors.membership_list(scope=request_scope(request), filters=selectors.MemberFilter(status=None))
