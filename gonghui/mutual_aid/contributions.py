"""What the mutual-aid app adds to core's registries (core/registry.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gonghui.core import audit, demo, figures, navigation, personal_data, sections, todos
from gonghui.core.access import Role

# jobs registers the app's background job kinds; reviewing, the settlement batch's review process.
from gonghui.mutual_aid import claim_todos, jobs, reviewing  # noqa: F401
from gonghui.mutual_aid import demo as aid_demo
from gonghui.mutual_aid import figures as aid_figures
from gonghui.mutual_aid import personal_data as aid_data
from gonghui.mutual_aid import sections as aid_sections
from gonghui.mutual_aid.bank_accounts import PERSONAL_DATA as BANK_ACCOUNT_DATA
from gonghui.mutual_aid.payments_demo import PAYMENTS_DEMO

# Pages with entries of their own (below), so 医疗互助 is not lit on them.
SETTLEMENT_PAGES = ("batches", "batch", "batch_issues")
CLAIM_PAGES = ("claims", "claim_detail", "my_claims", "my_claim_new", "my_claim")
PAYMENT_PAGES = ("payment_batches", "payment_batch_new", "payment_batch", "payment_batch_paid", "payment_batch_cancel")
navigation.registry.register(
    navigation.NavEntry(
        "mutual_aid.schemes",
        _("医疗互助"),
        "mutual_aid:schemes",
        order=60,
        roles=frozenset({str(Role.CITY)}),
        current=navigation.in_namespace("mutual_aid", except_names=SETTLEMENT_PAGES + CLAIM_PAGES + PAYMENT_PAGES),
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

# --- memberclaims ---
todos.registry.register_all(claim_todos.TODOS)
navigation.registry.register_all(
    (
        navigation.NavEntry(
            "mutual_aid.claims",
            _("互助补助申请"),
            "mutual_aid:claims",
            order=62,
            current=navigation.at_url_names("claims", "claim_detail"),
        ),
        navigation.NavEntry(
            "mutual_aid.my_claims",
            _("我的互助补助"),
            "mutual_aid:my_claims",
            order=20,
            roles=navigation.MEMBERS,
            current=navigation.at_url_names("my_claims", "my_claim_new", "my_claim"),
        ),
    )
)
# --- payments ---
navigation.registry.register(
    navigation.NavEntry(
        "mutual_aid.payments",
        _("补助支付"),
        "mutual_aid:payment_batches",
        order=63,
        roles=frozenset({str(Role.CITY)}),  # town staff may pay their town too, from /mutual-aid/payments/
        current=navigation.at_url_names(*PAYMENT_PAGES),
    )
)
personal_data.registry.register(BANK_ACCOUNT_DATA)
# A changed payee account is logged (its history keeps the number sealed).
audit.audited_models.register(audit.AuditedModel("mutual_aid.bankaccount"))
demo.registry.register(PAYMENTS_DEMO)

# --- figures, the member page's section, the personal-data download, the demo's schemes ---
figures.registry.register_all(aid_figures.FIGURES)
sections.registry.register(aid_sections.SECTION)
personal_data.registry.register_all(aid_data.PARTS)
demo.registry.register(aid_demo.SCHEMES)
