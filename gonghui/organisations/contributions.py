"""What the organisations app adds to core's registries (core/registry.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gonghui.core import audit, figures, navigation
from gonghui.organisations import figures as organisation_figures

figures.registry.register_all(organisation_figures.FIGURES)

navigation.registry.register(
    navigation.NavEntry(
        "organisations.workbench",
        _("工作台"),
        "organisations:workbench",
        order=10,
        current=navigation.in_namespace("organisations"),
    )
)

audit.audited_models.register_all(
    audit.AuditedModel(label)
    for label in ("organisations.organisation", "organisations.employer", "organisations.officer")
)
