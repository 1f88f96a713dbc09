from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class AccountsConfig(AppConfig):
    name = "gonghui.accounts"
    label = "accounts"
    verbose_name = "账号"

    def ready(self) -> None:
        from gonghui.accounts import signals

        signals.connect()


class VerifiedAdminConfig(admin_apps.AdminConfig):
    """The admin, served by a site that asks staff for their second factor."""

    default = False  # named in INSTALLED_APPS in place of django.contrib.admin
    default_site = "gonghui.accounts.admin_site.VerifiedAdminSite"
