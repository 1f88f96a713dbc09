"""What the mutual-aid app adds to core's registries (core/registry.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gonghui.core import audit, demo, navigation
from gonghui.core.access import Role
from gonghui.members import hooks as member_hooks
from gonghui.mutual_aid import (
    coverage,
    demo_payments,
    jobs,  # noqa: F401  (registers its background job kinds)
)
from gonghui.organisations import hooks as organisation_hooks

ENROL_PAGES = ("enrol", "enrol_list", "enrol_select", "enrol_upload", "enrol_print", "enrol_pay", "my_cover")

navigation.registry.register_all(
    (
        navigation.NavEntry(
            "mutual_aid.schemes",
            _("医疗互助"),
            "mutual_aid:schemes",
            order=60,
            roles=frozenset({str(Role.CITY)}),
            current=navigation.in_namespace("mutual_aid", except_names=ENROL_PAGES),
        ),
        # Each staff role enrols the unions it covers; the city has its own entry above.
        navigation.NavEntry(
            "mutual_aid.enrol",
            _("互助参保"),
            "mutual_aid:enrol",
            order=61,
            roles=frozenset({str(Role.TOWN), str(Role.UNION), str(Role.CITY)}),
            current=navigation.at_url_names(*ENROL_PAGES[:-1]),
        ),
        navigation.NavEntry(
            "mutual_aid.my_cover",
            _("我的互助保障"),
            "mutual_aid:my_cover",
            order=20,
            roles=navigation.MEMBERS,
            current=navigation.at_url_names("my_cover"),
        ),
    )
)

# An enrolment is about its member; its changes (a union moved, coverage ended) are logged.
audit.audited_models.register(audit.AuditedModel("mutual_aid.enrolment"))

# Cover follows the member (coverage.py): leaving and transfers from the members app; a
# union's merger or dissolution from the organisations app, after its members have moved.
member_hooks.membership_ended.register(member_hooks.MembershipHook("mutual_aid.cover", coverage.on_membership_ended))
organisation_hooks.closure_hooks.register(
    organisation_hooks.ClosureHook("mutual_aid.enrolments", coverage.on_union_closed, order=20)
)

demo.registry.register(demo_payments.CONTRIBUTION)
