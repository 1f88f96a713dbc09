"""The transfer between unions as a process (core.workflow): its states, its steps and who
may take each. The services (members.services) say what each step changes.

A transfer's state is read from its status and its two confirmations:

    (new) ──start (sending union)──────▶ awaiting_receiving ──confirm_receiving──▶ completed
    (new) ──request (the member)──▶ awaiting_both ─┬─confirm_sending──▶ awaiting_receiving
                                                   └─confirm_receiving─▶ awaiting_sending ──confirm_sending──▶ completed
    any awaiting_* ──refuse (either union, with a reason)──▶ refused
                   ──cancel (the member who asked, or the sending union)──▶ cancelled
                   ──cancel_union_closed (the system, when either union closes)──▶ cancelled
"""

from typing import Any

from django.utils.translation import gettext, gettext_noop

from gonghui.core import workflow
from gonghui.core.access import MemberScope, Scope
from gonghui.core.workflow import INITIAL, Process, Step
from gonghui.members.locks import lock_transfer
from gonghui.members.models import Transfer, TransferStatus

AWAITING_BOTH = "awaiting_both"
AWAITING_RECEIVING = "awaiting_receiving"
AWAITING_SENDING = "awaiting_sending"
PENDING = frozenset({AWAITING_BOTH, AWAITING_RECEIVING, AWAITING_SENDING})
COMPLETED, REFUSED, CANCELLED = (
    TransferStatus.COMPLETED.value,
    TransferStatus.REFUSED.value,
    TransferStatus.CANCELLED.value,
)

CONFIRMATIONS = ("confirm_sending", "confirm_receiving")


def transfer_state(transfer: Transfer) -> str:
    if transfer.status != TransferStatus.PENDING:
        return str(transfer.status)
    if transfer.sending_confirmed_at and not transfer.receiving_confirmed_at:
        return AWAITING_RECEIVING
    if transfer.receiving_confirmed_at and not transfer.sending_confirmed_at:
        return AWAITING_SENDING
    return AWAITING_BOTH


def covers_sending(scope: Scope, transfer: Transfer) -> bool:
    return scope.covers_path(transfer.membership.union.path)


def covers_receiving(scope: Scope, transfer: Transfer) -> bool:
    return scope.covers_path(transfer.to_union.path)


def _either_side(scope: Scope, transfer: Transfer) -> bool:
    return covers_sending(scope, transfer) or covers_receiving(scope, transfer)


def _own_request(scope: Scope, transfer: Transfer) -> bool:
    return isinstance(scope, MemberScope) and transfer.membership.person_id == scope.person_id


def _may_cancel(scope: Scope, transfer: Transfer) -> bool:
    return _own_request(scope, transfer) or covers_sending(scope, transfer)


def _lock(transfer: Transfer, step: str) -> Transfer:
    return lock_transfer(transfer, completing=step in CONFIRMATIONS)


def _closed_message(transfer: Transfer, state: str) -> str:
    last = workflow.decisions_of(transfer).last()
    if last is not None and last.step == "cancel_union_closed":
        return gettext("该转接已撤回：%(reason)s") % {"reason": last.reason}
    return gettext("该转接已处理")


NOT_A_SIDE = gettext_noop("您不是该转接的转出或转入方")

TRANSFER = workflow.register(
    Process(
        kind="members.transfer",
        model=Transfer,
        state_of=transfer_state,
        lock=_lock,
        field="transfer",
        closed_message=_closed_message,
        subject_label=lambda t: f"组织关系转接 {t.membership.person.name}",
        audit_detail=lambda t: {"transfer": t.pk, "to_union": t.to_union.code},
        steps=(
            Step(
                name="start",
                label="发起转接",
                from_states=frozenset({INITIAL}),
                to_states=frozenset({AWAITING_RECEIVING}),
                may=covers_sending,
                refusal=gettext_noop("该工会不在您的管辖范围内"),
                refusal_field="membership",
            ),
            Step(
                name="request",
                label="申请转接",
                from_states=frozenset({INITIAL}),
                to_states=frozenset({AWAITING_BOTH}),
                may=_own_request,
                refusal=gettext_noop("只有会员本人可以申请转接"),
            ),
            Step(
                name="confirm_sending",
                label="确认转出",
                from_states=frozenset({AWAITING_BOTH, AWAITING_SENDING}),
                to_states=frozenset({AWAITING_RECEIVING, COMPLETED}),
                may=covers_sending,
                refusal=NOT_A_SIDE,
                repeated=gettext_noop("转出工会已确认该转接，正在等待转入工会确认"),
            ),
            Step(
                name="confirm_receiving",
                label="确认转入",
                from_states=frozenset({AWAITING_BOTH, AWAITING_RECEIVING}),
                to_states=frozenset({AWAITING_SENDING, COMPLETED}),
                may=covers_receiving,
                refusal=NOT_A_SIDE,
                repeated=gettext_noop("转入工会已确认该转接，正在等待转出工会确认"),
            ),
            Step(
                name="refuse",
                label="拒绝转接",
                from_states=PENDING,
                to_states=frozenset({REFUSED}),
                may=_either_side,
                refusal=NOT_A_SIDE,
                needs_reason=True,
                reason_message=gettext_noop("请填写拒绝原因"),
            ),
            Step(
                name="cancel",
                label="撤回转接",
                from_states=PENDING,
                to_states=frozenset({CANCELLED}),
                may=_may_cancel,
                refusal=gettext_noop("只有发起方可以撤回"),
            ),
            Step(
                name="cancel_union_closed",
                label="工会撤销或合并，转接撤回",
                from_states=PENDING,
                to_states=frozenset({CANCELLED}),
                may=None,
            ),
        ),
    )
)


def sides_of(scope: Scope, transfer: Any) -> list[str]:
    """The confirmations this scope may give on the transfer (one side, or both for a
    scope above both unions)."""
    return [step for step in CONFIRMATIONS if workflow.may(transfer, step, scope=scope)]
