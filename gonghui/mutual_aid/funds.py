"""The scheme's accounts in the one ledger (core/ledger.py), one set per federation: the
pool that contributions go into and benefits are paid from, and the outside world (the
bank, payers) money comes from and goes to. Enrolment payments post into the pool; payment
batches post out of it, so a pool never pays more than it holds (the ledger's CHECK).
Approval posts nothing (docs/mutual-aid.md, "Money")."""

from __future__ import annotations

from gonghui.core.ledger import fund_open
from gonghui.core.ledger_models import Fund, FundKind
from gonghui.organisations.models import Organisation


def scheme_pool(federation: Organisation) -> Fund:
    """互助保障资金池: contributions in, benefits out."""
    return fund_open(
        code=f"mutual_aid:{federation.code}:pool",
        name=f"{federation.name} 职工医疗互助保障资金",
        kind=FundKind.POOL,
        owner_path=federation.path,
    )


def scheme_outside(federation: Organisation) -> Fund:
    """外部往来: payers' money coming in, the bank's transfers going out."""
    return fund_open(
        code=f"mutual_aid:{federation.code}:outside",
        name=f"{federation.name} 职工医疗互助保障 外部往来",
        kind=FundKind.OUTSIDE,
        owner_path=federation.path,
    )
