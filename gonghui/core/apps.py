from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class CoreConfig(AppConfig):
    name = "gonghui.core"
    label = "core"
    verbose_name = "核心"

    def ready(self) -> None:
        # Each programme app registers its report figures in its own figures.py.
        autodiscover_modules("figures")
        from gonghui.core import checks  # noqa: F401  (registers the system checks)

        self._audit_changes()

    def _audit_changes(self) -> None:
        from simple_history.signals import post_create_historical_record

        from gonghui.core.audit import audit_history_change

        post_create_historical_record.connect(audit_history_change, dispatch_uid="core.audit_history_change")
