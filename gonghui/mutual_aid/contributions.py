"""What the mutual-aid app adds to core's registries (core/registry.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gonghui.core import audit, demo, navigation
from gonghui.core.access import Role

# jobs registers the app's background job kinds; reviewing, the settlement batch's review process.
from gonghui.mutual_aid import jobs, reviewing  # noqa: F401

SETTLEMENT_PAGES = ("batches", "batch", "batch_issues")
navigation.registry.register(
    navigation.NavEntry(
        "mutual_aid.schemes",
        _("医疗互助"),
        "mutual_aid:schemes",
        order=60,
        roles=frozenset({str(Role.CITY)}),
        current=navigation.in_namespace("mutual_aid", except_names=SETTLEMENT_PAGES),
    )
)
# Town staff upload settlement files and review their batches too.
navigation.registry.register(
    navigation.NavEntry(
        "mutual_aid.settlements",
        _("医保结算"),
        "mutual_aid:batches",
        order=61,
        roles=frozenset({str(Role.CITY), str(Role.TOWN)}),
        current=navigation.at_url_names(*SETTLEMENT_PAGES),
    )
)
demo.registry.register(demo.DemoContribution(key="mutual_aid.review", each_city=reviewing.review_demo, order=42))

# An enrolment is about its member; its changes (a union moved, coverage ended) are logged.
audit.audited_models.register(audit.AuditedModel("mutual_aid.enrolment"))
