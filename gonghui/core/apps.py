from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "gonghui.core"
    label = "core"
    verbose_name = "核心"

    def ready(self) -> None:
        from gonghui.core import checks  # noqa: F401  (registers the system checks)
        from gonghui.core.registry import discover_contributions

        # The one place apps' contributions (figures, sections, navigation, to-dos, demo
        # data, hooks...) are registered: each app's contributions.py.
        discover_contributions()
        self._audit_changes()

    def _audit_changes(self) -> None:
        from simple_history.signals import post_create_historical_record

        from gonghui.core.audit import audit_history_change

        post_create_historical_record.connect(audit_history_change, dispatch_uid="core.audit_history_change")
