"""The admin of sign-ins: users, their roles, API tokens, TOTP devices, lock-outs. City staff
read those of the accounts in their scope; only a superuser changes them (a lost phone's
device, a lock-out, disabling an account). The libraries' own admins are registered again
here with the same rule."""

from typing import Any

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from gonghui.accounts.models import Account, ApiToken
from gonghui.accounts.selectors import account_list, user_list
from gonghui.accounts.services import account_disable
from gonghui.core.access import request_scope
from gonghui.core.admin import SuperuserWritesMixin
from gonghui.core.errors import Forbidden


def visible_users(request: HttpRequest) -> QuerySet[User]:
    try:
        users = Q(pk__in=user_list(scope=request_scope(request)))
    except Forbidden:
        return User.objects.none()
    if request.user.is_superuser:
        users |= Q(account=None)  # superusers and users without a role: no scope holds them
    return User.objects.filter(users)


class SignInAdminMixin(SuperuserWritesMixin):
    user_path = "user"  # from this model to its user

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).filter(**{f"{self.user_path}__in": visible_users(request)})  # type: ignore[misc]


class LockOutAdminMixin(SuperuserWritesMixin):
    """Attempts are kept by the username typed, which may name no one: only a superuser sees those."""

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        attempts = Q(username__in=visible_users(request).values("username"))
        if request.user.is_superuser:
            attempts |= ~Q(username__in=User.objects.values("username"))
        return super().get_queryset(request).filter(attempts)  # type: ignore[misc]


@admin.register(Account)
class AccountAdmin(SuperuserWritesMixin, admin.ModelAdmin):
    list_display = ["user", "role", "organisation", "person"]
    list_filter = ["role"]
    raw_id_fields = ["organisation", "person"]
    search_fields = ["user__username"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        try:
            return account_list(scope=request_scope(request)).select_related("user", "organisation", "person")
        except Forbidden:
            return Account.objects.none()


@admin.register(ApiToken)
class ApiTokenAdmin(SignInAdminMixin, admin.ModelAdmin):
    list_display = ["name", "user", "created_at", "last_used_at", "revoked"]
    readonly_fields = ["key_hash", "last_used_at"]


admin.site.unregister(User)


@admin.register(User)
class AccountUserAdmin(SignInAdminMixin, UserAdmin):
    """Disabling a sign-in goes through account_disable, so its open sessions end at once,
    whether by the list's action or by unticking "active" on the user's page."""

    user_path = "pk"
    actions = ["disable_accounts"]

    @admin.action(description="停用所选账号并结束其所有会话", permissions=["change"])
    def disable_accounts(self, request: HttpRequest, queryset: QuerySet) -> None:
        for user in queryset:
            account_disable(actor=request.user, user=user, request=request)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data and not obj.is_active:
            account_disable(actor=request.user, user=obj, request=request)


admin.site.unregister(Group)


@admin.register(Group)
class AccountGroupAdmin(SuperuserWritesMixin, GroupAdmin):
    """Groups are sets of permissions, no one's data: city staff may read them."""


admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class AccountTOTPDeviceAdmin(SignInAdminMixin, TOTPDeviceAdmin):
    pass


admin.site.unregister([AccessAttempt, AccessLog, AccessFailureLog])


@admin.register(AccessAttempt)
class AccountAccessAttemptAdmin(LockOutAdminMixin, AccessAttemptAdmin):
    pass


@admin.register(AccessLog)
class AccountAccessLogAdmin(LockOutAdminMixin, AccessLogAdmin):
    pass


@admin.register(AccessFailureLog)
class AccountAccessFailureLogAdmin(LockOutAdminMixin, AccessFailureLogAdmin):
    pass
