"""What the reports app adds to core's registries (core/registry.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gonghui.core import navigation
from gonghui.reports import jobs  # noqa: F401  (registers its background job kinds)

navigation.registry.register(
    navigation.NavEntry(
        "reports.index", _("报表"), "reports:index", order=60, current=navigation.in_namespace("reports")
    )
)
