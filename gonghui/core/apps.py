from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class CoreConfig(AppConfig):
    name = "gonghui.core"
    label = "core"
    verbose_name = "核心"

    def ready(self) -> None:
        # Each programme app registers its report figures in its own figures.py.
        autodiscover_modules("figures")
