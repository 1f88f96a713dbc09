"""What the mutual-aid app adds to core's registries (core/registry.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gonghui.core import audit, demo, navigation, personal_data
from gonghui.core.access import Role
from gonghui.mutual_aid import jobs  # noqa: F401  (registers its background job kinds)
from gonghui.mutual_aid.bank_accounts import PERSONAL_DATA as BANK_ACCOUNT_DATA
from gonghui.mutual_aid.payments_demo import PAYMENTS_DEMO

PAYMENT_PAGES = ("payment_batches", "payment_batch_new", "payment_batch", "payment_batch_paid", "payment_batch_cancel")

navigation.registry.register(
    navigation.NavEntry(
        "mutual_aid.schemes",
        _("医疗互助"),
        "mutual_aid:schemes",
        order=60,
        roles=frozenset({str(Role.CITY)}),
        current=navigation.in_namespace("mutual_aid", except_names=PAYMENT_PAGES),
    )
)

# An enrolment is about its member; its changes (a union moved, coverage ended) are logged.
audit.audited_models.register(audit.AuditedModel("mutual_aid.enrolment"))

# --- payments ---
navigation.registry.register(
    navigation.NavEntry(
        "mutual_aid.payments",
        _("补助支付"),
        "mutual_aid:payment_batches",
        order=61,
        roles=frozenset({str(Role.CITY)}),  # town staff may pay their town too, from /mutual-aid/payments/
        current=navigation.at_url_names(*PAYMENT_PAGES),
    )
)
personal_data.registry.register(BANK_ACCOUNT_DATA)
# A changed payee account is logged (its history keeps the number sealed).
audit.audited_models.register(audit.AuditedModel("mutual_aid.bankaccount"))
demo.registry.register(PAYMENTS_DEMO)
