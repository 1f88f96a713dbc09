"""What the mutual-aid app adds to core's registries (core/registry.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gonghui.core import audit, demo, figures, navigation, personal_data, sections
from gonghui.core.access import Role
from gonghui.mutual_aid import demo as aid_demo
from gonghui.mutual_aid import figures as aid_figures
from gonghui.mutual_aid import jobs  # noqa: F401  (registers its background job kinds)
from gonghui.mutual_aid import personal_data as aid_data
from gonghui.mutual_aid import sections as aid_sections

navigation.registry.register(
    navigation.NavEntry(
        "mutual_aid.schemes",
        _("医疗互助"),
        "mutual_aid:schemes",
        order=60,
        roles=frozenset({str(Role.CITY)}),
        current=navigation.in_namespace("mutual_aid"),
    )
)

# An enrolment is about its member; its changes (a union moved, coverage ended) are logged.
audit.audited_models.register(audit.AuditedModel("mutual_aid.enrolment"))

figures.registry.register_all(aid_figures.FIGURES)
sections.registry.register(aid_sections.SECTION)
personal_data.registry.register_all(aid_data.PARTS)
demo.registry.register(aid_demo.SCHEMES)
