"""The one workflow mechanism (core.workflow), through the processes that use it: transfers
between unions and membership applications."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.db import transaction

from gonghui.core import workflow
from gonghui.core.errors import Conflict, Forbidden
from gonghui.core.models import AuditEntry, Decision
from gonghui.members import services
from gonghui.members.models import Transfer
from gonghui.testing import Federation


@pytest.fixture
def heard() -> Any:
    calls: list[dict[str, Any]] = []

    def receiver(sender: str, **kwargs: Any) -> None:
        calls.append({"sender": sender, **kwargs})

    workflow.step_decided.connect(receiver)
    yield calls
    workflow.step_decided.disconnect(receiver)


def start(fed: Federation) -> Transfer:
    return services.transfer_start(
        scope=fed.scope(fed.town_a_staff), membership=fed.member_a1, to_union=fed.union_b1, on=date(2025, 6, 1)
    )


def test_each_step_is_recorded_with_who_when_and_why_and_audited(fed, heard, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        transfer = start(fed)
        services.transfer_refuse(scope=fed.scope(fed.town_b_staff), transfer=transfer, reason="不在本单位工作")
    steps = [
        (d.step, d.from_state, d.to_state, d.decided_by, d.decided_as, d.reason)
        for d in workflow.decisions_of(transfer)
    ]
    assert steps == [
        ("start", "", "awaiting_receiving", fed.town_a_staff, "town", ""),
        ("refuse", "awaiting_receiving", "refused", fed.town_b_staff, "town", "不在本单位工作"),
    ]
    entry = (
        AuditEntry.objects.filter(action=AuditEntry.Action.DECISION, detail__process="members.transfer")
        .order_by("pk")
        .last()
    )
    assert entry is not None
    assert (entry.actor, entry.reason, entry.detail["step"], entry.data_subject_id) == (
        fed.town_b_staff,
        "不在本单位工作",
        "refuse",
        fed.member_a1.person_id,
    )
    assert [(c["sender"], c["decision"].step, c["subject"].pk) for c in heard] == [
        ("members.transfer", "start", transfer.pk),
        ("members.transfer", "refuse", transfer.pk),
    ]


def test_no_notification_for_a_step_whose_transaction_rolled_back(fed, heard, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        start(fed)
        raise RuntimeError("a later write in the same request failed")
    assert heard == [] and not Decision.objects.exists() and not Transfer.objects.exists()


def test_a_repeated_step_is_refused_with_409_saying_what_it_waits_for(fed):
    transfer = start(fed)
    with pytest.raises(Conflict, match="转出工会已确认该转接，正在等待转入工会确认") as again:
        services.transfer_confirm(scope=fed.scope(fed.town_a_staff), transfer=transfer)
    assert (again.value.status_code, again.value.code) == (409, "step_repeated")
    assert workflow.decisions_of(transfer).count() == 1


def test_a_step_on_a_closed_case_is_refused_with_409(fed):
    transfer = start(fed)
    services.transfer_cancel(scope=fed.scope(fed.town_a_staff), transfer=transfer)
    with pytest.raises(Conflict, match="该转接已处理") as late:
        services.transfer_confirm(scope=fed.scope(fed.town_b_staff), transfer=transfer)
    assert late.value.code == "step_not_open"


def test_a_step_not_the_askers_to_take_is_refused_and_not_recorded(fed):
    transfer = start(fed)
    with pytest.raises(Forbidden, match="只有发起方可以撤回"):
        services.transfer_cancel(scope=fed.scope(fed.town_b_staff), transfer=transfer)
    assert [d.step for d in workflow.decisions_of(transfer)] == ["start"]


def test_a_system_step_cannot_be_asked_for(fed):
    transfer = start(fed)
    with pytest.raises(Forbidden):
        workflow.decide(transfer, "cancel_union_closed", scope=fed.scope(fed.city_staff))


def test_a_scope_above_both_unions_confirms_both_sides_at_once(fed):
    transfer = services.transfer_request_by_member(scope=fed.scope(fed.member_user), to_union=fed.union_b1)
    services.transfer_confirm(scope=fed.scope(fed.city_staff), transfer=transfer)
    states = [(d.step, d.to_state) for d in workflow.decisions_of(transfer)]
    assert states == [
        ("request", "awaiting_both"),
        ("confirm_sending", "awaiting_receiving"),
        ("confirm_receiving", "completed"),
    ]
