"""What the organisations app adds to core's registries (core/registry.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gonghui.core import audit, demo, figures, navigation
from gonghui.organisations import demo as organisation_demo
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

# The tree before the members app's history (order 20), the officers after it.
demo.registry.register_all((organisation_demo.TREE, organisation_demo.OFFICERS))
