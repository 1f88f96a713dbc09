"""What the mutual-aid app adds to core's registries (core/registry.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gonghui.core import audit, demo, figures, navigation, personal_data, sections, todos
from gonghui.core.access import Role
from gonghui.members import hooks as member_hooks

# jobs registers the app's background job kinds; reviewing, the settlement batch's review process.
from gonghui.mutual_aid import claim_todos, contributions_demo, coverage, jobs, reviewing  # noqa: F401
from gonghui.mutual_aid import demo as aid_demo
from gonghui.mutual_aid import figures as aid_figures
from gonghui.mutual_aid import personal_data as aid_data
from gonghui.mutual_aid import sections as aid_sections
from gonghui.mutual_aid.bank_accounts import PERSONAL_DATA as BANK_ACCOUNT_DATA
from gonghui.mutual_aid.payments_demo import PAYMENTS_DEMO
from gonghui.organisations import hooks as organisation_hooks

# Pages with entries of their own (below), so 医疗互助 is not lit on them.
ENROL_PAGES = ("enrol", "enrol_list", "enrol_select", "enrol_upload", "enrol_print", "enrol_pay")
SETTLEMENT_PAGES = ("batches", "batch", "batch_issues")
CLAIM_PAGES = ("claims", "claim_detail")
PAYMENT_PAGES = ("payment_batches", "payment_batch_new", "payment_batch", "payment_batch_paid", "payment_batch_cancel")
MEMBER_PAGES = ("my_cover", "my_claims", "my_claim_new", "my_claim", "my_bank_account")
OWN_ENTRIES = ENROL_PAGES + SETTLEMENT_PAGES + CLAIM_PAGES + PAYMENT_PAGES + MEMBER_PAGES

navigation.registry.register_all(
    (
        navigation.NavEntry(
            "mutual_aid.schemes",
            _("医疗互助"),
            "mutual_aid:schemes",
            order=60,
            roles=frozenset({str(Role.CITY)}),
            current=navigation.in_namespace("mutual_aid", except_names=OWN_ENTRIES),
        ),
        # Each staff role enrols the unions it covers.
        navigation.NavEntry(
            "mutual_aid.enrol",
            _("互助参保"),
            "mutual_aid:enrol",
            order=61,
            roles=frozenset({str(Role.TOWN), str(Role.UNION), str(Role.CITY)}),
            current=navigation.at_url_names(*ENROL_PAGES),
        ),
        # Town staff upload settlement files and review their batches too.
        navigation.NavEntry(
            "mutual_aid.settlements",
            _("医保结算"),
            "mutual_aid:batches",
            order=62,
            roles=frozenset({str(Role.CITY), str(Role.TOWN)}),
            current=navigation.at_url_names(*SETTLEMENT_PAGES),
        ),
        navigation.NavEntry(
            "mutual_aid.claims",
            _("互助补助申请"),
            "mutual_aid:claims",
            order=63,
            current=navigation.at_url_names(*CLAIM_PAGES),
        ),
        navigation.NavEntry(
            "mutual_aid.payments",
            _("补助支付"),
            "mutual_aid:payment_batches",
            order=64,
            roles=frozenset({str(Role.CITY)}),  # town staff may pay their town too, from /mutual-aid/payments/
            current=navigation.at_url_names(*PAYMENT_PAGES),
        ),
        navigation.NavEntry(
            "mutual_aid.my_cover",
            _("我的互助保障"),
            "mutual_aid:my_cover",
            order=20,
            roles=navigation.MEMBERS,
            current=navigation.at_url_names("my_cover", "my_bank_account"),
        ),
        navigation.NavEntry(
            "mutual_aid.my_claims",
            _("我的互助补助"),
            "mutual_aid:my_claims",
            order=21,
            roles=navigation.MEMBERS,
            current=navigation.at_url_names("my_claims", "my_claim_new", "my_claim"),
        ),
    )
)
todos.registry.register_all(claim_todos.TODOS)

# An enrolment is about its member; its changes (a union moved, coverage ended) are logged.
audit.audited_models.register(audit.AuditedModel("mutual_aid.enrolment"))
# A changed payee account is logged (its history keeps the number sealed).
audit.audited_models.register(audit.AuditedModel("mutual_aid.bankaccount"))

figures.registry.register_all(aid_figures.FIGURES)
sections.registry.register(aid_sections.SECTION)
personal_data.registry.register_all(aid_data.PARTS)
personal_data.registry.register(BANK_ACCOUNT_DATA)

# Cover follows the member (coverage.py): leaving and transfers from the members app; a
# union's merger or dissolution from the organisations app, after its members have moved.
member_hooks.membership_ended.register(member_hooks.MembershipHook("mutual_aid.cover", coverage.on_membership_ended))
organisation_hooks.closure_hooks.register(
    organisation_hooks.ClosureHook("mutual_aid.enrolments", coverage.on_union_closed, order=20)
)

# The demo's five years: schemes, enrolments and feeds (40), contributions into the pool
# (41), review (42), payments (43).
demo.registry.register_all(
    (
        aid_demo.SCHEMES,
        contributions_demo.CONTRIBUTION,
        demo.DemoContribution(key="mutual_aid.review", each_city=reviewing.review_demo, order=42),
        PAYMENTS_DEMO,
    )
)
